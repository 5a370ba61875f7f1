import html
import re
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

import nh3
import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Left, Length, Lower, TruncMonth, Upper
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, slugify
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from .fields import AMOUNT_TOO_LARGE, MAX_AMOUNT, MoneyField
from .images import CleanImageField, renditions_for
from .importer import SPLIT_QUOTE_JOINER
from .links import url_for
from .validators import validate_image_upload

# What an editor may write in a body paragraph or caption; everything else is stripped.
INLINE_TAGS = {"a", "em", "strong", "i", "b"}
INLINE_ATTRIBUTES = {"a": {"href", "title"}}
LINK_SCHEMES = {"http", "https", "mailto"}
# Characters of a page's meta and link-preview description.
DESCRIPTION_LENGTH = 200
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# About 16,000 words, several times the longest feature. PostgreSQL's search index sets
# the real bound: a tsvector holds at most 1 MB of lexemes, and the costliest text takes
# 7.5 bytes of them a character (pairs of distinct four-byte letters joined by a hyphen:
# each letter is a lexeme, and so is the pair), so the indexed headline, standfirst and
# body together must stay under 139,810 characters (see search.ARTICLE_VECTOR).
MAX_BODY_LENGTH = 100_000
BODY_TOO_LONG = f"A body can hold at most {MAX_BODY_LENGTH:,} characters"
ALT_TEXT_MISSING = "Describe the lead image (alt text) before the article is published."

# Built once: handing nh3.clean() its rules on every call costs as much as the cleaning
# (an article page cleans each paragraph as it renders it).
_INLINE_CLEANER = nh3.Cleaner(
    tags=INLINE_TAGS,
    attributes=INLINE_ATTRIBUTES,
    url_schemes=LINK_SCHEMES,
    link_rel="noopener noreferrer",
)
_TEXT_CLEANER = nh3.Cleaner(tags=set())


def sanitise_inline(text):
    """Editor-typed text as safe HTML: links and emphasis kept, every other tag dropped."""
    return mark_safe(_INLINE_CLEANER.clean(text))


def split_paragraphs(text):
    return [" ".join(p.split()) for p in PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


def plain_text(html):
    return _TEXT_CLEANER.clean(html)


def validate_body_length(body):
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError(
            f"{BODY_TOO_LONG}; this one has %(length)s.",
            code="max_length",
            params={"length": f"{len(body):,}"},
        )


class EditLocked(models.Model):
    """Optimistic locking for rows edited in the admin.

    Every save draws a new token; the admin form carries the token it was opened with
    and refuses to save when the row's token has moved on (see admin_locking.py).
    A random token rather than a counter: restoring an old revision then brings no
    number back that a stale form could match.
    """

    edit_token = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.edit_token = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            # A partial save (e.g. publishing from the changelist) is still an edit that
            # an open form must not overwrite.
            kwargs["update_fields"] = {*kwargs["update_fields"], "edit_token"}
        super().save(*args, **kwargs)


# --- Tags: two separate vocabularies ------------------------------------------------


# How many of the newest articles decide which topics and speakers are "live".
RECENT_ARTICLES = 500


class TagSlugMixin:
    """A slug for every tag name: one of punctuation alone ("?", "<>") slugifies to
    nothing, and a tag page with an empty address cannot be linked to."""

    def slugify(self, tag, i=None):
        return super().slugify(tag if slugify(tag, allow_unicode=True) else "tag", i)


class TopicTagQuerySet(models.QuerySet):
    def in_recent_articles(self):
        """The topics of the newest articles, most used first: what the news is about now.

        Counting over the latest few hundred articles stays cheap at any archive size,
        where counting every tagging of 100,000 articles does not.
        """
        return (
            self.filter(
                tagged_articles__content_object__in=Article.objects.latest_published_ids(
                    RECENT_ARTICLES
                )
            )
            .annotate(recent_count=Count("tagged_articles"))
            .order_by("-recent_count", "name")
        )

    def with_article_count(self):
        """Only tags with published articles, annotated with how many, most used first."""
        return (
            self.annotate(
                article_count=Count(
                    "tagged_articles",
                    filter=Q(tagged_articles__content_object__in=Article.objects.published()),
                )
            )
            .filter(article_count__gt=0)
            .order_by("-article_count", "name")
        )


@reversion.register()
class TopicTag(TagSlugMixin, TagBase):
    """A topic that articles are filed under ("Iraq", "US military")."""

    # Keeps taggit's natural-key manager: the fixtures name tags, not ids.
    objects = NaturalKeyManager.from_queryset(TopicTagQuerySet)()

    class Meta:
        verbose_name = "topic tag"
        verbose_name_plural = "topic tags"
        ordering = ["name"]

    def get_absolute_url(self):
        return url_for("articles:topic-detail", slug=self.slug)


class TaggedArticleQuerySet(models.QuerySet):
    def listed(self):
        """Taggings of articles readers can see, by the copied publication time."""
        return self.filter(published_at__lte=timezone.now())


# Not following the tag: a revert deletes what the revision does not hold, and a topic
# is shared by every article filed under it.
@reversion.register()
class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(TopicTag, on_delete=models.CASCADE, related_name="tagged_articles")
    # The article's `listing_time`, copied here so a topic's newest articles come straight
    # off one index (tag, time) however many articles the topic has; without it the
    # database sorts every article of the topic to show the first twenty. signals.py keeps
    # the copy in step on every save, fixture load and revert (not on QuerySet.update()).
    published_at = models.DateTimeField(null=True, editable=False)

    objects = TaggedArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_article_topic_tag"
            )
        ]
        indexes = [
            models.Index(
                fields=["tag", "-published_at", "-content_object"], name="topic_newest_idx"
            )
        ]


