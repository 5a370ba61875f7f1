"""Faults: Redis gone, SQLite under concurrent writers, a full or read-only media disk,
a dropped PostgreSQL connection. Each test says what it proves was not lost.

bench/faults.py covers what needs minutes or a server restart (PostgreSQL restarted under
load); these run in the suite.
"""

import errno
import io
import json
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from articles.caching.purging import DJANGO_CACHE
from articles.models import Article

from .admin_forms import change_form_data
from .conftest import make_article, make_organisation
from .services import in_ci

ROOT = Path(__file__).resolve().parents[1]


def _unavailable(reason):
    """A missing tool skips the test on a developer's machine and fails it under CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true needs it)")
    pytest.skip(reason)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _png(colour="red", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _files_under(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


# --- Redis stopped ---------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of the test's own on a free port, so the shared one is never touched.
    No persistence: a restart comes back empty, as after a crash."""

    def __init__(self, binary, port, directory):
        self.binary, self.port, self.directory = binary, port, directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def shut_down_saving(self):
        """A clean stop that keeps the data, as a restart with persistence or a network
        cut does: the cached pages are still there when Redis comes back."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"SHUTDOWN SAVE\r\n")
        self.process.wait(timeout=10)
        self.process = None

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server is not installed (apt-get install redis-server)")
    server = PrivateRedis(binary, _free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def _redis_cache(url):
    # The same options as newsroom/settings.py uses when REDIS_URL is set.
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "REDIS_CLIENT_CLASS": "newsroom.cache.CircuitBreakerRedis",
                "REDIS_CLIENT_KWARGS": {"circuit_breaker_seconds": 30.0},
            },
        }
    }


# The PostgreSQL pass of `make test` is the one with REDIS_URL set.
@pytest.mark.only_on("postgresql")
def test_the_redis_settings_are_the_ones_this_file_tests(settings):
    assert "django_redis" in settings.CACHES["default"]["BACKEND"]
    assert settings.CACHES["default"]["OPTIONS"] == _redis_cache("")["default"]["OPTIONS"]
    assert settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS is True


@pytest.fixture
def redis_cache(private_redis):
    """The project's cache settings, pointed at the private Redis, with reader pages and
    fragments cached as in production (the test settings turn both off)."""
    with override_settings(
        CACHES=_redis_cache(private_redis.url),
        DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=True,
        PAGE_CACHE_SECONDS=600,
        FRAGMENT_CACHE_SECONDS=600,
    ):
        yield private_redis


def _cool_down_passes(monkeypatch):
    """Time passes the cache's circuit breaker cool-down (newsroom/cache.py): a Redis
    that is back is asked again, as it is that long after the failure that opened it."""
    options = _redis_cache("")["default"]["OPTIONS"]
    later = time.monotonic() + options["REDIS_CLIENT_KWARGS"]["circuit_breaker_seconds"] + 1
    monkeypatch.setattr("newsroom.cache.monotonic", lambda: later)


def _get_counting_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        response = client.get(url)
        elapsed = time.monotonic() - started
    return response, len(queries), elapsed


def test_pages_are_served_from_the_database_while_redis_is_down(
    client, db, redis_cache, caplog, monkeypatch
):
    """Not lost: the page itself, and an edit made while the cache was away."""
    article = make_article(headline="Rockets hit Camp Taji")
    url = article.get_absolute_url()

    response, queries, _ = _get_counting_queries(client, url)
    assert (response.status_code, response["X-Cache"]) == (200, "MISS") and queries > 0
    response, queries, _ = _get_counting_queries(client, url)
    assert (response.status_code, response["X-Cache"], queries) == (200, "HIT", 0)

    redis_cache.stop()
    with caplog.at_level(logging.ERROR, logger="django_redis"):
        article.headline = "Edited during the cache outage"
        article.save()
        response, queries, elapsed = _get_counting_queries(client, url)
    page = response.content.decode()
    assert (response.status_code, response["X-Cache"]) == (200, "MISS")
    assert queries > 0, "with Redis down the page must come from the database"
    assert "Edited during the cache outage" in page
    for leak in ("redis", "ConnectionError", "Connection refused", "Traceback"):
        assert leak.lower() not in page.lower()
    assert elapsed < 5, "a dead Redis must not hold a reader up"
    logged = [r for r in caplog.records if r.name.startswith("django_redis")]
    assert logged and all(r.levelno >= logging.ERROR for r in logged)
    assert any("Connection" in str(r.exc_info[1]) for r in logged if r.exc_info)

    redis_cache.start()
    _cool_down_passes(monkeypatch)
    response, queries, _ = _get_counting_queries(client, url)
    assert (response.status_code, response["X-Cache"]) == (200, "MISS") and queries > 0
    response, queries, _ = _get_counting_queries(client, url)
    assert (response.status_code, response["X-Cache"], queries) == (200, "HIT", 0)
    assert "Edited during the cache outage" in response.content.decode()


def test_an_edit_made_while_redis_was_away_shows_when_it_returns_with_its_data(
    client, redis_cache, run_worker, settings, monkeypatch
):
    """Not lost: the purge of an edit made while Redis was unreachable. It is a task
    written with the edit, tried again until Redis takes it."""
    settings.TASK_RETRY_SECONDS = 60
    article = make_article(headline="Rockets hit Camp Taji")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Cache"] == "HIT"

    redis_cache.shut_down_saving()
    article.headline = "Edited during the cache outage"
    article.save()
    edited_at = timezone.now()
    run_worker()  # Redis refuses the purge: tried again later
    purges = DBTaskResult.objects.filter(args_kwargs__args__0=DJANGO_CACHE)
    assert {(row.status, len(row.worker_ids)) for row in purges} == {("READY", 1)}

    redis_cache.start()
    _cool_down_passes(monkeypatch)
    stale = client.get(url)  # Redis came back with its data: the old page, for now
    assert (stale["X-Cache"], "Rockets hit Camp Taji" in stale.content.decode()) == ("HIT", True)

    with time_machine.travel(edited_at + timedelta(seconds=61), tick=False):
        run_worker()
    assert {row.status for row in purges.all()} == {"SUCCESSFUL"}
    assert "Edited during the cache outage" in client.get(url).content.decode()


# --- SQLite under concurrent writers ---------------------------------------------------

EDITORS, STAFF, WRITES_EACH = 4, 4, 25
# The first rows of a fresh database, so each has the primary key 1.
ARTICLE_PK, APPEAL_PK, OPENING_BALANCE = 1, 1, Decimal("671")
ROWS = f"""
from datetime import date
from decimal import Decimal
from django.utils import timezone
from articles.models import Article, Donation, DonationAppeal
appeal = DonationAppeal.objects.create(campaign_month=date(2021, 3, 1), goal=Decimal(5000))
Donation.objects.create(appeal=appeal, amount=Decimal("{OPENING_BALANCE}"))
Article.objects.create(
    headline="Bases closed", body="First paragraph.", status="published",
    published_at=timezone.now(), appeal=appeal,
)
"""


def _sqlite_env(database):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        SECRET_KEY="tests-only-not-a-secret-" + "x" * 40,
        ENV_FILE=str(database.parent / "no.env"),
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args, "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )


def _run_writers(env, writers):
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.concurrent_writer", role, str(WRITES_EACH), str(pk)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for role, pk in writers
    ]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        for process in processes:  # all at once, so the writes overlap
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=120)[0] for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    lines = [json.loads(line) for output in outputs for line in output.splitlines()]
    return lines, [process.returncode for process in processes]


def test_sqlite_keeps_every_write_of_concurrent_editors_and_staff(tmp_path):
    """Not lost: any acknowledged edit or donation; no writer sees "database is locked"."""
    database = tmp_path / "newsroom.sqlite3"
    env = _sqlite_env(database)
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", "--command", ROWS)

    lines, returncodes = _run_writers(
        env,
        [("editor", ARTICLE_PK)] * EDITORS + [("staff", APPEAL_PK)] * STAFF,
    )

    assert [line["error"] for line in lines if "error" in line] == []
    assert returncodes == [0] * (EDITORS + STAFF)
    edits = [line["edit"] for line in lines if "edit" in line]
    donations = {line["donation"]: Decimal(line["amount"]) for line in lines if "donation" in line}
    assert len(edits) == EDITORS * WRITES_EACH
    assert len(donations) == STAFF * WRITES_EACH

    with closing(sqlite3.connect(database)) as db:
        (body,) = db.execute(
            "SELECT body FROM articles_article WHERE id = ?", (ARTICLE_PK,)
        ).fetchone()
        stored = dict(
            db.execute(
                "SELECT id, amount FROM articles_donation WHERE appeal_id = ?", (APPEAL_PK,)
            )
        )
        (journal,) = db.execute("PRAGMA journal_mode").fetchone()
    assert journal == "wal"
    for marker in edits:
        assert body.count(marker) == 1, f"{marker} was lost"
    # The ledger: the opening 671 $ plus exactly the acknowledged donations, in cents.
    assert set(stored) == set(donations) | {1}
    raised = Decimal(sum(stored.values())) / 100
    assert raised == OPENING_BALANCE + sum(donations.values())


# --- Media disk full or read-only during an upload -------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    os.makedirs(settings.MEDIA_ROOT)
    return Path(settings.MEDIA_ROOT)


def _disk_fills_half_way(monkeypatch):
    """The disk fills while the image is written: half of it lands, then ENOSPC."""

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        data = self.file.read()
        yield data[: len(data) // 2]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(InMemoryUploadedFile, "chunks", chunks)


def _media_refuses_writes(monkeypatch, media_root, code, after=0):
    """Creating a file under MEDIA_ROOT fails with `code` once `after` files have been
    created: EROFS from the start as on a read-only mount, or ENOSPC part-way through.
    (Running as root, as CI does, a chmod would not stop the write.)"""
    real_open = os.open
    created = []

    def guarded_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(media_root)) and flags & os.O_CREAT:
            if len(created) >= after:
                raise OSError(code, os.strerror(code), str(path))
            created.append(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)


def _article_form(client, **changes):
    """The admin's add form for an article as an editor fills it in."""
    response = client.get(reverse("admin:articles_article_add"))
    fields = {
        "headline": "Rockets hit Camp Taji",
        "slug": "rockets-hit-camp-taji",
        "body": "First paragraph.\n\nSecond paragraph.",
        "lead_image_alt": "The base from the air",
    }
    return change_form_data(response, **fields, **changes)


