"""The chores left to signals, so every way of changing a row (admin, importer, shell,
services, fixture loads, reverts) does them: the topic lists' copy of each article's
publication time, and cache purges (after the commit) of the keys each row declares."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import caching
from .cache_keys import SEARCH, articles_key_for, object_key
from .models import Article, Organisation, TaggedArticle

# --- The topic lists' copy of the publication time (TaggedArticle.published_at) ----------


@receiver(post_save, sender=Article)
def _copy_listing_time(sender, instance, **kwargs):
    TaggedArticle.objects.filter(content_object_id=instance.pk).update(
        published_at=instance.listing_time
    )


@receiver(pre_save, sender=TaggedArticle)
def _fill_listing_time(sender, instance, **kwargs):
    # taggit's tags.add() hands over the article itself: no query per tag. A fixture
    # may load the tagging before its article: the article's own save then fills it in.
    if TaggedArticle.content_object.is_cached(instance):
        article = instance.content_object
    else:
        article = (
            Article.objects.filter(pk=instance.content_object_id)
            .only("status", "published_at")
            .first()
        )
    instance.published_at = article.listing_time if article else None


# --- Cache purges ------------------------------------------------------------------------


def _purge_cache_keys(sender, instance, **kwargs):
    caching.purge(instance.cache_keys())


# Every model that declares the keys its rows' changes invalidate (`cache_keys()`).
for model in apps.get_app_config("articles").get_models():
    if hasattr(model, "cache_keys"):
        post_save.connect(_purge_cache_keys, sender=model)
        post_delete.connect(_purge_cache_keys, sender=model)


@receiver(m2m_changed, sender=Article.organisations.through)
def _article_mentions_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        keys = {object_key(instance), SEARCH}
        keys |= {articles_key_for(Organisation, pk) for pk in pk_set or ()}
        caching.purge(keys)