@reversion.register()
class OrganisationTag(TagSlugMixin, TagBase):
    """Staff's own vocabulary for organisations ("armed group", "state actor")."""

    class Meta:
        verbose_name = "organisation tag"
        verbose_name_plural = "organisation tags"
        ordering = ["name"]

    def get_absolute_url(self):
        return url_for("articles:organisation-tag-detail", slug=self.slug)


# Not following the tag, for the same reason as TaggedArticle.
@reversion.register()
class TaggedOrganisation(TaggedItemBase):
    content_object = models.ForeignKey(
        "Organisation", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(
        OrganisationTag, on_delete=models.CASCADE, related_name="tagged_organisations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_organisation_tag"
            )
        ]


# --- Organisations -------------------------------------------------------------------


class OrganisationQuerySet(models.QuerySet):
    def directory(self):
        """A–Z order, each organisation annotated with the `initial` it is filed under."""
        # Case-insensitive, so "ISIS" and "Iraqi Security Forces" sort alike on every
        # database (SQLite compares bytes, PostgreSQL by its collation).
        return self.annotate(initial=Upper(Left("name", 1))).order_by(Lower("name"), "name")

    def initials(self):
        """The letters a `directory()` has entries under, in order."""
        return self.order_by("initial").values_list("initial", flat=True).distinct()

    def quoted_recently(self):
        """The organisations quoted in the newest articles, most quoted first."""
        return (
            self.filter(quotes__article__in=Article.objects.latest_published_ids(RECENT_ARTICLES))
            .annotate(recent_quotes=Count("quotes"))
            .order_by("-recent_quotes", "name")
        )