@pytest.mark.parametrize(
    "fault, message",
    [
        ("disk_full", "the media disk is full"),
        ("read_only", "the media storage is read-only"),
    ],
)
def test_an_article_is_saved_without_the_image_the_disk_could_not_take(
    editor_client, media_root, monkeypatch, fault, message
):
    """Not lost: everything the editor typed. No half-written file is left behind."""
    if fault == "disk_full":
        _disk_fills_half_way(monkeypatch)
    else:
        _media_refuses_writes(monkeypatch, media_root, errno.EROFS)
    upload = SimpleUploadedFile("taji.png", _png(size=(400, 300)), "image/png")

    data = _article_form(editor_client, lead_image=upload)
    response = editor_client.post(reverse("admin:articles_article_add"), data, follow=True)
    monkeypatch.undo()

    article = Article.objects.get(slug="rockets-hit-camp-taji")
    assert article.headline == "Rockets hit Camp Taji"
    assert article.lead_image_alt == "The base from the air"
    assert not article.lead_image
    # Back on the article's own form, with the reason in plain words.
    assert response.redirect_chain[-1][0] == reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    page = response.content.decode()
    assert f"The lead image could not be stored: {message}." in page
    assert "was saved without it" in page
    assert _files_under(media_root) == []


def test_an_organisation_keeps_its_old_logo_when_the_new_one_cannot_be_stored(
    editor_client, media_root, monkeypatch
):
    organisation = make_organisation(name="Kataib Hezbollah")
    organisation.logo.save("old.png", ContentFile(_png("blue")))
    before = _files_under(media_root)
    _disk_fills_half_way(monkeypatch)

    url = reverse("admin:articles_organisation_change", args=[organisation.pk])
    data = change_form_data(
        editor_client.get(url),
        aliases="Hezbollah Brigades",
        logo=SimpleUploadedFile("new.png", _png("green", (300, 300)), "image/png"),
    )
    response = editor_client.post(url, data, follow=True)
    monkeypatch.undo()

    organisation.refresh_from_db()
    assert organisation.aliases == "Hezbollah Brigades"
    assert organisation.logo.name == before[0]
    assert (media_root / before[0]).read_bytes() == _png("blue")
    assert "The logo could not be stored: the media disk is full." in response.content.decode()
    assert _files_under(media_root) == before


