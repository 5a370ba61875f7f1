"""What the API says of each thing: the fields readers see, and nothing staff keep
(status, share links, the editor's pinned organisations, donors)."""

from datetime import date, datetime

from django.core.files.storage import default_storage
from ninja import Schema


def _absolute(context, url):
    return context["request"].build_absolute_uri(url)


def _page_url(obj, context):
    return _absolute(context, obj.get_absolute_url())


class Error(Schema):
    parameter: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[Error] = []


class PublishedBetween(Schema):
    """A date range of publication, from `published_after` (included) to
    `published_before` (excluded); a date alone is its midnight."""

    published_after: datetime | None = None
    published_before: datetime | None = None


class TagOut(Schema):
    name: str
    slug: str
    url: str

    resolve_url = staticmethod(_page_url)


class OrganisationRef(Schema):
    name: str
    slug: str
    url: str

    resolve_url = staticmethod(_page_url)


class SpeakerOut(Schema):
    kind: str  # "person", "organisation", or "source" for an unnamed source
    name: str
    slug: str | None = None
    url: str | None = None


def _speaker(quote, context):
    speaker = quote.speaker  # the Person or Organisation; None for a free-text source
    if speaker is not None:
        return SpeakerOut(
            kind=speaker._meta.model_name,
            name=speaker.name,
            slug=speaker.slug,
            url=_page_url(speaker, context),
        )
    return SpeakerOut(kind="source", name=quote.source)


class QuoteInArticleOut(Schema):
    id: int
    text: str
    speaker: SpeakerOut
    attribution: str
    paragraph: int

    resolve_speaker = staticmethod(_speaker)


class CorrectionOut(Schema):
    published_at: datetime
    what_was_wrong: str
    what_is_right: str


class RenditionOut(Schema):
    width: int
    url: str
    webp_url: str | None = None


class LeadImageOut(Schema):
    url: str
    alt: str
    caption: str  # HTML: links and emphasis
    credit: str
    width: int | None = None
    height: int | None = None
    renditions: list[RenditionOut]


def _lead_image(article, context):
    if not article.lead_image:
        return None
    stored = article.lead_image_renditions
    return LeadImageOut(
        url=_absolute(context, article.lead_image.url),
        alt=article.lead_image_alt,
        caption=article.caption_html,
        credit=article.lead_image_credit,
        width=stored.get("width"),
        height=stored.get("height"),
        renditions=[
            RenditionOut(
                width=size["width"],
                url=_absolute(context, default_storage.url(size["name"])),
                webp_url=_absolute(context, default_storage.url(size["smallest"]))
                if size["smallest"] != size["name"]
                else None,
            )
            for size in stored.get("sizes", [])
        ],
    )


def body_html(article):
    """The body as sanitised HTML: stored clean (Article.save() cleans it), with its
    quote marks (<q data-quote …>, see README "How the content is modelled")."""
    return article.body


class ArticleOut(Schema):
    slug: str
    url: str
    headline: str
    standfirst: str
    body: str
    byline: str
    # None where the page shows no date (an imported page whose date is unknown).
    published_at: datetime | None
    # When the text readers read last changed after publication ("Updated" on the page).
    updated_at: datetime | None
    # When anything shown here may last have changed (models.MODIFIED_AT): the order of
    # `updated_since`.
    modified_at: datetime
    lead_image: LeadImageOut | None
    topics: list[TagOut]
    organisations: list[OrganisationRef]
    quotes: list[QuoteInArticleOut]
    corrections: list[CorrectionOut]

    resolve_url = staticmethod(_page_url)
    resolve_lead_image = staticmethod(_lead_image)

    @staticmethod
    def resolve_body(article):
        return body_html(article)

    @staticmethod
    def resolve_published_at(article):
        return article.published_at if article.show_publication_date else None

    @staticmethod
    def resolve_updated_at(article):
        return article.content_updated_at

    @staticmethod
    def resolve_topics(article):
        return article.tags.all()

    @staticmethod
    def resolve_organisations(article):
        return article.organisations.all()

    @staticmethod
    def resolve_quotes(article):
        return article.quotes.all()

    @staticmethod
    def resolve_corrections(article):
        return article.corrections.all()


class WithdrawnOut(Schema):
    slug: str
    # When readers stopped seeing it: the order of the list and of `since`.
    withdrawn_at: datetime


class ArticleRef(Schema):
    slug: str
    headline: str
    url: str
    published_at: datetime | None

    resolve_url = staticmethod(_page_url)
    resolve_published_at = staticmethod(ArticleOut.resolve_published_at)


class QuoteOut(Schema):
    id: int
    url: str
    text: str
    speaker: SpeakerOut
    attribution: str
    article: ArticleRef

    resolve_url = staticmethod(_page_url)
    resolve_speaker = staticmethod(_speaker)


class OrganisationOut(Schema):
    slug: str
    name: str
    other_names: list[str]
    kind: str
    kind_label: str
    country: str
    description: str
    website: str
    url: str
    tags: list[TagOut]

    resolve_url = staticmethod(_page_url)

    @staticmethod
    def resolve_other_names(organisation):
        return organisation.alias_list

    @staticmethod
    def resolve_kind_label(organisation):
        return organisation.get_kind_display()

    @staticmethod
    def resolve_tags(organisation):
        return organisation.tags.all()


class PersonOut(Schema):
    slug: str
    name: str
    other_names: list[str]
    role: str
    organisation: OrganisationRef | None
    description: str
    url: str

    resolve_url = staticmethod(_page_url)

    @staticmethod
    def resolve_other_names(person):
        return person.other_name_list


class AppealOut(Schema):
    campaign_month: date
    message: str
    currency: str
    goal: str
    raised: str
    percent: float
    is_goal_reached: bool
    # When the raised figure last changed.
    updated_at: datetime | None
    donate_url: str

    @staticmethod
    def resolve_goal(appeal):
        return f"{appeal.goal:.2f}"

    @staticmethod
    def resolve_raised(appeal):
        return f"{appeal.raised:.2f}"

    @staticmethod
    def resolve_updated_at(appeal):
        return appeal.last_updated


class ArticlePageOut(Schema):
    results: list[ArticleOut]
    next: str | None
    next_cursor: str | None


class QuotePageOut(Schema):
    results: list[QuoteOut]
    next: str | None
    next_cursor: str | None


class PersonPageOut(Schema):
    results: list[PersonOut]
    next: str | None
    next_cursor: str | None


class OrganisationPageOut(Schema):
    results: list[OrganisationOut]
    next: str | None
    next_cursor: str | None


class WithdrawnPageOut(Schema):
    results: list[WithdrawnOut]
    next: str | None
    next_cursor: str | None
