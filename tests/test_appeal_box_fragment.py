"""The appeal box as a page of its own: pages hold an include of it, Django's page
cache fills the include from the box's cache entry when it serves a page, and a caller
that does ESI (Varnish) gets the include itself. A donation purges the box, no page."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services

from .conftest import appeal_bar, make_appeal, make_article, visible_text

ESI = {"Surrogate-Capability": 'varnish="ESI/1.0"'}


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.PAGE_CACHE_SECONDS = settings.FRAGMENT_CACHE_SECONDS = 600


def _bar(response):
    return visible_text(appeal_bar(response))


def _donate(commit, appeal, amount):
    commit(lambda: services.appeal_record_donation(appeal=appeal, amount=Decimal(amount)))


def test_a_donation_shows_on_the_next_request_of_a_page_served_from_the_cache(
    client, story, commit, django_assert_num_queries
):
    url = story.get_absolute_url()
    assert client.get(url)["X-Cache"] == "MISS"
    assert "671 $" in _bar(client.get(url))
    _donate(commit, story.appeal, "329")
    # The page is not rendered again: one query, the box's sum over the ledger.
    with CaptureQueriesContext(connection) as queries:
        after = client.get(url)
    assert after["X-Cache"] == "HIT"
    assert "1,000 $" in _bar(after) and "671 $" not in after.content.decode()
    assert len(queries) == 1 and "articles_donation" in queries[0]["sql"]
    with django_assert_num_queries(0):
        assert "1,000 $" in _bar(client.get(url))


def test_the_front_page_stays_stored_through_a_donation(client, story, commit):
    client.get("/")
    _donate(commit, story.appeal, "329")
    response = client.get("/")
    assert response["X-Cache"] == "HIT"
    assert "1,000 $" in _bar(response)


def test_the_etag_follows_the_box(client, story, commit):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    _donate(commit, story.appeal, "329")
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "1,000 $" in _bar(response)


def test_a_caller_that_does_esi_gets_the_includes(client, story):
    for _ in range(2):  # rendered, then from the cache
        response = client.get(story.get_absolute_url(), headers=ESI)
        html = response.content.decode()
        assert f'<esi:include src="/fragments/appeal-box/{story.appeal_id}/bar/"/>' in html
        assert f'<esi:include src="/fragments/appeal-box/{story.appeal_id}/message/"/>' in html
        assert "671 $" not in html
        assert response["Surrogate-Control"] == 'content="ESI/1.0"'
        assert "Surrogate-Capability" in response["Vary"]
    front = client.get("/", headers=ESI).content.decode()
    assert '<esi:include src="/fragments/appeal-box/active/bar/"/>' in front


def test_everyone_else_gets_the_box_in_place_of_the_includes(client, story):
    for _ in range(2):
        response = client.get(story.get_absolute_url())
        html = response.content.decode()
        assert "<esi:include" not in html and "Surrogate-Control" not in response
        assert "671 $" in _bar(response)
        assert "Consider helping us!" in html
        assert int(response["Content-Length"]) == len(response.content)


def test_private_pages_are_stitched_even_for_a_caller_that_does_esi(client, story, make_staff):
    client.force_login(make_staff("Writers"))
    response = client.get(story.get_absolute_url(), headers=ESI)
    assert "private" in response["Cache-Control"]
    assert "<esi:include" not in response.content.decode()
    assert "671 $" in _bar(response)


def test_the_box_has_an_address_of_its_own_keyed_by_its_appeal_only(client, story):
    bar = client.get(f"/fragments/appeal-box/{story.appeal_id}/bar/")
    assert bar.status_code == 200
    assert "671 $" in visible_text(bar.content.decode())
    assert set(bar["xkey"].split()) == {"appeals", f"donationappeal-{story.appeal_id}"}
    assert "s-maxage=600" in bar["Cache-Control"]
    message = client.get("/fragments/appeal-box/active/message/")
    assert "Consider helping us!" in message.content.decode()
    assert "active-appeal" in message["xkey"].split()


@pytest.mark.parametrize(
    "address",
    ["/fragments/appeal-box/active/footer/", "/fragments/appeal-box/one/bar/"],
)
def test_an_address_that_names_no_part_of_the_box_is_not_found(client, db, address):
    assert client.get(address).status_code == 404


def test_the_current_box_is_cached_no_later_than_the_months_end(client, story):
    with time_machine.travel(datetime(2021, 3, 31, 23, 59, tzinfo=UTC), tick=False):
        response = client.get("/fragments/appeal-box/active/bar/")
    s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 1 <= s_maxage <= 61


def test_an_include_typed_by_a_writer_stays_text(client, db):
    include = '<esi:include src="/fragments/appeal-box/active/bar/"/>'
    article = make_article(headline=include, paragraphs=[include, "Second."])
    html = client.get(article.get_absolute_url(), headers=ESI).content.decode()
    assert html.count("<esi:include") == 2  # the page's own bar and message
    assert "&lt;esi:include" in html


def test_an_appeal_that_does_not_exist_is_not_found_and_nothing_is_stored(client, db):
    from django.core.cache import cache

    for appeal_id in (987654, 987655, 987656):
        response = client.get(f"/fragments/appeal-box/{appeal_id}/bar/")
        assert response.status_code == 404
        assert "s-maxage" not in response.get("Cache-Control", "")
        # A flood of made-up ids must not fill the cache with empty boxes.
        assert cache.get(f"fragment:2:appeal-box:{appeal_id}") is None


def test_a_made_up_id_costs_one_query_each_time_and_a_real_one_none_once_stored(
    client, story, django_assert_num_queries
):
    client.get(f"/fragments/appeal-box/{story.appeal_id}/bar/")
    with django_assert_num_queries(0):
        assert client.get(f"/fragments/appeal-box/{story.appeal_id}/bar/").status_code == 200
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get("/fragments/appeal-box/987654/bar/").status_code == 404


def test_a_stored_page_whose_appeal_was_deleted_shows_no_box(client, db, commit):
    article = make_article(appeal=make_appeal(message="A gone appeal"))
    url = article.get_absolute_url()
    assert "A gone appeal" in client.get(url).content.decode()
    # The article lets go of the appeal (SET_NULL, no save of the article): the stored
    # page still holds an include of the deleted appeal's box.
    commit(article.appeal.delete)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Cache"] == "HIT"
    assert "A gone appeal" not in response.content.decode()
