"""Articles: what readers read, and the one rule of what they may see."""

import html

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Greatest, Length, TruncMonth
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from ..cache_keys import ARTICLE_LISTS, articles_key_for, object_key, statements_key_for
from ..images import CleanImageField, validate_image_upload
from ..links import url_for
from ..rendering.body import body_blocks, srcset
from ..rendering.html import clean_body, plain_text, sanitise_inline, split_blocks
from ..rendering.marks import read_marks
from ..slugs import slug_of
from .appeals import DonationAppeal
from .base import EditLocked
from .organisations import Organisation
from .tags import TaggedArticle, TopicTag

# Characters of a page's meta and link-preview description.
DESCRIPTION_LENGTH = 200
# About 16,000 words, several times the longest feature. PostgreSQL's search index sets
# the real bound: a tsvector holds at most 1 MB of lexemes, and the costliest text takes
# 7.5 bytes of them a character (pairs of distinct four-byte letters joined by a hyphen:
# each letter is a lexeme, and so is the pair), so the indexed headline, standfirst and
# body together must stay under 139,810 characters (the column search_document,
# migration 0021).
MAX_BODY_LENGTH = 100_000
BODY_TOO_LONG = f"A body can hold at most {MAX_BODY_LENGTH:,} characters"
ALT_TEXT_MISSING = "Describe the lead image (alt text) before the article is published."


def validate_body_length(body):
    # The bound is on the body as stored, which clean_body() can make longer than typed
    # (loose text gains <p> tags); checking the typed text let a body through the form
    # that the database's article_body_max_length then refused.
    stored_length = len(clean_body(body))
    if stored_length > MAX_BODY_LENGTH:
        raise ValidationError(
            f"{BODY_TOO_LONG} as stored, markup included; this one has %(length)s.",
            code="max_length",
            params={"length": f"{stored_length:,}"},
        )


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