@reversion.register(follow=["tagged_items"])
class Organisation(EditLocked):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government"
        ARMED_FORCES = "armed_forces", "Armed forces"
        ARMED_GROUP = "armed_group", "Armed group"
        COALITION = "coalition", "Military coalition"
        MILITIA = "militia", "Militia"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
        POLITICAL_PARTY = "political_party", "Political party"
        NGO = "ngo", "Non-governmental organisation"
        MEDIA = "media", "News organisation"
        COMPANY = "company", "Company"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names it goes by, one per line (e.g. “Daesh” for ISIS).",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(
        max_length=100, blank=True, help_text="Where it is based or which state it belongs to."
    )
    description = models.TextField(blank=True, help_text="One or two plain sentences.")
    website = models.URLField(blank=True)
    logo = CleanImageField(
        upload_to="organisations/%Y/", blank=True, validators=[validate_image_upload]
    )
    is_reviewed = models.BooleanField(
        default=True,
        help_text="Unticked for organisations created by an import until staff check them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(
        through=TaggedOrganisation,
        blank=True,
        related_name="organisations",
        help_text="Staff tags, separated by commas.",
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("tag_organisation", "Can change the tags of organisations")]
        indexes = [
            # The A–Z directory sorts case-insensitively.
            models.Index(Lower("name"), "name", name="organisation_directory_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_for("articles:organisation-detail", slug=self.slug)

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def names(self):
        """Every name it is known by, its own first."""
        return [self.name, *self.alias_list]


# --- Donation appeals ----------------------------------------------------------------


class DonationAppealQuerySet(models.QuerySet):
    def with_raised(self):
        return self.annotate(
            raised_total=Coalesce(Sum("donations__amount"), 0, output_field=MoneyField()),
            # When the figure last changed: the newest ledger entry, not the gift's date.
            last_donation_at=Max("donations__created_at"),
        )

    def current(self):
        """The appeal readers see where an article names none.

        The campaigns roll over by month: this month's appeal shows as soon as its month
        starts, with no one switching it on. While no appeal runs this month, the active
        one stands in.
        """
        this_month = timezone.localdate().replace(day=1)
        return (
            self.with_raised()
            .filter(Q(campaign_month=this_month) | Q(is_active=True))
            .order_by(Case(When(campaign_month=this_month, then=Value(0)), default=Value(1)))
            .first()
        )

    def past(self):
        """Finished campaigns with their final figures, newest first."""
        this_month = timezone.localdate().replace(day=1)
        return self.with_raised().filter(campaign_month__lt=this_month).order_by("-campaign_month")

    def for_article(self, article):
        if article.appeal_id is None:
            return self.current()
        # get() rather than first(): the foreign key guarantees the row, and get() spares
        # the aggregate query an ORDER BY.
        return self.with_raised().get(pk=article.appeal_id)


@dataclass(frozen=True)
class Tick:
    amount: Decimal
    label: str
    percent: Decimal


@reversion.register()
class DonationAppeal(EditLocked):
    message = models.CharField(
        max_length=300, default="Do you like this content? Consider helping us!"
    )
    campaign_month = models.DateField(
        help_text="The month the campaign runs in; the first day of the month."
    )
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code.")
    currency_symbol = models.CharField(max_length=5, default="$")
    symbol_after_amount = models.BooleanField(
        default=True, help_text="Print “671 $” rather than “$671”."
    )
    goal = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    tick_count = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(2)],
        help_text="How many evenly spaced amounts label the bar, from zero to the goal.",
    )
    donate_url = models.URLField(blank=True, help_text="Where readers give.")
    is_active = models.BooleanField(
        default=False,
        help_text="The active appeal shows on every page that has none of its own. "
        "Only one appeal can be active.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DonationAppealQuerySet.as_manager()

    class Meta:
        ordering = ["-campaign_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__gt=0),
                name="appeal_goal_positive",
                violation_error_message="The goal must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(goal__lte=MAX_AMOUNT),
                name="appeal_goal_at_most_max",
                violation_error_message=AMOUNT_TOO_LARGE,
            ),
            models.CheckConstraint(
                condition=Q(tick_count__gte=2),
                name="appeal_at_least_two_ticks",
                violation_error_message="The bar needs at least two ticks.",
            ),
            models.CheckConstraint(
                condition=Q(campaign_month__day=1),
                name="appeal_month_starts_on_first",
                violation_error_message="The campaign month is stored as its first day.",
            ),
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_active_appeal",
                violation_error_message="Another appeal is already active.",
            ),
        ]

    def __str__(self):
        return f"{self.message} ({self.campaign_month:%B %Y})"

    def save(self, *args, **kwargs):
        if self.campaign_month:
            self.campaign_month = self.campaign_month.replace(day=1)
        super().save(*args, **kwargs)

    @property
    def raised(self):
        """The sum of the ledger; use `with_raised()` to fetch it in the same query."""
        if hasattr(self, "raised_total"):
            return self.raised_total
        return self.donations.aggregate(
            total=Coalesce(Sum("amount"), 0, output_field=MoneyField())
        )["total"]

    @property
    def last_updated(self):
        """When the raised figure last changed: the newest ledger entry, None before any."""
        if hasattr(self, "last_donation_at"):
            return self.last_donation_at
        return self.donations.aggregate(latest=Max("created_at"))["latest"]

    @property
    def percent(self):
        """Share of the goal raised, clamped to 0–100 for the bar."""
        share = self.raised / self.goal * 100
        return min(max(share, Decimal(0)), Decimal(100)).quantize(Decimal("0.01"))

    @property
    def percent_rounded(self):
        return int(self.percent.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def is_goal_reached(self):
        return self.raised >= self.goal

    def format_amount(self, amount):
        digits = f"{amount:,.2f}".removesuffix(".00")
        if self.symbol_after_amount:
            return f"{digits} {self.currency_symbol}"
        return f"{self.currency_symbol}{digits}"

    @property
    def raised_display(self):
        return self.format_amount(self.raised)

    @property
    def goal_display(self):
        return self.format_amount(self.goal)

    @property
    def ticks(self):
        steps = self.tick_count - 1
        return [
            Tick(
                amount=self.goal * i / steps,
                label=self.format_amount((self.goal * i / steps).quantize(Decimal("0.01"))),
                percent=(Decimal(100) * i / steps).quantize(Decimal("0.01")),
            )
            for i in range(self.tick_count)
        ]


class Donation(models.Model):
    """One entry of an appeal's ledger. Entries are only ever added, so two staff
    recording gifts at the same moment each add a row and neither is lost."""

    appeal = models.ForeignKey(DonationAppeal, on_delete=models.PROTECT, related_name="donations")
    amount = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    received_date = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_donations",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="donation_amount_positive",
                violation_error_message="A donation must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_AMOUNT),
                name="donation_amount_at_most_max",
                violation_error_message=AMOUNT_TOO_LARGE,
            ),
        ]

    def __str__(self):
        return f"{self.appeal.format_amount(self.amount)} on {self.received_date}"


