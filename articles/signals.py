"""The chores left to signals, so every way of changing a row (admin, importer, shell,
services, fixture loads, reverts) does them: the topic lists' copy of each article's
publication time, the task that cuts a new lead image's renditions, cache purges of the
keys each row declares (tasks written in the row's transaction; a scheduled article's
pages purged again when it goes live), relinking every article when an organisation's
names change, and remembering an article readers could read and no longer can (the
API's withdrawn list)."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import caching
from .cache_keys import SEARCH, articles_key_for, object_key
from .models import Article, Organisation, Person, Quote, TaggedArticle, WithdrawnArticle
from .models.organisations import MENTIONED_BY
from .tasks.relinking import relink_mentions
from .tasks.renditions import cut_renditions

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


# --- Lead image renditions --------------------------------------------------------------


@receiver(post_save, sender=Article)
def _cut_renditions(sender, instance, raw=False, **kwargs):
    # Written in the save's transaction: the task sees the stored file, and a save
    # rolled back leaves no task. A fixture's articles bring their renditions along.
    if not raw and instance.needs_renditions:
        cut_renditions.enqueue(instance.pk, instance.lead_image.name)


# --- Withdrawn articles (WithdrawnArticle) ------------------------------------------------
# Signals, not Article.save()/delete(): an admin's bulk delete, a fixture load and a
# restored revision reach the row without either, and each can take an article down.


def _slug_readers_see(pk):
    # As stored, not as loaded: the instance may be a fixture's, a revision's or stale.
    return Article.objects.published().filter(pk=pk).values_list("slug", flat=True).first()


@receiver(pre_save, sender=Article)
def _note_slug_readers_see(sender, instance, **kwargs):
    adding = instance._state.adding or instance.pk is None
    instance._slug_readers_saw = None if adding else _slug_readers_see(instance.pk)


@receiver(post_save, sender=Article)
def _record_withdrawal(sender, instance, **kwargs):
    seen_at = getattr(instance, "_slug_readers_saw", None)
    if instance.is_published:
        WithdrawnArticle.objects.forget(instance.slug)
        if seen_at is not None and seen_at != instance.slug:
            WithdrawnArticle.objects.record(seen_at)  # moved: the old slug is gone
    elif seen_at is not None:
        WithdrawnArticle.objects.record(seen_at)


@receiver(pre_delete, sender=Article)
def _record_deletion(sender, instance, **kwargs):
    if (slug := _slug_readers_see(instance.pk)) is not None:
        WithdrawnArticle.objects.record(slug)


# --- Cache purges ------------------------------------------------------------------------


def _purge_cache_keys(sender, instance, **kwargs):
    keys = instance.cache_keys()
    caching.purge(keys, soft=getattr(sender, "purged_softly", False))
    if getattr(instance, "is_scheduled", False):
        # The HTTP caches keep the lists for s-maxage; when the article goes live they
        # must show it, whether or not anyone saves anything then.
        caching.purge(keys, at=instance.published_at)


@receiver(pre_save, sender=Quote)
def _note_quote_organisations(sender, instance, raw=False, **kwargs):
    # The organisation pages that listed the quote before this save must drop it too.
    stored = Quote.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._organisations_before = stored.statement_organisation_ids() if stored else set()


@receiver(pre_save, sender=Person)
def _note_person_organisation(sender, instance, raw=False, **kwargs):
    # The organisation they leave lists their statements no more.
    stored = Person.objects.filter(pk=instance.pk).values_list("organisation_id", flat=True)
    instance._organisations_before = set(stored) - {None} if instance.pk else set()


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


# --- Relinking mentions ------------------------------------------------------------------


@receiver(pre_save, sender=Organisation)
def _note_new_names(sender, instance, raw=False, **kwargs):
    if raw:
        return  # a fixture load: the articles it loads hold their links already
    if instance._state.adding:
        instance._names_changed = True  # older articles may name it already
        return
    before = Organisation.objects.filter(pk=instance.pk).values_list(*MENTIONED_BY).first()
    instance._names_changed = before != tuple(getattr(instance, name) for name in MENTIONED_BY)


@receiver(post_save, sender=Organisation)
def _relink_after_new_names(sender, instance, raw=False, **kwargs):
    # Also done by OrganisationQuerySet.update(), which sends no signal.
    if getattr(instance, "_names_changed", False):
        relink_mentions.enqueue()
