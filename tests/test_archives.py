from datetime import UTC, datetime

import pytest

from articles.models import Article

from .conftest import make_article, visible_text


def _at(year, month, day=10):
    return datetime(year, month, day, 12, tzinfo=UTC)


def test_the_month_page_is_headed_like_the_seed_and_lists_that_month(client, db):
    march = make_article(headline="In March", published_at=_at(2021, 3))
    make_article(headline="In April", published_at=_at(2021, 4))
    response = client.get("/2021/03/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "MARCH 2021" in text
    assert "1 article" in text
    assert list(response.context["page_obj"]) == [march]
    assert "In April" not in text


def test_the_month_page_links_to_the_months_either_side_that_have_articles(client, db):
    for month in (1, 3, 7):
        make_article(published_at=_at(2021, month))
    response = client.get("/2021/03/")
    html = response.content.decode()
    assert 'href="/2021/01/"' in html
    assert 'href="/2021/07/"' in html


@pytest.mark.parametrize("url", ["/2021/13/", "/2021/00/", "/2021/3/", "/21/03/", "/2021/04/"])
def test_impossible_or_empty_months_are_not_found(client, db, url):
    make_article(published_at=_at(2021, 3))
    assert client.get(url).status_code == 404


def test_the_year_page_counts_articles_by_month_and_skips_empty_months(client, db):
    make_article(published_at=_at(2021, 1))
    make_article(published_at=_at(2021, 3, 2))
    make_article(published_at=_at(2021, 3, 20))
    response = client.get("/2021/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "January 2021 1 article" in text
    assert "March 2021 2 articles" in text
    assert "February" not in text
    assert "3 articles" in text
    assert client.get("/2019/").status_code == 404


def test_the_archive_lists_every_year_and_month_with_articles(client, db):
    make_article(published_at=_at(2020, 12))
    make_article(published_at=_at(2021, 3))
    response = client.get("/archive/")
    html = response.content.decode()
    assert 'href="/2020/"' in html and 'href="/2021/"' in html
    assert 'href="/2020/12/"' in html and 'href="/2021/03/"' in html
    assert 'href="/2021/01/"' not in html


def test_a_march_2021_article_is_in_the_march_2021_archive(client, story):
    response = client.get("/2021/03/")
    assert story.headline in visible_text(response.content.decode())


def test_drafts_do_not_count(client, db):
    make_article(published_at=_at(2021, 3))
    make_article(status=Article.Status.DRAFT, published_at=_at(2021, 5))
    assert client.get("/2021/05/").status_code == 404
    assert "1 article" in visible_text(client.get("/2021/").content.decode())
