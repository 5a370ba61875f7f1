"""Organisations: who articles mention and quote."""

import reversion
from django.db import models
from django.db.models import Count
from django.db.models.functions import Left, Lower, Upper
from django.utils import timezone
from taggit.managers import TaggableManager

from ..cache_keys import FEEDS, ORGANISATIONS, QUOTES, SEARCH, SITEMAP, object_key
from ..images import CleanImageField, validate_image_upload
from ..links import url_for
from ..slugs import slug_of
from .base import RECENT_ARTICLES, EditLocked, related_model
from .tags import TaggedOrganisation

# The fields the mention matcher reads: a change to either relinks every article.
MENTIONED_BY = ("name", "aliases")


class OrganisationQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """As QuerySet.update(); a change of names also marks the rows edited (the
        mention matcher rebuilds when the newest `updated_at` moves) and relinks every
        article, as a save does (articles/signals.py)."""
        if not kwargs.keys() & set(MENTIONED_BY):
            return super().update(**kwargs)
        from ..tasks.relinking import relink_mentions  # the tasks import the models

        kwargs.setdefault("updated_at", timezone.now())
        rows = super().update(**kwargs)
        if rows:
            relink_mentions.enqueue()
        return rows

    def directory(self):
        """A–Z order, each organisation annotated with the `initial` it is filed under."""
        # Case-insensitive, so "ISIS" and "Iraqi Security Forces" sort alike on every
        # database (SQLite compares bytes, PostgreSQL by its collation).
        return self.annotate(initial=Upper(Left("name", 1))).order_by(Lower("name"), "name")

    def initials(self):
        """The letters a `directory()` has entries under, in order."""
        return self.order_by("initial").values_list("initial", flat=True).distinct()

    def quoted(self):
        """Organisations quoted in published articles, with `quote_count`, most first."""
        Quote = related_model(self.model, "quotes")
        return (
            self.filter(quotes__in=Quote.objects.published())
            .annotate(quote_count=Count("quotes"))
            .order_by("-quote_count", "name")
        )

    def quoted_recently(self):
        """The organisations quoted in the newest articles, most quoted first."""
        Article = related_model(self.model, "articles")
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
            self.slug = slug_of(self.name, max_length=200, fallback="organisation")
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

    def cache_keys(self):
        # Its name shows wherever it is quoted, in the directory, search and the feeds.
        return {object_key(self), ORGANISATIONS, SEARCH, QUOTES, FEEDS, SITEMAP}
