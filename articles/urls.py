from django.contrib.sitemaps.views import index as sitemap_index
from django.urls import path, register_converter

from . import feeds, sitemaps, views
from .caching import cached_with_keys


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


class MonthConverter:
    # Only 01–12 match, so /2021/13/ is a plain 404 and never reaches a view.
    regex = "0[1-9]|1[0-2]"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:02d}"


register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<str:slug>/", views.article_detail, name="article-detail"),
    path("archive/", views.archive_index, name="archive-index"),
    path("<year:year>/", views.archive_year, name="archive-year"),
    path("<year:year>/<month:month>/", views.archive_month, name="archive-month"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path(
        "organisations/tags/<str:slug>/",
        views.organisation_tag_detail,
        name="organisation-tag-detail",
    ),
    path("organisations/<str:slug>/", views.organisation_detail, name="organisation-detail"),
    path(
        "organisations/<str:slug>/rss/",
        cached_with_keys(feeds.OrganisationFeed(), "feeds"),
        name="organisation-rss",
    ),
    path(
        "organisations/<str:slug>/atom/",
        cached_with_keys(feeds.OrganisationAtomFeed(), "feeds"),
        name="organisation-atom",
    ),
    path("quotes/", views.quote_list, name="quote-list"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<str:slug>/", views.topic_detail, name="topic-detail"),
    path("corrections/", views.corrections, name="corrections"),
    path("shared/<str:token>/", views.share_link, name="share-link"),
    path("topics/<str:slug>/rss/", cached_with_keys(feeds.TopicFeed(), "feeds"), name="topic-rss"),
    path(
        "topics/<str:slug>/atom/",
        cached_with_keys(feeds.TopicAtomFeed(), "feeds"),
        name="topic-atom",
    ),
    path("search/", views.search_results, name="search"),
    path("appeals/", views.appeal_list, name="appeal-list"),
    path("feeds/rss/", cached_with_keys(feeds.LatestArticlesFeed(), "feeds"), name="rss"),
    path("feeds/atom/", cached_with_keys(feeds.LatestArticlesAtomFeed(), "feeds"), name="atom"),
    path(
        "sitemap.xml",
        cached_with_keys(sitemap_index, "sitemap"),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "articles:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<str:section>.xml",
        cached_with_keys(sitemaps.section, "sitemap"),
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
