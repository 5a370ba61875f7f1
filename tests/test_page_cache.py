import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.utils import timezone

from articles import services
from articles.cache_keys import FRONT
from articles.caching import PageCacheMiddleware, keys_for
from articles.models import Article, Organisation

from .conftest import make_article, make_organisation


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.FRAGMENT_CACHE_SECONDS = 600


def test_the_second_request_is_served_from_the_cache(client, story, django_assert_num_queries):
    first = client.get(story.get_absolute_url())
    assert first["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        second = client.get(story.get_absolute_url())
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content


def test_a_hit_carries_the_headers_of_the_page_it_was_stored_from(client, story):
    # Hits are served ahead of most middleware; the stored page keeps what it added.
    first = client.get(story.get_absolute_url())
    second = client.get(story.get_absolute_url())
    assert second["X-Cache"] == "HIT"
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cache-Control",
        "ETag",
        "xkey",
    ):
        assert second[header] == first[header], header


def test_a_page_that_sets_a_cookie_is_never_stored(rf, db):
    def view(request):
        response = HttpResponse("page")
        response.page_cache_lifetime = 600
        response.surrogate_keys = {FRONT}
        response.set_cookie("someone", "private")
        return response

    middleware = PageCacheMiddleware(view)
    middleware(rf.get("/page/"))
    assert middleware(rf.get("/page/")).get("X-Cache") != "HIT"


def test_pages_name_what_they_show_as_surrogate_keys(client, story):
    response = client.get(story.get_absolute_url())
    keys = set(response["xkey"].split())
    assert f"article-{story.pk}" in keys
    # The appeal box is a page of its own: a donation purges it, not this page.
    assert f"donationappeal-{story.appeal_id}" not in keys
    assert {f"topictag-{tag.pk}" for tag in story.tags.all()} <= keys
    assert {f"organisation-{o.pk}" for o in story.organisations.all()} <= keys
    assert response["Surrogate-Key"] == response["xkey"]
    assert "s-maxage=600" in response["Cache-Control"]
    assert "stale-while-revalidate=30" in response["Cache-Control"]


def test_an_edit_to_the_article_is_visible_on_the_next_request(client, story, commit):
    client.get(story.get_absolute_url())
    client.get("/")

    def edit():
        story.headline = "Edited headline"
        story.save()

    commit(edit)
    for url in (story.get_absolute_url(), "/", "/topics/iraq/", "/organisations/isis/"):
        response = client.get(url)
        assert response["X-Cache"] == "MISS", url
        assert "Edited headline" in response.content.decode(), url


def test_renaming_an_organisation_refreshes_the_articles_that_name_it(client, story, commit):
    client.get(story.get_absolute_url())
    coalition = Organisation.objects.get(name="US-led coalition")

    def rename():
        coalition.name = "Global Coalition"
        coalition.save()

    commit(rename)
    assert "Global Coalition" in client.get(story.get_absolute_url()).content.decode()


def test_a_new_donation_refreshes_the_appeal_bar(client, story, commit):
    client.get(story.get_absolute_url())
    commit(lambda: services.appeal_record_donation(appeal=story.appeal, amount=Decimal("329")))
    assert "1,000 $" in client.get(story.get_absolute_url()).content.decode()


def test_an_unrelated_change_keeps_the_page_cached(client, story, commit):
    client.get(story.get_absolute_url())
    commit(lambda: make_organisation(name="Unrelated Ministry"))
    assert client.get(story.get_absolute_url())["X-Cache"] == "HIT"


def test_a_new_article_appears_on_the_front_page_at_once(client, db, commit):
    client.get("/")
    commit(lambda: make_article(headline="Breaking story"))
    assert "Breaking story" in client.get("/").content.decode()


def test_a_draft_is_never_cached(client, story, commit):
    def unpublish():
        story.status = Article.Status.DRAFT
        story.save()

    commit(unpublish)
    for _ in range(2):
        response = client.get(story.get_absolute_url())
        assert response.status_code == 404
        assert "X-Cache" not in response and "s-maxage" not in response.get("Cache-Control", "")

    def publish():
        story.status = Article.Status.PUBLISHED
        story.save()

    commit(publish)
    assert client.get(story.get_absolute_url()).status_code == 200


def test_unpublishing_takes_a_cached_page_down_at_once(client, story, commit):
    assert client.get(story.get_absolute_url()).status_code == 200

    def unpublish():
        story.status = Article.Status.DRAFT
        story.save()

    commit(unpublish)
    assert client.get(story.get_absolute_url()).status_code == 404
    assert story.headline not in client.get("/").content.decode()


def test_staff_bypass_the_cache(client, story, editor):
    client.get(story.get_absolute_url())
    client.force_login(editor)
    response = client.get(story.get_absolute_url())
    assert "X-Cache" not in response
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_scheduled_article_bounds_how_long_lists_are_cached(client, db):
    make_article(published_at=timezone.now() + timedelta(seconds=30))
    response = client.get("/")
    s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 1 <= s_maxage <= 31


def test_an_unchanged_page_answers_not_modified(client, story):
    etag = client.get(story.get_absolute_url())["ETag"]
    response = client.get(story.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_keys_for_flattens_objects_strings_and_lists(db):
    article, organisation = make_article(), make_organisation()
    assert keys_for(FRONT, article, [organisation, None], []) == {
        "front",
        f"article-{article.pk}",
        f"organisation-{organisation.pk}",
    }


def test_the_default_cache_is_shared_by_every_worker_process():
    # `make serve` runs two gunicorn workers: a purge in one must reach pages the other
    # cached, so the cache without REDIS_URL cannot live in one process's memory.
    script = (
        "import newsroom.settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env={"PATH": os.environ["PATH"], "DEBUG": "1", "ENV_FILE": "", "REDIS_URL": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    backend, location = result.stdout.split()
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    assert location.endswith("var/cache")
