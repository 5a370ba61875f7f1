"""A hung Redis (stopped, not dead: it accepts connections and never answers) holds up
one cache call, then the site leaves it alone for a cool-down and serves from the
database (newsroom/cache.py)."""

import logging
import shutil
import signal
import time

import pytest
from django.test import override_settings
from redis.connection import AbstractConnection

from .conftest import make_article
from .test_faults import PrivateRedis, _cool_down_passes, _free_port, _redis_cache, _unavailable


class StoppableRedis(PrivateRedis):
    def pause(self):
        """As `kill -STOP`: connections still open (the kernel accepts them), nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def redis_cache(tmp_path):
    """The project's Redis cache settings, pointed at a redis-server of the test's own,
    with reader pages and fragments cached as in production."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server is not installed (apt-get install redis-server)")
    server = StoppableRedis(binary, _free_port(), tmp_path)
    server.start()
    try:
        with override_settings(
            CACHES=_redis_cache(server.url),
            DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=True,
            PAGE_CACHE_SECONDS=600,
            FRAGMENT_CACHE_SECONDS=600,
        ):
            yield server
    finally:
        server.stop()


@pytest.fixture
def redis_traffic(monkeypatch):
    """Every time this process touches a Redis socket: a connection opened, a command sent."""
    touches = []

    def spy(name):
        real = getattr(AbstractConnection, name)

        def touch(connection, *args, **kwargs):
            touches.append(name)
            return real(connection, *args, **kwargs)

        monkeypatch.setattr(AbstractConnection, name, touch)

    spy("_connect")
    spy("send_packed_command")
    return touches


def test_a_stopped_redis_is_asked_once_then_left_alone_until_the_cool_down_passes(
    client, db, redis_cache, redis_traffic, monkeypatch
):
    article = make_article(headline="Rockets hit Camp Taji")
    url = article.get_absolute_url()
    assert client.get(url)["X-Cache"] == "MISS"
    assert client.get(url)["X-Cache"] == "HIT"

    redis_cache.pause()
    started = time.monotonic()
    before = len(redis_traffic)
    response = client.get(url)
    assert (response.status_code, response["X-Cache"]) == (200, "MISS")
    assert "Rockets hit Camp Taji" in response.content.decode()
    assert len(redis_traffic) - before == 1, "only the first cache call may wait for Redis"

    asked_while_open = len(redis_traffic)
    for _ in range(5):
        response = client.get(url)
        assert (response.status_code, response["X-Cache"]) == (200, "MISS")
    assert len(redis_traffic) == asked_while_open, "Redis was asked while the breaker was open"
    # A safety net only: the counts above are the proof.
    assert time.monotonic() - started < 10

    redis_cache.resume()
    assert client.get(url)["X-Cache"] == "MISS", "asked again before the cool-down passed"
    assert len(redis_traffic) == asked_while_open

    _cool_down_passes(monkeypatch)
    response = client.get(url)
    assert (response.status_code, response["X-Cache"]) == (200, "HIT")
    assert len(redis_traffic) > asked_while_open


def test_a_staff_save_while_redis_is_stopped_does_not_wait_on_every_purge(
    client, db, redis_cache, redis_traffic, django_capture_on_commit_callbacks
):
    articles = [make_article() for _ in range(3)]
    for article in articles:
        client.get(article.get_absolute_url())

    redis_cache.pause()
    before = len(redis_traffic)
    for article in articles:
        with django_capture_on_commit_callbacks(execute=True):
            article.headline = f"Edited {article.pk}"
            article.save()
    assert len(redis_traffic) - before == 1, "each purge waited for the stopped Redis"


def test_the_open_breaker_is_logged_once_not_on_every_cache_call(client, db, redis_cache, caplog):
    url = make_article().get_absolute_url()
    client.get(url)
    redis_cache.stop()
    with caplog.at_level(logging.INFO):
        client.get(url)
        first_request = len(caplog.records)
        for _ in range(5):
            assert client.get(url).status_code == 200
    assert first_request >= 1
    assert len(caplog.records) == first_request, [r.getMessage() for r in caplog.records]
    assert any("Redis" in record.getMessage() for record in caplog.records)
