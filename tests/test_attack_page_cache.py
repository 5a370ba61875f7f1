"""Attacks on the page cache: a purge that lands while a page renders, and a flood of
query strings that would each store a page of their own."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from articles import caching
from articles.cache_keys import FRONT
from articles.caching import PageCacheMiddleware, tag_response
from articles.models import Article
from articles.rendering import article_page

from .conftest import make_article


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.FRAGMENT_CACHE_SECONDS = 600


# --- A purge that lands while a page renders ---------------------------------------------


def test_an_article_unpublished_while_its_page_renders_is_not_served_from_the_cache(
    client, story, commit, monkeypatch
):
    url = story.get_absolute_url()
    assert client.get(url)["X-Cache"] == "MISS"
    # Renaming an organisation it names purges the page: the next reader renders it afresh.
    coalition = story.organisations.get(name="US-led coalition")
    coalition.name = "Global Coalition against Daesh"
    commit(coalition.save)

    def unpublish():
        story.status = Article.Status.DRAFT
        story.save()

    render_article = article_page.render_article

    def render_then_unpublish(request, article, **kwargs):
        response = render_article(request, article, **kwargs)
        # The editor's unpublish commits, and purges, while this page is on its way.
        commit(unpublish)
        return response

    monkeypatch.setattr(article_page, "render_article", render_then_unpublish)
    raced = client.get(url)
    monkeypatch.undo()

    assert (raced.status_code, raced["X-Cache"]) == (200, "MISS")
    after = client.get(url)
    assert after.status_code == 404, "the page rendered before the unpublish was served"
    assert after.get("X-Cache") != "HIT"


def test_a_page_purged_between_its_render_and_its_storing_is_not_stored(db):
    renders = []

    def view(request):
        renders.append(request)
        response = tag_response(HttpResponse(f"render {len(renders)}"), FRONT)
        response.page_cache_lifetime = 600
        if len(renders) == 1:
            # What this render read is changed, and purged, before the page is stored.
            caching.purge_now({FRONT})
        return response

    middleware = PageCacheMiddleware(view)
    request = RequestFactory().get("/")
    assert middleware(request).content == b"render 1"
    second = middleware(RequestFactory().get("/"))
    assert (second.content, second.get("X-Cache")) == (b"render 2", None)
    third = middleware(RequestFactory().get("/"))
    assert (third.content, third["X-Cache"]) == (b"render 2", "HIT")


# --- Query strings ------------------------------------------------------------------------


def test_fifty_tracking_parameters_store_one_page(client, db):
    make_article()
    for n in range(50):
        response = client.get(f"/?utm_source=campaign-{n}&fbclid={n}")
        assert response.status_code == 200
        assert response["X-Cache"] == ("MISS" if n == 0 else "HIT"), n
    assert client.get("/")["X-Cache"] == "HIT"


def test_the_order_of_the_parameters_does_not_make_a_new_page(client, reader_site):
    first = client.get("/quotes/?organisation=isis&topic=iraq")
    assert (first.status_code, first["X-Cache"]) == (200, "MISS")
    second = client.get("/quotes/?topic=iraq&utm_medium=mail&organisation=isis")
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content


def test_the_parameters_a_page_reads_still_make_distinct_pages(client, db):
    for n in range(25):
        make_article(headline=f"Filler story {n}")
    taji_article = make_article(headline="Rockets hit Camp Taji")
    first, second = client.get("/"), client.get("/?page=2")
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "MISS")
    assert first.content != second.content
    taji, nothing = client.get("/search/?q=taji"), client.get("/search/?q=zzzqqq")
    assert (taji["X-Cache"], nothing["X-Cache"]) == ("MISS", "MISS")
    assert taji_article.get_absolute_url() in taji.content.decode()
    assert taji_article.get_absolute_url() not in nothing.content.decode()
    assert client.get("/search/?q=taji&utm_source=x")["X-Cache"] == "HIT"


def test_page_numbers_that_show_the_same_page_share_one_copy(client, db):
    for n in range(25):
        make_article(headline=f"Filler story {n}")
    assert client.get("/")["X-Cache"] == "MISS"
    # Not a number: the paginator shows the first page.
    for same_as_first in ("?page=1", "?page=abc", "?page=", "?page=1.5"):
        assert client.get(f"/{same_as_first}")["X-Cache"] == "HIT", same_as_first
    # Past the last page, or below the first: the paginator shows the last page.
    last = client.get("/?page=99999999")
    assert last["X-Cache"] == "MISS"
    for past_the_end in ("?page=123456", "?page=0", "?page=-4"):
        response = client.get(f"/{past_the_end}")
        assert response["X-Cache"] == "HIT", past_the_end
        assert response.content == last.content


def test_a_tracking_parameter_never_reaches_the_links_of_a_stored_page(client, db):
    for n in range(25):
        make_article(headline=f"Filler story {n}")
    poisoned = client.get("/?page=2&utm_source=evil-campaign")
    assert poisoned["X-Cache"] == "MISS"
    assert "evil-campaign" not in poisoned.content.decode()
    served = client.get("/?page=2")
    assert served["X-Cache"] == "HIT"
    assert "evil-campaign" not in served.content.decode()