# --- Articles and quotes -------------------------------------------------------------


def _local_month(moment):
    return timezone.localtime(moment).date().replace(day=1)


def published_condition(prefix=""):
    """The one rule of what readers may see: published, and not scheduled for later.

    `prefix` applies it across a relation ("article__" for quotes), which lets the database
    walk the article index instead of testing every row against a subquery.
    """
    return Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and not scheduled for later."""
        return self.filter(published_condition())

    def latest_published_ids(self, count):
        """The ids of the newest published articles, as a subquery."""
        return self.published().order_by("-published_at", "-pk").values("pk")[:count]

    def scheduled(self):
        """Published by an editor, but waiting for its moment: the other side of published()."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def next_scheduled_at(self):
        """When the next scheduled article goes live, or None."""
        return (
            self.scheduled()
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )

    def for_listing(self):
        return self.prefetch_related("tags").order_by("-published_at", "-pk")

    def in_topic(self, tag):
        """Published articles tagged `tag`, newest first, read off the topic's own index
        (see `TaggedArticle.published_at`); `published()` stays the rule of what shows."""
        return (
            self.published()
            .filter(tagged_items__tag=tag, tagged_items__published_at__lte=timezone.now())
            .order_by("-tagged_items__published_at", "-tagged_items__content_object_id")
        )

    def latest_month(self):
        """The month of the newest article here, or None."""
        latest = self.only("published_at").order_by("-published_at").first()
        return _local_month(latest.published_at) if latest else None

    def earliest_month(self):
        """The month of the oldest article here, or None."""
        earliest = self.only("published_at").order_by("published_at").first()
        return _local_month(earliest.published_at) if earliest else None

    def month_counts(self):
        """One row per month that has articles, newest first: {"month", "count"}."""
        return (
            self.annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("-month")
        )


