"""Cursor pagination: every row exactly once, whatever is added during the walk, and
no cursor the API did not give out."""

from datetime import UTC, timedelta
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.api.endpoints import NEWEST
from articles.models import Article, TaggedArticle, TopicTag

from .conftest import make_article, make_organisation

LIST = "/api/v1/articles/"


def _bulk_articles(count, *, start):
    Article.objects.bulk_create(
        Article(
            headline=f"Walked {n}",
            slug=f"walked-{n}",
            body="One paragraph.",
            status=Article.Status.PUBLISHED,
            # Pairs share a publication time, so the pk must break the ties.
            published_at=start - timedelta(minutes=n // 2),
        )
        for n in range(count)
    )


def test_a_walk_over_1000_articles_returns_each_exactly_once_while_more_are_added(client, db):
    now = timezone.now()
    _bulk_articles(1000, start=now - timedelta(hours=1))
    seen, url, pages = [], LIST + "?limit=100", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.json()
        seen += [item["slug"] for item in page["results"]]
        url, pages = page["next"], pages + 1
        # Meanwhile the newsroom publishes: a new story, and one backdated into the part
        # of the list not walked yet.
        make_article(headline=f"Breaking {pages}", published_at=now - timedelta(seconds=pages))
        make_article(
            headline=f"Backdated {pages}", published_at=now - timedelta(days=30, seconds=pages)
        )
    walked = [slug for slug in seen if slug.startswith("walked-")]
    assert len(walked) == len(set(walked)) == 1000
    assert len(seen) == len(set(seen))
    assert pages == 11


def test_pages_do_not_count_or_skip_rows(client, db):
    _bulk_articles(50, start=timezone.now())
    first = client.get(LIST, {"limit": 10}).json()
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"limit": 10, "cursor": first["next_cursor"]})
    sql = " ".join(query["sql"] for query in queries).upper()
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql


def test_the_last_page_has_no_next(client, db):
    _bulk_articles(3, start=timezone.now())
    page = client.get(LIST, {"limit": 3}).json()
    assert (len(page["results"]), page["next"], page["next_cursor"]) == (3, None, None)


def test_next_keeps_the_filters(client, db):
    for _ in range(3):
        make_article().tags.add("Iraq")
    make_article()
    page = client.get(LIST, {"limit": 2, "topic": "iraq"}).json()
    assert "topic=iraq" in page["next"]
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None


def test_a_forged_or_altered_cursor_is_a_400_naming_it(client, db):
    _bulk_articles(3, start=timezone.now())
    cursor = client.get(LIST, {"limit": 1}).json()["next_cursor"]
    forged = signing.dumps(["newest", "2000-01-01T00:00:00+00:00", 1], salt="elsewhere")
    for bad in (cursor[:-2] + "xx", forged, "abc", "\x00"):
        response = client.get(LIST, {"cursor": bad})
        assert response.status_code == 400
        assert response.json()["errors"][0]["parameter"] == "cursor"


def test_a_cursor_of_another_list_is_refused(client, db):
    for _ in range(3):
        make_organisation()
    cursor = client.get("/api/v1/organisations/", {"limit": 1}).json()["next_cursor"]
    response = client.get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert "another list" in response.json()["detail"]


def _plan_of_the_article_query(client, url):
    """The query plan of the query that reads a page of articles for `url`."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    (sql,) = [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "articles_article"."id"') and "LIMIT 21" in query["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.only_on("postgresql")
def test_deep_pages_syncs_and_topics_walk_an_index_from_where_they_start(client, db):
    now = timezone.now()
    _bulk_articles(2000, start=now - timedelta(days=1))
    # As after years of publishing: each last saved when it was published.
    Article.objects.update(updated_at=F("published_at"))
    middle = Article.objects.order_by("-published_at", "-pk")[1000]
    # Enough of them that sorting them all costs more than walking an index.
    topic = TopicTag.objects.create(name="Busy", slug="busy")
    TaggedArticle.objects.bulk_create(
        TaggedArticle(tag=topic, content_object=article, published_at=article.published_at)
        for article in Article.objects.order_by("pk")[::2]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_taggedarticle")
        cursor.execute("ANALYZE articles_article")
        # Enough rows and fresh statistics; no sequential scans, so the plan shows which
        # index the query can walk, and from where.
        cursor.execute("SET enable_seqscan = off")
    deep = _plan_of_the_article_query(
        client, f"{LIST}?{urlencode({'cursor': NEWEST.cursor_for(middle)})}"
    )
    since = _plan_of_the_article_query(
        client, f"{LIST}?{urlencode({'updated_since': middle.published_at.isoformat()})}"
    )
    in_topic = _plan_of_the_article_query(client, f"{LIST}?topic=busy")
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")
    # The page starts where the cursor points, not from the newest article.
    # As PostgreSQL prints a timestamp: no trailing zeros in the fraction of a second.
    moment = middle.published_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    cursor_time = moment.rstrip("0").rstrip(".") + "+00"
    (start,) = [line for line in deep.splitlines() if "Index Cond" in line]
    assert cursor_time in start, deep
    assert "article_modified_idx" in since, since
    assert "Sort Key" not in since, since
    # A topic's page comes off the topic's index, not from every newer article.
    assert "topic_newest_idx" in in_topic, in_topic
    assert "Sort Key" not in in_topic, in_topic
