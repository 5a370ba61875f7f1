"""RSS and Atom feeds: the whole site, each topic, each organisation."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from .links import url_for
from .models import Article, Organisation, TopicTag

FEED_SIZE = 20
# Everything outside XML 1.0's Char production: control characters (Django refuses to
# write them, failing the whole feed), lone surrogates and the noncharacters U+FFFE and
# U+FFFF (Django writes those, and every feed reader then rejects the document). Each
# becomes a space, as a vertical tab (a word processor's line break) means one.
XML_FORBIDDEN_CHARACTERS = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value):
    """Strings, and lists of them, without the characters XML cannot hold."""
    if isinstance(value, str):
        return XML_FORBIDDEN_CHARACTERS.sub(" ", value)
    if isinstance(value, list | tuple):
        return [xml_text(item) for item in value]
    return value


class _XmlTextMixin:
    # A vertical tab pasted from a word processor into one headline would otherwise
    # turn every feed that lists the article into a server error.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{name: xml_text(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **{name: xml_text(value) for name, value in kwargs.items()})


class RssFeed(_XmlTextMixin, Rss201rev2Feed):
    pass


class AtomFeed(_XmlTextMixin, Atom1Feed):
    pass


class LatestArticlesFeed(Feed):
    feed_type = RssFeed

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return url_for("articles:home")

    def description(self):
        return f"The latest articles from {settings.SITE_NAME}."

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        return self.articles(obj).for_listing()[:FEED_SIZE]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # Feed readers render a description as HTML (Atom says so: type="html"); the
        # summary is plain text, so "<script>" in a standfirst must arrive as text.
        return escape(item.summary)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.byline or None

    def item_categories(self, item):
        return [tag.name for tag in item.listed_tags]


class TopicFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(TopicTag, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"Articles about {obj.name}."

    def items(self, obj):
        return Article.objects.for_listing().in_topic(obj)[:FEED_SIZE]


class OrganisationFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Organisation, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"Articles that mention {obj.name}."

    def articles(self, obj):
        return Article.objects.published().filter(organisations=obj)


# Atom has a subtitle where RSS has a description; the items are the same.
class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomFeed
    subtitle = LatestArticlesFeed.description


class TopicAtomFeed(TopicFeed):
    feed_type = AtomFeed
    subtitle = TopicFeed.description


class OrganisationAtomFeed(OrganisationFeed):
    feed_type = AtomFeed
    subtitle = OrganisationFeed.description
