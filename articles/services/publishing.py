"""Putting an article out and taking it down."""

from django.db import transaction
from django.utils import timezone

from ..models import Article


class PublishError(Exception):
    """The article cannot go out as it is; `problems` says why, by field."""

    def __init__(self, article, problems):
        self.article, self.problems = article, problems
        super().__init__(f"“{article}”: " + " ".join(problems.values()))


@transaction.atomic
def article_publish(*, article, published_at=None):
    """Put an article out now, or at `published_at` (a future time schedules it).

    An article that already carries a date keeps it, so re-publishing a page taken down
    by mistake does not move it to the top of every list.
    """
    if problems := article.publish_problems():
        raise PublishError(article, problems)
    article.status = Article.Status.PUBLISHED
    article.published_at = published_at or article.published_at or timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


@transaction.atomic
def article_unpublish(*, article):
    """Take an article down at once: back to draft, so every reader page stops
    showing it on the next request (published() decides, there is nothing to expire)."""
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article