@dataclass
class ArticlePage:
    """Everything the article page shows of one article, read with one plain query per
    kind: for a single article, prefetch_related() (taggit's above all) costs more to
    build than the queries take to run."""

    article: "Article"
    quotes: list
    organisations: list
    tags: list
    corrections: list

    @classmethod
    def of(cls, article):
        # The page shows an organisation as a name and a link, so that is all it reads:
        # the other columns cost more to convert than the query costs to run.
        organisations = list(article.organisations.order_by("name").only("name", "slug"))
        # One article's quotes and corrections are a handful: sorting them here, in their
        # models' order, costs less than the ORM's building of the ORDER BY for them.
        quotes = sorted(article.quotes.order_by(), key=attrgetter("paragraph", "pk"))
        _attach_speakers(quotes, organisations)
        return cls(
            article,
            quotes=quotes,
            organisations=organisations,
            # Not through the tags manager, whose filter on the tagging costs more to
            # build than the query costs to run.
            tags=list(TopicTag.objects.filter(tagged_articles__content_object_id=article.pk)),
            corrections=sorted(
                article.corrections.order_by(), key=attrgetter("published_at", "pk")
            ),
        )

    def body_blocks(self):
        return self.article.body_blocks(self.quotes)

    def shown_objects(self):
        """The rows the page shows, for its surrogate keys."""
        return [
            self.article,
            self.organisations,
            self.tags,
            [quote.organisation for quote in self.quotes],
        ]


def _attach_speakers(quotes, organisations):
    """Give each quote its speaking organisation without joining organisations into
    the quotes query.

    An organisation quoted in an article is nearly always mentioned in it too, so it
    is taken from the article's organisations; only the rest are read, in one query.
    """
    speakers = {organisation.pk: organisation for organisation in organisations}
    unread = {quote.organisation_id for quote in quotes} - speakers.keys() - {None}
    if unread:
        speakers |= Organisation.objects.only("name", "slug").in_bulk(unread)
    for quote in quotes:
        if quote.organisation_id is not None:
            quote.organisation = speakers[quote.organisation_id]


@dataclass
class BodyBlock:
    """A run of body paragraphs as the page shows them: plain, or one quoted statement."""

    paragraphs: list
    quote: "Quote | None" = None
    # False when the attribution is not written in the paragraphs (a statement that
    # continues the previous one): the template then cites the speaker below the quote.
    cited_inline: bool = False


# What readers read. A change to one of these after publication shows as "Updated …";
# status, dates, slug, tags and links are bookkeeping and do not.
CONTENT_FIELDS = (
    "headline",
    "standfirst",
    "body",
    "byline",
    "lead_image",
    "lead_image_caption",
    "lead_image_credit",
)


