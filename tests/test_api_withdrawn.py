"""Withdrawn articles: a partner syncing with `updated_since` learns which articles readers
could read and no longer can (unpublished, rescheduled, deleted, moved), and of nothing
readers never saw."""

from datetime import UTC, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from articles.cache_keys import WITHDRAWN
from articles.models import Article, WithdrawnArticle

from .conftest import make_article
from .test_api_http import RecordingBackend, purged

LIST = "/api/v1/withdrawn-articles/"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_ANONYMOUS_RATE_LIMIT = 1_000_000


def _soon():
    # Articles are published in the past hours: a later time finds them live.
    return timezone.now().astimezone(UTC).replace(microsecond=0) + timedelta(minutes=1)


def _withdrawn(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_an_unpublished_article_is_listed_with_when(client, db):
    article = make_article(slug="taken-down")
    moment = _soon()
    with time_machine.travel(moment, tick=False):
        services.article_unpublish(article=Article.objects.get(pk=article.pk))
    (item,) = client.get(LIST).json()["results"]
    assert item == {"slug": "taken-down", "withdrawn_at": f"{moment:%Y-%m-%dT%H:%M:%S}Z"}


def test_an_article_unpublished_in_the_admin_form_is_listed(db):
    article = make_article(slug="by-the-form")
    # As the admin's change form does: a fresh instance, its status changed, saved.
    loaded = Article.objects.get(pk=article.pk)
    loaded.status = Article.Status.IN_REVIEW
    loaded.save()
    assert list(WithdrawnArticle.objects.values_list("slug", flat=True)) == ["by-the-form"]


def test_deleted_articles_are_listed_one_by_one_or_in_bulk(client, db):
    make_article(slug="deleted-alone").delete()
    make_article(slug="deleted-in-bulk")
    make_article(slug="deleted-too")
    Article.objects.filter(slug__startswith="deleted-").delete()
    assert sorted(_withdrawn(client)) == ["deleted-alone", "deleted-in-bulk", "deleted-too"]


def test_an_article_rescheduled_for_later_is_listed_until_it_goes_live(client, db):
    article = make_article(slug="moved-to-tomorrow")
    article.published_at = timezone.now() + timedelta(days=1)
    article.save()
    assert _withdrawn(client) == ["moved-to-tomorrow"]
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        # Back for readers with no save: announced() leaves it out.
        assert _withdrawn(client) == []


def test_a_published_article_moved_to_another_slug_lists_the_old_one(client, db):
    article = make_article(slug="first-address")
    article.slug = "second-address"
    article.save()
    assert _withdrawn(client) == ["first-address"]
    assert client.get("/api/v1/articles/second-address/").status_code == 200


def test_publishing_again_removes_it(client, db):
    article = make_article(slug="back-again")
    services.article_unpublish(article=article)
    assert _withdrawn(client) == ["back-again"]
    services.article_publish(article=article)
    assert _withdrawn(client) == []
    assert not WithdrawnArticle.objects.exists()
    assert client.get("/api/v1/articles/back-again/").status_code == 200


def test_withdrawing_again_moves_it_to_the_end(client, db):
    article = make_article(slug="twice")
    other = make_article(slug="once")
    start = _soon()
    with time_machine.travel(start, tick=False):
        article.published_at = start + timedelta(minutes=30)
        article.save()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        # Live again with no save to remove its withdrawal, then taken down again: the
        # second withdrawal renews the first.
        assert _withdrawn(client) == []
        services.article_unpublish(article=other)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        services.article_unpublish(article=article)
        assert _withdrawn(client) == ["once", "twice"]
        since = start + timedelta(minutes=90)
        assert _withdrawn(client, since=since.isoformat()) == ["twice"]


def test_articles_readers_never_saw_are_never_listed(client, db):
    draft = make_article(slug="a-draft", status=Article.Status.DRAFT)
    draft.headline = "Still a draft"
    draft.save()
    draft.delete()
    in_review = make_article(slug="in-review", status=Article.Status.IN_REVIEW)
    in_review.status = Article.Status.DRAFT
    in_review.save()
    scheduled = make_article(slug="scheduled", published_at=timezone.now() + timedelta(days=1))
    services.article_unpublish(article=scheduled)
    make_article(slug="scheduled-deleted", published_at=timezone.now() + timedelta(days=1))
    Article.objects.filter(slug="scheduled-deleted").delete()
    published = make_article(slug="only-edited")
    published.headline = "Edited"
    published.save()
    assert _withdrawn(client) == []
    assert not WithdrawnArticle.objects.exists()


def test_since_and_the_cursor_walk_every_withdrawal_once(client, db):
    start = _soon()
    articles = [make_article(slug=f"gone-{n}") for n in range(7)]
    for n, article in enumerate(articles):
        # Pairs share a time, so the pk breaks the ties.
        with time_machine.travel(start + timedelta(minutes=n // 2), tick=False):
            services.article_unpublish(article=article)
    seen, url = [], f"{LIST}?limit=2&{urlencode({'since': start + timedelta(minutes=1)})}"
    while url:
        page = client.get(url).json()
        seen += [item["slug"] for item in page["results"]]
        url = page["next"]
        assert url is None or "since=" in url
    assert seen == [f"gone-{n}" for n in range(2, 7)]
    times = [item["withdrawn_at"] for item in client.get(LIST).json()["results"]]
    assert times == sorted(times)


def test_a_bad_since_or_cursor_is_a_400_naming_it(client, db):
    for parameter, value in [("since", "yesterday"), ("since", "9999-12-31T23:59:59-14:00")]:
        response = client.get(LIST, {parameter: value})
        assert response.status_code == 400
        assert [error["parameter"] for error in response.json()["errors"]] == [parameter]
    make_article()
    make_article()
    articles_cursor = client.get("/api/v1/articles/", {"limit": 1}).json()["next_cursor"]
    response = client.get(LIST, {"cursor": articles_cursor})
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "cursor"


def test_the_query_count_does_not_grow_with_the_page(client, db):
    for n in range(12):
        services.article_unpublish(article=make_article(slug=f"counted-{n}"))
    counts = []
    for limit in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(LIST, {"limit": limit}).json()["results"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_list_is_cached_and_purged_by_a_withdrawal(client, db, settings, commit):
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": f"{RecordingBackend.__module__}.RecordingBackend", "LOCATION": "memory"}
    ]
    purged.clear()
    settings.PAGE_CACHE_SECONDS = 600
    article = make_article()
    response = client.get(LIST)
    assert response["xkey"].split() == [WITHDRAWN]
    assert "s-maxage=600" in response["Cache-Control"] and response["ETag"]
    commit(lambda: services.article_unpublish(article=article))
    assert any(WITHDRAWN in keys for keys in purged)
    purged.clear()
    commit(lambda: services.article_publish(article=article))
    assert any(WITHDRAWN in keys for keys in purged)


def test_the_schema_documents_it(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][LIST]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "since",
        "cursor",
        "limit",
    }
    assert "updated_since" in operation["description"]
