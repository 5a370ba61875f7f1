"""Cutting a lead image's renditions after the save that stored it: resizing a large
photo into eight files takes seconds the editor's save should not wait for."""

from django.db import transaction
from django_tasks import task

from .. import caching
from ..images import delete_renditions, renditions_for
from ..models import Article


@task()
def cut_renditions(article_pk, image_name):
    """Cut the renditions of `image_name`, the lead image of article `article_pk`.
    Idempotent: nothing to do once they exist, or once the article has another image
    (that image's own task cuts it) or is gone. A failure (a full disk, an encoder's
    limit) leaves no file behind and is retried (tasks/retries.py)."""
    store_renditions(article_pk, image_name)


def store_renditions(article_pk, image_name):
    """Cut and record the renditions of an article's lead image and purge its pages;
    True when this call recorded them. Raises OSError or RenditionError."""
    article = _unrendered(Article.objects, article_pk, image_name)
    if article is None:
        return False
    # Outside any transaction: cutting takes seconds, and holds no lock meanwhile.
    renditions = renditions_for(article.lead_image)
    if not renditions:
        return False  # the file is missing (logged); the next save of the article tries again
    with transaction.atomic():
        # Only if still wanted: the editor may have replaced the image meanwhile, or
        # another run of this task recorded its own copies.
        recorded = _unrendered(Article.objects.select_for_update(), article_pk, image_name)
        if recorded:
            # update(), not save(): bookkeeping, not an edit (no "Updated" line).
            Article.objects.filter(pk=article_pk).update(lead_image_renditions=renditions)
            caching.purge(Article.objects.get(pk=article_pk).cache_keys())
    if not recorded:
        delete_renditions(article.lead_image.storage, renditions)
    return bool(recorded)


def _unrendered(articles, article_pk, image_name):
    """The article, if its lead image is still `image_name` and has no renditions."""
    article = (
        articles.filter(pk=article_pk, lead_image=image_name)
        .only("lead_image", "lead_image_renditions")
        .first()
    )
    return article if article and article.needs_renditions else None
