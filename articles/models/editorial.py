"""The editorial workflow: corrections, share links, merged-tag redirects."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from ..cache_keys import CORRECTIONS
from .articles import Article
from .base import related_key


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        """Corrections readers can see: those on articles they can see."""
        return self.filter(article__in=Article.objects.published())


class Correction(models.Model):
    """A dated note on a published article: what it said wrongly, and what is right."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="corrections"
    )
    published_at = models.DateTimeField(
        default=timezone.now, help_text="When readers were told; shown with the note."
    )
    what_was_wrong = models.TextField(
        help_text="As readers will read it: “An earlier version of this article said "
        "12 rockets hit the base.”"
    )
    what_is_right = models.TextField(help_text="The fact as it is: “21 rockets hit it.”")

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        # Readers see the notes in the order they were made (Article.corrections.all()).
        ordering = ["published_at", "pk"]

    def __str__(self):
        return f"Correction of {self.published_at:%d %B %Y} to “{self.article}”"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"

    @property
    def text(self):
        """The note in one piece, as the page shows it (and structured data can carry it)."""
        return f"{self.what_was_wrong.strip()} {self.what_is_right.strip()}"

    def clean(self):
        if self.article_id and self.article.status != self.article.Status.PUBLISHED:
            raise ValidationError(
                "Corrections are for published articles; fix a draft in its text instead."
            )

    def cache_keys(self):
        return {related_key(self, "article"), CORRECTIONS}


def _new_share_token():
    # 32 random bytes: unguessable, and short enough to read out over the phone.
    return secrets.token_urlsafe(32)


def _share_link_expiry():
    days = min(settings.SHARE_LINK_DAYS, settings.SHARE_LINK_MAX_DAYS)
    return timezone.now() + timedelta(days=days)


class ShareLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_revoked=False, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A secret address at which someone without an account can read an unpublished
    article (a lawyer, a source checking a quote) until it expires or is revoked."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="share_links"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_share_token, editable=False)
    note = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. “our lawyer”."
    )
    expires_at = models.DateTimeField(
        default=_share_link_expiry, help_text="The link stops working at this moment."
    )
    is_revoked = models.BooleanField(
        "revoked", default=False, help_text="Tick to stop the link working now."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="share_links",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Share link for “{self.article}”"

    def save(self, *args, **kwargs):
        # The rules hold for every save, not only the admin form's: the link is read by
        # people outside the newsroom. The row is locked so that a revocation committed
        # meanwhile is seen, not overwritten by a form opened before it.
        with transaction.atomic():
            self._validate_rules(lock=True)
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:share-link", kwargs={"token": self.token})

    def clean(self):
        self._validate_rules(lock=False)

    @property
    def is_active(self):
        return not self.is_revoked and self.expires_at > timezone.now()

    @property
    def latest_expiry(self):
        """The latest moment this link may work until (SHARE_LINK_MAX_DAYS)."""
        return (self.created_at or timezone.now()) + timedelta(days=settings.SHARE_LINK_MAX_DAYS)

    def _validate_rules(self, *, lock):
        errors = {}
        if not self.is_revoked and self._was_revoked(lock=lock):
            errors["is_revoked"] = "A revoked link stays revoked: make a new link instead."
        if self.expires_at is not None and self.expires_at > self.latest_expiry:
            errors["expires_at"] = (
                f"A share link works for at most {settings.SHARE_LINK_MAX_DAYS} days: pick a "
                f"moment before {timezone.localtime(self.latest_expiry):%d %B %Y, %H:%M}."
            )
        if errors:
            raise ValidationError(errors)

    def _was_revoked(self, *, lock):
        if self.pk is None:
            return False
        stored = type(self)._default_manager.filter(pk=self.pk)
        if lock:
            stored = stored.select_for_update()
        return stored.values_list("is_revoked", flat=True).first() is True


class TagRedirect(models.Model):
    """Where the page of a tag that was merged away now lives (answered with a 301)."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"


class TopicTagRedirect(TagRedirect):
    tag = models.ForeignKey(
        "articles.TopicTag", on_delete=models.CASCADE, related_name="redirects"
    )


class OrganisationTagRedirect(TagRedirect):
    tag = models.ForeignKey(
        "articles.OrganisationTag", on_delete=models.CASCADE, related_name="redirects"
    )