# When anything the API shows of an article may last have changed: the later of its last
# save and its publication, so an article scheduled before a partner's last sync counts
# from when it went live. `updated_since` filters and orders on it, walking the index of
# the same expression (Meta.indexes); a published article always has both times.
MODIFIED_AT = Greatest("updated_at", "published_at")
# What a search result shows of an article (templates/articles/search.html).
SEARCH_RESULT_FIELDS = (
    "headline",
    "slug",
    "standfirst",
    "body",
    "published_at",
    "show_publication_date",
    "status",
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
        """Newest first, each with its topic tags read as the list `listed_tags`. A list,
        not the cache of the `tags` manager: filling that, taggit builds a filtered
        queryset for each article, which took longer than the query reading the tags."""
        return self.prefetch_related(Prefetch("tags", to_attr="listed_tags")).order_by(
            "-published_at", "-pk"
        )

    def for_search_results(self):
        """As for_listing(), with only the columns a search result shows (it reads the
        body for its excerpt), and the names and addresses of the organisations each
        article mentions as the list `listed_organisations` (search shows those its
        query named)."""
        organisations = Organisation.objects.only("name", "slug", "aliases")
        return (
            self.for_listing()
            .only(*SEARCH_RESULT_FIELDS)
            .prefetch_related(
                Prefetch("organisations", organisations, to_attr="listed_organisations")
            )
        )

    def with_modified_at(self):
        return self.annotate(modified_at=MODIFIED_AT)

    def modified_since(self, moment):
        """Changed or published at `moment` or later (see MODIFIED_AT)."""
        return self.with_modified_at().filter(modified_at__gte=moment)

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
        help_text="Paragraphs, headings, lists, block quotes, links, emphasis and quote "
        "marks; anything else is removed when the article is saved. At most "
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
            # The pk breaks ties in the order `updated_since` walks (API cursors).
            models.Index(MODIFIED_AT, F("id"), name="article_modified_idx"),
        ]
        permissions = [("publish_article", "Can publish and unpublish articles")]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if "body" not in self.get_deferred_fields():
            # Sanitised once, here, for every way in (admin, importer, shell); readers'
            # requests render it as stored. Cleaning clean HTML changes nothing.
            self.body = clean_body(self.body)
        if not self.slug:
            self.slug = slug_of(
                self.headline,
                max_length=self._meta.get_field("slug").max_length,
                fallback="article",
            )
        if self._is_edit_readers_can_see():
            self.content_updated_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "content_updated_at"}
        if self.needs_renditions:
            # A task cuts the renditions after the save (signals.py enqueues it); until
            # then pages show the image alone, never another image's copies. The task
            # may have recorded them since this instance was loaded: keep those.
            self.lead_image_renditions = self._recorded_renditions()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "lead_image_renditions"}
        super().save(*args, **kwargs)
        self._remember_loaded_state()

    def get_absolute_url(self):
        return url_for("articles:article-detail", slug=self.slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._remember_loaded_state()
        return article

    def clean(self):
        problems = {}
        if self.status == self.Status.PUBLISHED:
            problems |= self.publish_problems()
        if body_problems := self.quote_mark_problems():
            problems["body"] = body_problems
        if problems:
            raise ValidationError(problems)

    def quote_mark_problems(self):
        """What is wrong with the body's quote marks (a mark with no speaker, a person
        or organisation that does not exist), one sentence each; empty when none."""
        self.body = clean_body(self.body)
        marks = read_marks(self.body)
        problems = list(marks.problems)
        Quote = self._meta.get_field("quotes").related_model
        for name, ids in [("person", marks.person_ids), ("organisation", marks.organisation_ids)]:
            speakers = Quote._meta.get_field(name).related_model.objects
            if missing := ids - set(speakers.filter(pk__in=ids).values_list("pk", flat=True)):
                problems.append(
                    f"A quote names {name} no. {', '.join(map(str, sorted(missing)))}, "
                    f"which does not exist: choose its speaker again."
                )
        return problems

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

    def _recorded_renditions(self):
        if self.pk is None:
            return {}
        recorded = (
            Article.objects.filter(pk=self.pk)
            .values_list("lead_image_renditions", flat=True)
            .first()
        ) or {}
        return recorded if recorded.get("source") == self.lead_image.name else {}

    @property
    def needs_renditions(self):
        """Whether the lead image has no renditions of its own yet."""
        return bool(self.lead_image) and (
            self.lead_image.name != self.lead_image_renditions.get("source")
        )

    @property
    def lead_image_srcset(self):
        return srcset(self.lead_image_renditions, "name")

    @property
    def lead_image_webp_srcset(self):
        return srcset(self.lead_image_renditions, "smallest")

    @property
    def paragraphs(self):
        """The body's top-level blocks as HTML: the paragraphs quotes count."""
        return split_blocks(self.body)

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
        parts = [self.headline, self.standfirst, self.lead_image_caption, *self.paragraphs]
        return html.unescape(plain_text("\n\n".join(part for part in parts if part)))

    @property
    def caption_html(self):
        return sanitise_inline(self.lead_image_caption)

    def body_blocks(self, quotes=None):
        """The body as the page shows it: quoted statements become block quotes.

        `quotes` are the article's quotes when the caller has them already.
        """
        return body_blocks(self.body, self.quotes.all() if quotes is None else quotes)

    def cache_keys(self):
        keys = {object_key(self), *ARTICLE_LISTS}
        if self.pk is not None:
            tag_ids = TaggedArticle.objects.filter(content_object=self).values_list(
                "tag_id", flat=True
            )
            organisation_ids = Article.organisations.through.objects.filter(
                article=self
            ).values_list("organisation_id", flat=True)
            keys |= {articles_key_for(TopicTag, pk) for pk in tag_ids}
            keys |= {articles_key_for(Organisation, pk) for pk in organisation_ids}
            # Its quotes join or leave their organisations' statements as it is
            # published, withdrawn or moved in time.
            speakers = self.quotes.values_list("organisation_id", "person__organisation_id")
            keys |= {statements_key_for(pk) for pair in speakers for pk in pair if pk}
        return keys
