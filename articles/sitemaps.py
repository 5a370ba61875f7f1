"""sitemap.xml: an index of sections, one of them a Google news sitemap of the last two days."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max
from django.utils import timezone

from .links import url_for
from .models import Article, Organisation, Person, TopicTag

NEWS_WINDOW = timedelta(days=2)
# Google reads at most 1,000 stories from one news sitemap.
NEWS_LIMIT = 1000


class _LatestLastmodMixin:
    # The default walks every item to find the newest date for the index; ask the database.
    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return [
            "articles:home",
            "articles:archive-index",
            "articles:organisation-list",
            "articles:quote-list",
            "articles:topic-list",
            "articles:appeal-list",
        ]

    def location(self, item):
        return url_for(item)


class ArticleSitemap(_LatestLastmodMixin, Sitemap):
    def items(self):
        return Article.objects.published().order_by("-published_at", "-pk")


class OrganisationSitemap(_LatestLastmodMixin, Sitemap):
    def items(self):
        return Organisation.objects.order_by("name")


class PersonSitemap(_LatestLastmodMixin, Sitemap):
    def items(self):
        return Person.objects.public().order_by("pk")


class TopicSitemap(Sitemap):
    def items(self):
        return TopicTag.objects.with_article_count()


class ArchiveSitemap(Sitemap):
    def items(self):
        return [row["month"] for row in Article.objects.published().month_counts()]

    def location(self, month):
        month = timezone.localtime(month)
        return url_for("articles:archive-month", month.year, month.month)


class NewsSitemap(Sitemap):
    limit = NEWS_LIMIT

    def items(self):
        return (
            Article.objects.published()
            .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
            # An imported story whose real date is unknown is not news of the last two days.
            .exclude(show_publication_date=False)
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "news": NewsSitemap,
    "organisations": OrganisationSitemap,
    "people": PersonSitemap,
    "topics": TopicSitemap,
    "archives": ArchiveSitemap,
}


def section(request, section):
    template = "sitemaps/news.xml" if section == "news" else "sitemap.xml"
    return sitemap(request, SITEMAPS, section=section, template_name=template)
