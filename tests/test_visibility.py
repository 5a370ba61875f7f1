"""Drafts and scheduled articles exist only for editors: no reader page, feed, sitemap or
search result shows them, whatever links them to what is visible."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article

from .conftest import MACHINE_PAGES, READER_PAGES, make_article, make_quote

HIDDEN = {"Draft": "Quokkadraft", "Scheduled": "Wombatscheduled", "Review": "Numbatreview"}


@pytest.fixture
def hidden_articles(reader_site):
    isis = reader_site.organisations.get()
    hidden = [
        make_article(
            headline=f"{HIDDEN['Draft']} story",
            status=Article.Status.DRAFT,
            published_at=datetime(2021, 3, 11, tzinfo=UTC),
        ),
        make_article(
            headline=f"{HIDDEN['Scheduled']} story",
            published_at=timezone.now() + timedelta(days=1),
        ),
        make_article(
            headline=f"{HIDDEN['Review']} story",
            status=Article.Status.IN_REVIEW,
            published_at=timezone.now() - timedelta(hours=1),
        ),
    ]
    for article in hidden:
        article.tags.add("Iraq")
        article.organisations.add(isis)
        make_quote(article, organisation=isis, text=f"{article.headline} words", paragraph=1)
    return hidden


def _assert_hidden(content):
    # Their headlines; a search page repeats the word it was asked for.
    for word in HIDDEN.values():
        assert f"{word} story" not in content


@pytest.mark.parametrize("url", READER_PAGES + MACHINE_PAGES)
def test_no_page_feed_or_sitemap_shows_them(client, hidden_articles, url):
    response = client.get(url)
    assert response.status_code == 200
    _assert_hidden(response.content.decode())


@pytest.mark.parametrize("word", HIDDEN.values())
def test_search_does_not_find_them(client, hidden_articles, word):
    response = client.get("/search/", {"q": word})
    assert response.context["page_obj"].paginator.count == 0
    _assert_hidden(response.content.decode())


def test_search_by_their_organisation_finds_only_the_published_article(client, hidden_articles):
    response = client.get("/search/", {"q": "daesh"})
    assert [hit.article.headline for hit in response.context["hits"]] == ["Coalition leaves bases"]


def test_their_own_pages_are_not_found(client, hidden_articles):
    for article in hidden_articles:
        assert client.get(article.get_absolute_url()).status_code == 404


def test_their_months_are_not_in_the_archive(client, hidden_articles):
    tomorrow = timezone.localtime() + timedelta(days=1)
    _assert_hidden(client.get(f"/{tomorrow:%Y}/{tomorrow:%m}/").content.decode())
    _assert_hidden(client.get(f"/{tomorrow:%Y}/").content.decode())
    # The draft is dated March 2021 too, but is not counted there.
    assert "1 article" in client.get("/2021/03/").content.decode()
