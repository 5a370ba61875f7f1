"""The chores left to signals, so every way of changing a row (admin, importer, shell,
services, fixture loads, reverts) does them: cache purges, after the commit, and the
topic lists' copy of each article's publication time."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import caching
from .caching import object_key
from .models import (
    Article,
    Correction,
    Donation,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    Quote,
    TaggedArticle,
    TaggedOrganisation,
    TopicTag,
)

# Pages that list articles: any change to an article may add it to, or drop it from, them.
ARTICLE_LISTS = {"front", "archives", "feeds", "sitemap", "search", "quotes", "topics"}


def article_keys(article):
    keys = {object_key(article), *ARTICLE_LISTS}
    if article.pk is not None:
        tag_ids = TaggedArticle.objects.filter(content_object=article).values_list(
            "tag_id", flat=True
        )
        org_ids = Article.organisations.through.objects.filter(article=article).values_list(
            "organisation_id", flat=True
        )
        keys |= {f"topictag-{pk}-articles" for pk in tag_ids}
        keys |= {f"organisation-{pk}-articles" for pk in org_ids}
    return keys


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


@receiver([post_save, post_delete], sender=Article)
def _article_changed(sender, instance, **kwargs):
    caching.purge(article_keys(instance))


@receiver(m2m_changed, sender=Article.organisations.through)
def _article_mentions_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        keys = {object_key(instance), "search"}
        keys |= {f"organisation-{pk}-articles" for pk in pk_set or ()}
        caching.purge(keys)


@receiver([post_save, post_delete], sender=TaggedArticle)
def _article_tagged(sender, instance, **kwargs):
    caching.purge(
        {f"article-{instance.content_object_id}", f"topictag-{instance.tag_id}-articles"}
    )


@receiver([post_save, post_delete], sender=Quote)
def _quote_changed(sender, instance, **kwargs):
    keys = {f"article-{instance.article_id}", "quotes"}
    if instance.organisation_id:
        keys.add(f"organisation-{instance.organisation_id}")
    caching.purge(keys)


@receiver([post_save, post_delete], sender=Organisation)
def _organisation_changed(sender, instance, **kwargs):
    caching.purge({object_key(instance), "organisations", "search", "quotes", "feeds", "sitemap"})


@receiver([post_save, post_delete], sender=TaggedOrganisation)
def _organisation_tagged(sender, instance, **kwargs):
    caching.purge(
        {
            f"organisation-{instance.content_object_id}",
            f"organisationtag-{instance.tag_id}",
            "organisations",
        }
    )


@receiver([post_save, post_delete], sender=TopicTag)
@receiver([post_save, post_delete], sender=OrganisationTag)
def _tag_changed(sender, instance, **kwargs):
    caching.purge({object_key(instance), "topics", "organisations", "feeds", "sitemap"})


@receiver([post_save, post_delete], sender=DonationAppeal)
def _appeal_changed(sender, instance, **kwargs):
    # Pages without an appeal of their own show the active one: switching which appeal
    # is active changes them too.
    caching.purge({object_key(instance), "active-appeal", "appeals"})


@receiver([post_save, post_delete], sender=Donation)
def _donation_recorded(sender, instance, **kwargs):
    caching.purge({f"donationappeal-{instance.appeal_id}", "appeals"})


@receiver([post_save, post_delete], sender=Correction)
def _correction_changed(sender, instance, **kwargs):
    caching.purge({f"article-{instance.article_id}", "corrections"})
