"""Quotes and people: who is quoted, and the index of the quote marks in article bodies,
which keep the words."""

import reversion
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower

from ..cache_keys import PEOPLE, QUOTES, SEARCH, SITEMAP, object_key, statements_key_for
from ..links import url_for
from ..rendering.body import speaker_cite
from ..slugs import slug_of
from .articles import Article, published_condition
from .base import EditLocked, related_key
from .organisations import Organisation


class PersonQuerySet(models.QuerySet):
    def named(self, name):
        """The people known by `name` (their name or one of their other names), any case."""
        name = " ".join(name.split())
        if not name:
            return self.none()
        # Other names are one per line: the LIKE narrows, the line test decides.
        candidates = self.filter(Q(name__iexact=name) | Q(other_names__icontains=name))
        wanted = name.casefold()
        return self.filter(
            pk__in=[
                person.pk
                for person in candidates.only("name", "other_names")
                if wanted in {n.casefold() for n in person.names}
            ]
        )

    def public(self):
        """The people readers may see: those quoted in a published article. A person the
        importer made from a draft stays unknown outside the admin until it is published."""
        return self.filter(Exists(Quote.objects.published().filter(person=OuterRef("pk"))))

    def quoted(self):
        """People quoted in published articles, with `quote_count`, most quoted first."""
        return (
            self.filter(quotes__in=Quote.objects.published())
            .annotate(quote_count=Count("quotes"))
            .order_by("-quote_count", Lower("name"))
        )


@reversion.register()
class Person(EditLocked):
    """Someone articles quote: a minister, a spokeswoman, a witness."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    other_names = models.TextField(
        blank=True,
        help_text="Other names they go by, one per line (e.g. “Joe Biden” for Joseph R. Biden).",
    )
    role = models.CharField(
        "role or title",
        max_length=300,
        blank=True,
        help_text="As a reader should know them, e.g. “spokeswoman for the ministry”.",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text="The organisation they speak for, if any.",
    )
    description = models.TextField(blank=True, help_text="One or two plain sentences.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "people"
        ordering = [Lower("name"), "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="person_has_name"),
        ]
        indexes = [models.Index(Lower("name"), name="person_name_idx")]
        permissions = [("merge_person", "Can merge two people")]

    def __str__(self):
        return f"{self.name}, {self.role}" if self.role else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slug_of(self.name, max_length=200, fallback="person")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_for("articles:person-detail", slug=self.slug)

    @property
    def other_name_list(self):
        return [line.strip() for line in self.other_names.splitlines() if line.strip()]

    @property
    def names(self):
        """Every name they are known by, their own first."""
        return [self.name, *self.other_name_list]

    def cache_keys(self):
        # Their name shows wherever they are quoted, and on their organisation's page.
        keys = {object_key(self), PEOPLE, QUOTES, SEARCH, SITEMAP}
        if self.organisation_id:
            keys.add(related_key(self, "organisation"))
        # Their statements count for their organisation, and before this save for the
        # one they were with (signals.py notes it).
        organisations = {self.organisation_id, *getattr(self, "_organisations_before", ())}
        keys |= {statements_key_for(pk) for pk in organisations if pk}
        return keys


class QuoteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_condition("article__"))

    def said_for(self, organisation):
        """What `organisation` said, and what its people said for it."""
        # The people are asked first: "the quote's organisation or its person's is X"
        # across the join can use no index, and read every quote (0.3 s at a million
        # articles, twice a page); two lists of ids are two index lookups.
        people = list(organisation.people.values_list("pk", flat=True))
        return self.filter(Q(organisation=organisation) | Q(person__in=people))

    def with_speakers(self):
        """Each quote with its person or organisation, as a name and a link, in one query."""
        return self.select_related("person", "organisation").defer(
            *(f"{relation}__{name}" for relation, name in _SPEAKER_DETAIL)
        )

    def for_listing(self):
        """Newest article first, then in the order the article quotes them."""
        return (
            self.with_speakers()
            .select_related("article")
            .defer("article__body")
            .order_by("-article__published_at", "-article_id", "position")
        )


# The columns of a speaker a page does not show beside a quote.
_SPEAKER_DETAIL = [
    ("person", "description"),
    ("person", "other_names"),
    ("organisation", "description"),
    ("organisation", "aliases"),
    ("organisation", "logo"),
]


@reversion.register()
class Quote(models.Model):
    """A quote in an article: an index of the quote marks in its body, rebuilt from them
    on every save (services.article_index_quotes); the body keeps the words."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    key = models.CharField(
        max_length=16, help_text="The quote's mark in the body (<q data-quote=…>)."
    )
    text = models.TextField(
        blank=True,
        help_text="The quoted words as the body holds them; “ … ” joins the parts of a "
        "split quote, a blank line its paragraphs.",
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The person who said it, if a person did.",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The organisation that said it, if an organisation did.",
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="An unnamed source, e.g. “a security official”, when no person or "
        "organisation is named.",
    )
    attribution = models.CharField(
        max_length=300,
        blank=True,
        help_text="As written in the article, e.g. “the US-led coalition said”.",
    )
    paragraph = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)],
        help_text="The body paragraph the quote starts in, counting from 1.",
    )
    paragraph_count = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="How many paragraphs it runs over.",
    )
    is_statement = models.BooleanField(
        default=False,
        help_text="Whole paragraphs of its own: shown as a block quote.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Its place among the article's quotes, from 0."
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        # article_id, not article: ordering by the relation would join in the articles
        # table (to sort by its own ordering) on every prefetch of quotes.
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="one_quote_per_mark"),
            models.CheckConstraint(
                condition=Q(paragraph__gte=1) & Q(paragraph_count__gte=1),
                name="quote_paragraph_from_one",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, organisation__isnull=True, source="")
                | Q(person__isnull=True, organisation__isnull=False, source="")
                | (Q(person__isnull=True, organisation__isnull=True) & ~Q(source="")),
                name="quote_has_one_speaker",
                violation_error_message="Say who said it: one person, organisation or source.",
            ),
        ]

    def __str__(self):
        words = " ".join(self.text.split())
        return f"{self.speaker_name}: “{words[:60]}{'…' if len(words) > 60 else ''}”"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"quote-{self.key}"

    @property
    def speaker(self):
        """The Person or Organisation who said it; None for a free-text source."""
        if self.person_id:
            return self.person
        if self.organisation_id:
            return self.organisation
        return None

    @property
    def speaker_name(self):
        speaker = self.speaker
        return speaker.name if speaker is not None else self.source

    @property
    def speaker_url(self):
        speaker = self.speaker
        return speaker.get_absolute_url() if speaker is not None else ""

    @property
    def speaker_cite_html(self):
        return speaker_cite(self)

    def fits_in(self, paragraph_total):
        return self.paragraph + self.paragraph_count - 1 <= paragraph_total

    def cache_keys(self):
        keys = {related_key(self, "article"), QUOTES}
        if self.organisation_id:
            keys.add(related_key(self, "organisation"))
        if self.person_id:
            keys.add(related_key(self, "person"))
        # The statements of the organisations it counts for now, and before this save
        # (signals.py notes them).
        organisations = {
            *self.statement_organisation_ids(),
            *getattr(self, "_organisations_before", ()),
        }
        keys |= {statements_key_for(pk) for pk in organisations if pk}
        return keys

    def statement_organisation_ids(self):
        """The organisations whose page lists this quote among their statements: its
        organisation, and its person's (as `organisation_detail` finds them)."""
        person_organisation = self.person.organisation_id if self.person_id else None
        return {self.organisation_id, person_organisation} - {None}