@reversion.register(follow=["quotes", "tagged_items"])
class Article(EditLocked):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The article's address; keep it once published so links stay valid.",
    )
    standfirst = models.TextField(
        blank=True, help_text="A one-sentence summary under the headline."
    )
    body = models.TextField(
        # The admin shows help text as HTML, so the tags are written as entities.
        help_text="Paragraphs separated by a blank line. Links (&lt;a href&gt;) and emphasis "
        "(&lt;em&gt;, &lt;strong&gt;) are kept; any other HTML is removed. At most "
        f"{MAX_BODY_LENGTH:,} characters.",
        # A validator, not max_length: browsers cut a paste at a textarea's maxlength
        # without a word, and the editor would lose the end of the text unawares.
        validators=[validate_body_length],
    )
    lead_image = CleanImageField(
        upload_to="articles/%Y/%m/", blank=True, validators=[validate_image_upload]
    )
    lead_image_renditions = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Resized copies of the lead image, made once when it is uploaded.",
    )
    lead_image_alt = models.CharField(
        "lead image alt text",
        max_length=300,
        blank=True,
        help_text="What the photo shows, for readers who cannot see it.",
    )
    lead_image_caption = models.TextField(blank=True)
    lead_image_credit = models.CharField(max_length=200, blank=True)
    byline = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Readers see the article from this moment; a future time schedules it.",
    )
    show_publication_date = models.BooleanField(
        default=True,
        help_text="Untick when the real publication date is unknown (an imported page): "
        "the date then only orders the article in lists and archives.",
    )
    content_updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When readers' text last changed after publication; shown as “Updated”.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="articles",
        help_text="Organisations the article mentions.",
    )
    # The editor's word over mention detection: linked though the text does not name
    # them, or never linked though it does. See services.article_link_mentions().
    pinned_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="pinned_in_articles",
        help_text="Added by an editor: stay linked even where the text does not name them.",
    )
    excluded_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="excluded_from_articles",
        help_text="Removed by an editor: never linked again by mention detection.",
    )
    source_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Set by the importer, so importing the same copy again updates this article.",
    )
    appeal = models.ForeignKey(
        DonationAppeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        help_text="Leave empty to show the active appeal.",
    )

    tags = TaggableManager(
        through=TaggedArticle,
        blank=True,
        related_name="articles",
        verbose_name="topics",
        help_text="Topics, separated by commas.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MAX_BODY_LENGTH),
                name="article_body_max_length",
                violation_error_message=f"{BODY_TOO_LONG}.",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_date",
                violation_error_message="A published article needs a publication date.",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(lead_image="") | ~Q(lead_image_alt=""),
                name="published_image_has_alt_text",
                violation_error_message=ALT_TEXT_MISSING,
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_listing_idx"),
            models.Index(fields=["-updated_at"], name="article_recently_edited_idx"),
        ]
        permissions = [("publish_article", "Can publish and unpublish articles")]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.headline, allow_unicode=True)[:200]
        if self._is_edit_readers_can_see():
            self.content_updated_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "content_updated_at"}
        super().save(*args, **kwargs)
        if self.lead_image.name != self.lead_image_renditions.get("source", ""):
            # Renditions are cut from the stored file, so only once it is stored; the
            # extra write happens only when the image itself changes.
            self.lead_image_renditions = renditions_for(self.lead_image)
            Article.objects.filter(pk=self.pk).update(
                lead_image_renditions=self.lead_image_renditions
            )
        self._remember_loaded_state()

    def get_absolute_url(self):
        return url_for("articles:article-detail", slug=self.slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._remember_loaded_state()
        return article

    def clean(self):
        if self.status == self.Status.PUBLISHED and (problems := self.publish_problems()):
            raise ValidationError(problems)

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def listing_time(self):
        """When lists place this article: its publication time once an editor has
        published it (scheduled or live), else None."""
        return self.published_at if self.status == self.Status.PUBLISHED else None

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def publish_problems(self):
        """What stops this article from going out, by field; empty when it may."""
        problems = {}
        if self.lead_image and not self.lead_image_alt.strip():
            problems["lead_image_alt"] = ALT_TEXT_MISSING
        return problems

    def _content_snapshot(self):
        deferred = self.get_deferred_fields()
        return {name: str(getattr(self, name)) for name in CONTENT_FIELDS if name not in deferred}

    def _remember_loaded_state(self):
        self._loaded_content = self._content_snapshot()
        # Reading a deferred field would load it, calling this again: only look at
        # visibility when .only()/.defer() left both fields in.
        deferred = self.get_deferred_fields()
        self._loaded_visible = not ({"status", "published_at"} & deferred) and self.is_published

    def _is_edit_readers_can_see(self):
        """A change to the text of an article readers could already read.

        A resave that changes nothing, a change made before publication (or while only
        scheduled) and a change to bookkeeping fields do not count.
        """
        loaded = getattr(self, "_loaded_content", None)
        if not loaded or not self._loaded_visible:
            return False
        current = self._content_snapshot()
        return any(current.get(name) != value for name, value in loaded.items())

    @property
    def lead_image_srcset(self):
        return _srcset(self.lead_image_renditions, "name")

    @property
    def lead_image_webp_srcset(self):
        return _srcset(self.lead_image_renditions, "smallest")

    @property
    def paragraphs(self):
        return split_paragraphs(self.body)

    @property
    def summary(self):
        """One plain-text line for lists, feeds and link previews."""
        if self.standfirst:
            return self.standfirst
        paragraphs = self.paragraphs
        return html.unescape(plain_text(paragraphs[0])) if paragraphs else ""

    @cached_property
    def description(self):
        """The summary cut to the length search results and link previews show; the
        article page prints it three times."""
        return Truncator(self.summary).chars(DESCRIPTION_LENGTH)

    @property
    def mention_text(self):
        """Every text an organisation can be named in, as plain text."""
        parts = [self.headline, self.standfirst, self.lead_image_caption, self.body]
        return html.unescape(plain_text("\n\n".join(part for part in parts if part)))

    @property
    def caption_html(self):
        return sanitise_inline(self.lead_image_caption)

    def body_blocks(self, quotes=None):
        """The body as the page shows it: quoted statements become block quotes.

        `quotes` are the article's quotes when the caller has them already (ArticlePage).
        """
        paragraphs = self.paragraphs
        starts = {}
        for quote in self.quotes.all() if quotes is None else quotes:
            if quote.fits_in(len(paragraphs)):
                starts.setdefault(quote.paragraph, quote)
        blocks, number = [], 1
        while number <= len(paragraphs):
            quote = starts.get(number)
            if quote is None:
                blocks.append(BodyBlock([sanitise_inline(paragraphs[number - 1])]))
                number += 1
                continue
            span = paragraphs[number - 1 : number - 1 + quote.paragraph_count]
            rendered, cited_inline = quote.render_paragraphs(span)
            blocks.append(BodyBlock(rendered, quote, cited_inline))
            number += quote.paragraph_count
        return blocks


class QuoteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_condition("article__"))

    def for_listing(self):
        """Newest article first, then in the order the article quotes them."""
        return (
            self.select_related("article", "organisation")
            .defer("article__body")
            .order_by("-article__published_at", "-article_id", "paragraph")
        )