def test_an_upload_with_room_on_the_disk_is_stored_whole(editor_client, media_root):
    image = _png(size=(400, 300))
    data = _article_form(
        editor_client, lead_image=SimpleUploadedFile("taji.png", image, "image/png")
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get(slug="rockets-hit-camp-taji")
    stored = _files_under(media_root)
    assert article.lead_image.name in stored
    assert (media_root / article.lead_image.name).read_bytes() == image
    assert not [name for name in stored if ".upload-" in name], "a staging file was left"


# --- PostgreSQL connection lost --------------------------------------------------------

postgres_only = pytest.mark.only_on("postgresql")


def _serve(path):
    """One request through Django's WSGI handler, as a gunicorn worker makes it.

    The test client skips the request_started signal that closes broken or stale
    connections, which is the very thing under test here.
    """
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    status = []
    body = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        content = b"".join(body).decode()
    finally:
        body.close()  # sends request_finished, as a server does
    return int(status[0].split()[0]), content


def _terminate_own_backend():
    """Kill this process's PostgreSQL session from a second connection, as a server
    restart or a network cut would; no other session is touched."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        (terminated,) = admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()
    assert terminated
    return pid


@pytest.fixture
def no_page_cache(settings):
    # Every request must reach the database, not be answered from the page cache.
    settings.PAGE_CACHE_SECONDS = 0


@postgres_only
def test_a_dropped_postgresql_connection_is_replaced_before_the_next_page(
    transactional_db, no_page_cache
):
    """Not lost: the edit committed before the connection died, and the next reader."""
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    article = make_article(headline="Before the outage")
    status, _ = _serve(article.get_absolute_url())
    assert status == 200
    Article.objects.filter(pk=article.pk).update(headline="Committed before the outage")

    old_pid = _terminate_own_backend()
    status, page = _serve(article.get_absolute_url())

    assert status == 200
    assert "Committed before the outage" in page
    assert connection.connection.info.backend_pid != old_pid


@postgres_only
def test_without_health_checks_the_first_page_after_a_drop_fails(transactional_db, no_page_cache):
    """The control for the test above: it is CONN_HEALTH_CHECKS that saves that page."""
    article = make_article(headline="Before the outage")
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    try:
        assert _serve(article.get_absolute_url())[0] == 200
        _terminate_own_backend()
        assert _serve(article.get_absolute_url())[0] == 500
        # Django drops the broken connection after the error, so the next page works.
        assert _serve(article.get_absolute_url())[0] == 200
    finally:
        connection.close()
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
