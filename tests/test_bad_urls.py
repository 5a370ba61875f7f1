"""Hostile or broken reader URLs: every one gets a normal page, a redirect or a 404,
never a server error, on every reader URL pattern."""

import pytest
from django.test import Client

# Every reader URL pattern (articles/urls.py), with the rows of `reader_site` filled in;
# `{}` marks the slug (or token) that the slug tests replace.
READER_URLS = {
    "home": ("/", None),
    "article": ("/articles/{}/", "coalition-leaves-bases"),
    "archive": ("/archive/", None),
    "year": ("/2021/", None),
    "month": ("/2021/03/", None),
    "organisations": ("/organisations/", None),
    "organisation tag": ("/organisations/tags/{}/", "armed-group"),
    "organisation": ("/organisations/{}/", "isis"),
    "organisation rss": ("/organisations/{}/rss/", "isis"),
    "organisation atom": ("/organisations/{}/atom/", "isis"),
    "quotes": ("/quotes/", None),
    "topics": ("/topics/", None),
    "topic": ("/topics/{}/", "iraq"),
    "topic rss": ("/topics/{}/rss/", "iraq"),
    "topic atom": ("/topics/{}/atom/", "iraq"),
    "corrections": ("/corrections/", None),
    "share link": ("/shared/{}/", "no-such-token"),
    "search": ("/search/", None),
    "appeals": ("/appeals/", None),
    "rss": ("/feeds/rss/", None),
    "atom": ("/feeds/atom/", None),
    "sitemap": ("/sitemap.xml", None),
    "sitemap section": ("/sitemap-{}.xml", "articles"),
    "robots": ("/robots.txt", None),
}
SLUGGED = [name for name, (_, slug) in READER_URLS.items() if slug]

TEN_KB = "x" * 10_240
# Appended to every URL; the parameter names are all those a reader page reads.
BAD_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=999999",
    "page=1e9",
    "page=99999999999999999999999999",
    "page=%00",
    "page=%ff%fe",
    "page=1&page=abc",
    f"q={TEN_KB}",
    "q=%00",
    "q=nul%00byte",
    "q=%ff%fe",
    "tag=no-such-tag",
    "tag=%00",
    "tag=%ff%fe",
    f"tag={TEN_KB}",
    "letter=%00",
    "letter=%ff%fe",
    f"letter={TEN_KB}",
    "organisation=%00",
    "organisation=nobody",
    "topic=%00",
    "topic=%ff%fe",
    "%00=%00",
    "%ff=%fe",
]
# Put in place of the slug (or token, or section) of the URLs that have one.
BAD_SLUGS = [
    "%00",
    "nul%00byte",
    "%ff%fe",
    "%c0%af",  # an overlong "/", invalid UTF-8
    "..%2F..%2Fsettings.py",
    "x" * 5_000,
    "%E2%80%AE%E2%80%8B",  # RTL override and a zero-width space
    "%F0%9F%92%A5",
]
BAD_DATES = [
    "/2021/13/",
    "/2021/00/",
    "/0000/",
    "/0000/01/",
    "/0000/12/",
    "/9999/",
    "/9999/12/",
    "/2021/%00/",
    "/%00/01/",
    "/sitemap-%00.xml",
    "/sitemap-unknown.xml",
    "/sitemap-" + "x" * 5_000 + ".xml",
    "/%ff%fe/",
    "/articles/",
    "/organisations/tags/",
]
ALLOWED = {200, 301, 302, 404}


@pytest.fixture
def reader(reader_site):
    # A 500 must come back as a status to assert on, not as the view's exception.
    return Client(raise_request_exception=False)


def _statuses(reader, urls):
    return {url[:120]: reader.get(url).status_code for url in urls}


def _refused(statuses):
    return {url: status for url, status in statuses.items() if status not in ALLOWED}


def _url(name, slug=None):
    pattern, good = READER_URLS[name]
    return pattern.format(slug or good)


def test_the_urls_under_attack_are_real_pages(reader):
    # Otherwise the tests below would only be poking at 404s.
    statuses = {name: reader.get(_url(name)).status_code for name in READER_URLS}
    assert {name for name, status in statuses.items() if status != 200} == {"share link"}


@pytest.mark.parametrize("name", READER_URLS)
def test_odd_query_strings_get_a_page_or_a_404(reader, name):
    url = _url(name)
    assert _refused(_statuses(reader, [f"{url}?{query}" for query in BAD_QUERIES])) == {}


@pytest.mark.parametrize("name", SLUGGED)
def test_odd_slugs_get_a_404(reader, name):
    statuses = _statuses(reader, [_url(name, bad) for bad in BAD_SLUGS])
    assert set(statuses.values()) == {404}, _refused(statuses)


@pytest.mark.parametrize("url", BAD_DATES)
def test_impossible_dates_and_sections_get_a_404(reader, url):
    assert reader.get(url).status_code == 404


def test_a_page_past_the_end_gets_the_last_page(reader):
    response = reader.get("/", {"page": "999999"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
