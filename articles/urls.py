from django.contrib.sitemaps.views import index as sitemap_index
from django.urls import path, register_converter

from . import feeds, sitemaps, views
from .cache_keys import FEEDS, SITEMAP
from .caching import cached_with_keys
from .donations import views as donations
from .donations import webhook


class YearConverter:
    # 1000–2999: Python's dates run from year 1 to 9999, and a month's archive reaches
    # to the first of the next month, so /0000/ and /9999/12/ must never reach a view.
    regex = "[12][0-9]{3}"

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


class UnicodeSlugConverter:
    # What SlugField(allow_unicode=True) accepts, and no more: a NUL byte or a stray
    # "%ff" is a 404 here, before PostgreSQL could refuse it as a query parameter.
    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")
register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("donate/webhook/stripe/", webhook.stripe_webhook, name="donate-webhook-stripe"),
    path("articles/<uslug:slug>/", views.article_detail, name="article-detail"),
    path("archive/", views.archive_index, name="archive-index"),
    path("<year:year>/", views.archive_year, name="archive-year"),
    path("<year:year>/<month:month>/", views.archive_month, name="archive-month"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path(
        "organisations/tags/<uslug:slug>/",
        views.organisation_tag_detail,
        name="organisation-tag-detail",
    ),
    path("organisations/<uslug:slug>/", views.organisation_detail, name="organisation-detail"),
    path(
        "organisations/<uslug:slug>/rss/",
        cached_with_keys(feeds.OrganisationFeed(), FEEDS),
        name="organisation-rss",
    ),
    path(
        "organisations/<uslug:slug>/atom/",
        cached_with_keys(feeds.OrganisationAtomFeed(), FEEDS),
        name="organisation-atom",
    ),
    path("quotes/", views.quote_list, name="quote-list"),
    path("people/<uslug:slug>/", views.person_detail, name="person-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<uslug:slug>/", views.topic_detail, name="topic-detail"),
    path("corrections/", views.corrections, name="corrections"),
    path("shared/<uslug:token>/", views.share_link, name="share-link"),
    path("topics/<uslug:slug>/rss/", cached_with_keys(feeds.TopicFeed(), FEEDS), name="topic-rss"),
    path(
        "topics/<uslug:slug>/atom/",
        cached_with_keys(feeds.TopicAtomFeed(), FEEDS),
        name="topic-atom",
    ),
    path("search/", views.search_results, name="search"),
    path("appeals/", views.appeal_list, name="appeal-list"),
    path("support/", donations.support, name="support"),
    path("support/<int:pk>/", donations.support, name="support-appeal"),
    path("support/thanks/", donations.thanks, name="donation-thanks"),
    path("support/manage/", donations.manage, name="donation-manage"),
    path("fragments/appeal-box/<str:appeal>/<str:part>/", views.appeal_box, name="appeal-box"),
    path("feeds/rss/", cached_with_keys(feeds.LatestArticlesFeed(), FEEDS), name="rss"),
    path("feeds/atom/", cached_with_keys(feeds.LatestArticlesAtomFeed(), FEEDS), name="atom"),
    path(
        "sitemap.xml",
        cached_with_keys(sitemap_index, SITEMAP),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "articles:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<str:section>.xml",
        cached_with_keys(sitemaps.section, SITEMAP, query=("p",)),
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