@reversion.register()
class Quote(models.Model):
    """A statement quoted in an article: an index over the body, which keeps the words.

    The page shows paragraphs `paragraph` … `paragraph + paragraph_count - 1` as one
    block quote with its speaker cited.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(
        help_text="The quoted words without quotation marks; a blank line between paragraphs."
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The organisation that said it, if an organisation did.",
    )
    speaker = models.CharField(
        max_length=200,
        blank=True,
        help_text="A person or an unnamed source, when no organisation said it.",
    )
    attribution = models.CharField(
        max_length=300,
        blank=True,
        help_text="As written in the article, e.g. “the US-led coalition said”.",
    )
    paragraph = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)],
        help_text="The body paragraph the quote starts at, counting from 1.",
    )
    paragraph_count = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="How many paragraphs the statement runs over.",
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        # article_id, not article: ordering by the relation would join in the articles
        # table (to sort by its own ordering) on every prefetch of quotes.
        ordering = ["article_id", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "paragraph"], name="one_quote_per_paragraph"
            ),
            models.CheckConstraint(
                condition=Q(paragraph__gte=1) & Q(paragraph_count__gte=1),
                name="quote_paragraph_from_one",
            ),
            models.CheckConstraint(
                condition=~Q(organisation__isnull=True, speaker=""),
                name="quote_has_speaker",
                violation_error_message="Say who said it: an organisation or a speaker.",
            ),
        ]

    def __str__(self):
        words = " ".join(self.text.split())
        return f"{self.speaker_name}: “{words[:60]}{'…' if len(words) > 60 else ''}”"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"quote-{self.paragraph}"

    @property
    def speaker_name(self):
        return self.organisation.name if self.organisation_id else self.speaker

    def fits_in(self, paragraph_total):
        return self.paragraph + self.paragraph_count - 1 <= paragraph_total

    def matches_body(self, paragraphs=None):
        """Whether the body still holds these words where the quote points."""
        paragraphs = self.article.paragraphs if paragraphs is None else paragraphs
        if not self.fits_in(len(paragraphs)):
            return False
        span = " ".join(paragraphs[self.paragraph - 1 : self.paragraph - 1 + self.paragraph_count])
        span = _normalise_quote(plain_text(span))
        # The parts of a split quote (“…,” she said. “…”) are joined by " … ": each must
        # be there, in order.
        position = 0
        for part in self.text.split(SPLIT_QUOTE_JOINER):
            found = span.find(_normalise_quote(part), position)
            if found < 0:
                return False
            position = found + len(_normalise_quote(part))
        return True

    def render_paragraphs(self, paragraphs):
        """The quoted paragraphs as safe HTML with the attribution wrapped in <cite>,
        and whether the attribution was found in them."""
        rendered = [str(sanitise_inline(p)) for p in paragraphs]
        # Escaped as the sanitiser escapes text (quote marks stay as they are), so that
        # "the army's spokesman said" is found.
        attribution = html.escape(self.attribution, quote=False)
        cited_inline = False
        for index in range(len(rendered) - 1, -1, -1):
            if attribution and (
                cited := _replace_last_in_text(
                    rendered[index], attribution, self.cite_html(attribution)
                )
            ):
                rendered[index] = cited
                cited_inline = True
                break
        return [mark_safe(p) for p in rendered], cited_inline

    @property
    def speaker_cite_html(self):
        return mark_safe(self.cite_html(escape(self.speaker_name)))

    def cite_html(self, label):
        if self.organisation_id:
            url = self.organisation.get_absolute_url()
            return f'<cite><a href="{escape(url)}">{label}</a></cite>'
        return f"<cite>{label}</cite>"


def _srcset(renditions, key):
    sizes = renditions.get("sizes", [])
    if key == "smallest" and all(size["smallest"] == size["name"] for size in sizes):
        return ""  # no WebP copy came out smaller: nothing to offer beside the fallback
    return ", ".join(f"{default_storage.url(size[key])} {size['width']}w" for size in sizes)


# A tag as the sanitiser writes it: every attribute value is double-quoted with any
# '"' inside escaped, so a ">" inside a value does not end the tag.
_SANITISED_TAG = re.compile(r'(<[^<>"]*(?:"[^"]*"[^<>"]*)*>)')


def _replace_last_in_text(sanitised, old, new):
    """`sanitised` HTML with the last `old` in its text replaced by `new`; None when
    only a tag holds it. A match inside a tag (a link's title or address) would put the
    <cite> markup, quote marks and all, into an attribute and break it open."""
    pieces = _SANITISED_TAG.split(sanitised)  # text, tag, text, …, text
    for index in range(len(pieces) - 1, -1, -2):
        before, found, after = pieces[index].rpartition(old)
        if found:
            pieces[index] = f"{before}{new}{after}"
            return "".join(pieces)
    return None


_QUOTE_MARKS = str.maketrans({c: None for c in '"“”„«»'})


def _normalise_quote(text):
    return " ".join(text.translate(_QUOTE_MARKS).split()).casefold()


# The editorial workflow's own models live in their own module to keep this one readable;
# importing them here is what registers them with the app.
from .editorial_models import (  # noqa: E402, F401
    Correction,
    OrganisationTagRedirect,
    ShareLink,
    TopicTagRedirect,
)
