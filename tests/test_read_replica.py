"""Reader pages read a real streaming replica; writers, and whoever just wrote, the primary.

The replica is a second PostgreSQL cluster made with pg_basebackup from the suite's server
(tests/postgres_replica.py). Replay is paused to hold it at a known point: what a page
shows then tells which server it read.
"""

import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from articles.caching.purging import purge_cache
from articles.models import Article
from newsroom.replicas import PIN_COOKIE, replica_health, wait_for_replay

from .admin_forms import change_form_data
from .cache_stand_in import CacheStandIn
from .conftest import make_article
from .postgres_replica import ReplicaUnavailable, StreamingReplica
from .services import in_ci

pytestmark = pytest.mark.only_on("postgresql")

REPLICA = "replica_test"
uses_the_replica = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """The cluster, and a connection alias to the test database on it, for this module."""
    primary = connections["default"].settings_dict
    server = StreamingReplica(primary["HOST"] or "127.0.0.1", primary["PORT"] or 5432)
    try:
        server.create()
    except ReplicaUnavailable as error:
        if in_ci():
            pytest.fail(f"a streaming replica is needed under CI=true: {error}")
        pytest.skip(f"no streaming replica on this machine: {error}")
    connections.settings[REPLICA] = {
        **primary,
        "PORT": server.port,
        "OPTIONS": {**primary["OPTIONS"], "connect_timeout": 2},
        # Not a database of its own: the test runner neither creates nor flushes it.
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    try:
        yield server
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        server.remove()


@pytest.fixture
def routed(replica):
    """Reader pages routed to the replica, whatever its lag unless a test says otherwise,
    and asked afresh on every request."""
    replica.resume_replay()
    replica_health.forget()
    with override_settings(
        DATABASE_REPLICAS=[REPLICA], REPLICA_HEALTH_SECONDS=0, REPLICA_MAX_LAG_SECONDS=3600
    ):
        yield replica
    replica.resume_replay()
    replica_health.forget()


def _published_then_held(replica, headline):
    """An article the replica has, with its replay paused right after."""
    article = make_article(headline=headline)
    replica.wait_for("replay")
    replica.pause_replay()
    return article


def _page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@uses_the_replica
def test_reader_pages_read_the_replica_and_the_admin_the_primary(routed, editor_client):
    article = _published_then_held(routed, "Held on the replica")
    Article.objects.filter(pk=article.pk).update(headline="Only on the primary")

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = _page(Client(), article)

    assert "Held on the replica" in page
    assert "Only on the primary" not in page
    assert any("articles_article" in query["sql"] for query in on_replica)
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    changelist = editor_client.get(reverse("admin:articles_article_changelist"))
    assert "Only on the primary" in changelist.content.decode()


@uses_the_replica
def test_search_asks_the_replica_alone(routed):
    # Its probe and the planner's estimate (EXPLAIN) included: the primary serves writes.
    _published_then_held(routed, "Zeugma held on the replica")
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = Client().get("/search/", {"q": "zeugma"})

    assert response.status_code == 200
    assert "held on the replica" in response.content.decode()
    assert any("EXPLAIN" in query["sql"] for query in on_replica)
    assert any("search_document" in query["sql"] for query in on_replica)
    assert not any("articles_article" in query["sql"] for query in on_primary)


@uses_the_replica
def test_an_editor_who_saves_reads_the_primary_until_the_pin_expires(
    routed, editor_client, settings
):
    # The replica is held on purpose: the save's purge need not wait for it.
    settings.PURGE_REPLICA_WAIT_SECONDS = 0
    article = _published_then_held(routed, "Before the edit")
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    form = editor_client.get(change_url)

    saved = editor_client.post(change_url, change_form_data(form, headline="After the edit"))

    assert saved.status_code == 302
    pin = saved.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.REPLICA_PIN_SECONDS
    assert pin["httponly"]
    assert "After the edit" in _page(editor_client, article)
    assert "Before the edit" in _page(Client(), article), "readers still read the replica"
    # Once the cookie expires the editor reads the (still paused) replica like anyone.
    del editor_client.cookies[PIN_COOKIE]
    assert "Before the edit" in _page(editor_client, article)


@uses_the_replica
def test_a_page_that_only_reads_does_not_pin(routed, editor_client):
    article = make_article()
    response = editor_client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert PIN_COOKIE not in response.cookies


@uses_the_replica
def test_a_lagging_replica_sends_readers_to_the_primary(routed, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    article = _published_then_held(routed, "Stale on the replica")
    Article.objects.filter(pk=article.pk).update(headline="Fresh on the primary")
    routed.wait_for("receive")
    # The replica now holds a commit it has not replayed, older than the threshold.
    time.sleep(0.6)

    page = _page(Client(), article)

    assert "Fresh on the primary" in page
    # Once it replays, it serves readers again.
    routed.resume_replay()
    routed.wait_for("replay")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert "Fresh on the primary" in _page(Client(), article)
        assert len(on_replica) > 0


@uses_the_replica
def test_a_replica_that_is_down_sends_readers_to_the_primary(routed, settings):
    article = make_article(headline="Served whatever happens")
    routed.wait_for("replay")
    reader = Client(raise_request_exception=False)
    assert "Served whatever happens" in _page(reader, article)
    # The replica was found healthy and that answer is kept: it dies in the middle of
    # the next page, which is read again from the primary.
    settings.REPLICA_HEALTH_SECONDS = 3600
    assert _page(reader, article)
    routed.stop()
    try:
        assert "Served whatever happens" in _page(reader, article)
        # And once known to be down, it is not asked again until the next health check.
        with CaptureQueriesContext(connections["default"]) as on_primary:
            assert "Served whatever happens" in _page(reader, article)
            assert any("articles_article" in query["sql"] for query in on_primary)
        # Asked afresh, a stopped replica is refused at once, never a 500.
        settings.REPLICA_HEALTH_SECONDS = 0
        assert "Served whatever happens" in _page(reader, article)
    finally:
        routed.start()


def _in_thread(work):
    """Run `work` in a thread; an Event set when it is done."""
    done = threading.Event()

    def run():
        try:
            work()
        finally:
            connections.close_all()
            done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


@uses_the_replica
def test_a_purge_waits_until_the_replica_has_replayed_the_change(routed, settings):
    settings.PURGE_REPLICA_WAIT_SECONDS = 30
    article = _published_then_held(routed, "Before the edit")
    Article.objects.filter(pk=article.pk).update(headline="After the edit")
    cache = CacheStandIn()
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": cache.url}
    ]
    try:
        purged = _in_thread(lambda: purge_cache.call(cache.url, [f"article-{article.pk}"]))
        # A reader's miss now would be rendered from the replica, without the edit.
        assert not purged.wait(1), "purged before the replica had the edit"
        assert not cache.answered
        routed.resume_replay()
        assert purged.wait(10)
        assert cache.answered == [{f"article-{article.pk}"}]
    finally:
        cache.close()


@uses_the_replica
def test_a_purge_is_sent_anyway_once_it_has_waited_its_longest(routed, settings):
    settings.PURGE_REPLICA_WAIT_SECONDS = 0.5
    article = _published_then_held(routed, "Before the edit")
    Article.objects.filter(pk=article.pk).update(headline="After the edit")
    started = time.monotonic()
    assert wait_for_replay(timeout=settings.PURGE_REPLICA_WAIT_SECONDS) == [REPLICA]
    assert 0.5 <= time.monotonic() - started < 5
    routed.resume_replay()
    assert wait_for_replay(timeout=10) == []
