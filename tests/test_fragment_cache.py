"""The appeal box: rendered once for every page that shows it, and refreshed by the
next donation or edit to an appeal, with the page cache off as in the benchmark's
uncached mode."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.cache_keys import APPEALS
from articles.caching import cached_fragment, purge_now

from .conftest import appeal_bar, make_appeal, make_article, visible_text


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 600


def test_pages_share_one_rendering_of_the_appeal_box(client, story, django_assert_max_num_queries):
    other = make_article(appeal=story.appeal)
    first = client.get(story.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(other.get_absolute_url())
    assert not [query for query in queries if "articles_donation" in query["sql"]]
    assert appeal_bar(second) == appeal_bar(first)
    with django_assert_max_num_queries(5):
        client.get(story.get_absolute_url())


def test_the_box_names_its_appeal_and_the_page_around_it_does_not(client, story):
    client.get(story.get_absolute_url())
    page_keys = client.get(story.get_absolute_url())["xkey"].split()
    box_keys = client.get(f"/fragments/appeal-box/{story.appeal_id}/bar/")["xkey"].split()
    assert f"donationappeal-{story.appeal_id}" in box_keys
    assert not {f"donationappeal-{story.appeal_id}", "appeals", "active-appeal"} & set(page_keys)


def test_a_donation_refreshes_the_box_on_the_next_request(client, story, commit):
    client.get(story.get_absolute_url())
    client.get("/")
    commit(lambda: services.appeal_record_donation(appeal=story.appeal, amount=Decimal("329")))
    for url in (story.get_absolute_url(), "/"):
        assert "1,000 $" in visible_text(appeal_bar(client.get(url))), url


def test_an_edit_to_the_appeal_refreshes_the_box(client, story, commit):
    client.get(story.get_absolute_url())

    def edit():
        story.appeal.message = "Keep us independent."
        story.appeal.save()

    commit(edit)
    assert "Keep us independent." in client.get(story.get_absolute_url()).content.decode()


def test_the_current_appeal_box_turns_over_with_the_month(client, db):
    make_appeal(campaign_month=date(2021, 3, 1), is_active=True)
    make_appeal(campaign_month=date(2021, 4, 1), goal=Decimal("4000"))
    with time_machine.travel(datetime(2021, 3, 31, 12, tzinfo=UTC), tick=False):
        assert "MARCH 2021" in visible_text(appeal_bar(client.get("/")))
    with time_machine.travel(datetime(2021, 4, 1, 12, tzinfo=UTC), tick=False):
        assert "APRIL 2021" in visible_text(appeal_bar(client.get("/")))


def test_a_purge_while_a_fragment_is_built_leaves_a_miss_not_a_stale_copy(db):
    def build_while_a_donation_commits():
        purge_now({APPEALS})
        return "before the donation"

    assert cached_fragment("box", {APPEALS}, build_while_a_donation_commits)
    assert cached_fragment("box", {APPEALS}, lambda: "after") == "after"
    assert cached_fragment("box", {APPEALS}, lambda: "not built again") == "after"


def test_with_fragments_off_the_box_is_built_every_time(settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert cached_fragment("box", {APPEALS}, lambda: "first") == "first"
    assert cached_fragment("box", {APPEALS}, lambda: "second") == "second"
