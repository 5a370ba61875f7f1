"""Tags: two separate vocabularies, topics for articles and staff's own for
organisations."""

import reversion
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from ..cache_keys import FEEDS, ORGANISATIONS, SITEMAP, TOPICS, articles_key_for, object_key
from ..links import url_for
from ..slugs import slug_of
from .base import RECENT_ARTICLES, related_key, related_model


class TagMixin:
    """What the tags of both vocabularies share."""

    def slugify(self, tag, i=None):
        # taggit numbers a taken slug `_1`, `_2`, …; a name of punctuation alone ("?",
        # "<>") slugifies to nothing, and a tag page with an empty address cannot be
        # linked to.
        suffix = "" if i is None else f"_{i}"
        max_length = self._meta.get_field("slug").max_length - len(suffix)
        return slug_of(tag, max_length=max_length, fallback="tag") + suffix

    def cache_keys(self):
        # A tag's name shows on its page, in the lists of tags and in the feeds.
        return {object_key(self), TOPICS, ORGANISATIONS, FEEDS, SITEMAP}


class TopicTagQuerySet(models.QuerySet):
    def in_recent_articles(self):
        """The topics of the newest articles, most used first: what the news is about now.

        Counting over the latest few hundred articles stays cheap at any archive size,
        where counting every tagging of 100,000 articles does not.
        """
        Article = related_model(TaggedArticle, "content_object")
        return (
            self.filter(
                tagged_articles__content_object__in=Article.objects.latest_published_ids(
                    RECENT_ARTICLES
                )
            )
            .annotate(recent_count=Count("tagged_articles"))
            .order_by("-recent_count", "name")
        )

    def with_article_count(self):
        """Only tags with published articles, annotated with how many, most used first."""
        Article = related_model(TaggedArticle, "content_object")
        return (
            self.annotate(
                article_count=Count(
                    "tagged_articles",
                    filter=Q(tagged_articles__content_object__in=Article.objects.published()),
                )
            )
            .filter(article_count__gt=0)
            .order_by("-article_count", "name")
        )


@reversion.register()
class TopicTag(TagMixin, TagBase):
    """A topic that articles are filed under ("Iraq", "US military")."""

    # Keeps taggit's natural-key manager: the fixtures name tags, not ids.
    objects = NaturalKeyManager.from_queryset(TopicTagQuerySet)()

    class Meta:
        verbose_name = "topic tag"
        verbose_name_plural = "topic tags"
        ordering = ["name"]

    def get_absolute_url(self):
        return url_for("articles:topic-detail", slug=self.slug)


class TaggedArticleQuerySet(models.QuerySet):
    def listed(self):
        """Taggings of articles readers can see, by the copied publication time."""
        return self.filter(published_at__lte=timezone.now())


# Not following the tag: a revert deletes what the revision does not hold, and a topic
# is shared by every article filed under it.
@reversion.register()
class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(TopicTag, on_delete=models.CASCADE, related_name="tagged_articles")
    # The article's `listing_time`, copied here so a topic's newest articles come straight
    # off one index (tag, time) however many articles the topic has; without it the
    # database sorts every article of the topic to show the first twenty. signals.py keeps
    # the copy in step on every save, fixture load and revert (not on QuerySet.update()).
    published_at = models.DateTimeField(null=True, editable=False)

    objects = TaggedArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_article_topic_tag"
            )
        ]
        indexes = [
            models.Index(
                fields=["tag", "-published_at", "-content_object"], name="topic_newest_idx"
            )
        ]

    def cache_keys(self):
        return {
            related_key(self, "content_object"),
            articles_key_for(TopicTag, self.tag_id),
        }


@reversion.register()
class OrganisationTag(TagMixin, TagBase):
    """Staff's own vocabulary for organisations ("armed group", "state actor")."""

    class Meta:
        verbose_name = "organisation tag"
        verbose_name_plural = "organisation tags"
        ordering = ["name"]

    def get_absolute_url(self):
        return url_for("articles:organisation-tag-detail", slug=self.slug)


# Not following the tag, for the same reason as TaggedArticle.
@reversion.register()
class TaggedOrganisation(TaggedItemBase):
    content_object = models.ForeignKey(
        "Organisation", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(
        OrganisationTag, on_delete=models.CASCADE, related_name="tagged_organisations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="unique_organisation_tag"
            )
        ]

    def cache_keys(self):
        return {
            related_key(self, "content_object"),
            related_key(self, "tag"),
            ORGANISATIONS,
        }
