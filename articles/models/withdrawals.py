"""Articles taken from readers, remembered so partners syncing with the API learn of it."""

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..cache_keys import WITHDRAWN
from .articles import Article


class WithdrawnArticleQuerySet(models.QuerySet):
    def announced(self):
        """Withdrawals partners are told of: not of a slug readers can read again (an
        article rescheduled when it was taken down is back once its time comes, with no
        save to remove its withdrawal)."""
        return self.exclude(Exists(Article.objects.published().filter(slug=OuterRef("slug"))))

    def record(self, slug):
        """Readers could read the article at `slug` and no longer can."""
        self.update_or_create(slug=slug, defaults={"withdrawn_at": timezone.now()})

    def forget(self, slug):
        """Readers can read the article at `slug` again."""
        # Row by row, so each deletion purges the list like any other change.
        for withdrawal in self.filter(slug=slug):
            withdrawal.delete()


class WithdrawnArticle(models.Model):
    """An article readers could read and no longer can: unpublished, rescheduled for
    later, deleted, or moved to another slug. Only the slug and the time are kept: a
    partner deletes its copy, and nothing of a draft is told."""

    slug = models.SlugField(max_length=200, allow_unicode=True)
    withdrawn_at = models.DateTimeField(default=timezone.now)

    objects = WithdrawnArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="withdrawn_article_unique_slug"),
        ]
        # The API walks them oldest first from a time, the pk breaking ties.
        indexes = [models.Index(fields=["withdrawn_at", "id"], name="withdrawn_article_order_idx")]

    def __str__(self):
        return f"{self.slug} (withdrawn {self.withdrawn_at:%Y-%m-%d %H:%M})"

    def cache_keys(self):
        return {WITHDRAWN}
