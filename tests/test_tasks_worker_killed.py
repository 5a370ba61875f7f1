"""A worker killed (SIGKILL) in the middle of a batch of purges: every purge still
arrives. Real processes: `manage.py db_worker` over a database of its own (a SQLite file,
or on the PostgreSQL run a database made on the suite's server, where workers take
tasks with SELECT … FOR UPDATE SKIP LOCKED), purging a stand-in HTTP cache that records
what it is told."""

import json
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from django.db import connection

from .cache_stand_in import CacheStandIn
from .test_faults import ROOT, _manage, _sqlite_env

ARTICLES = 20
HOLD_AT = 6  # the purge the first worker is killed in the middle of

MAKE_ARTICLES = f"""
from django.utils import timezone
from articles.models import Article
for n in range({ARTICLES}):
    Article.objects.create(
        headline=f"Story {{n}}", body="Text.", status="published", published_at=timezone.now()
    )
print(",".join(str(pk) for pk in Article.objects.values_list("pk", flat=True)))
"""


@pytest.fixture
def recording_cache():
    # The HOLD_AT-th purge stalls, and is never answered: its worker is killed meanwhile.
    cache = CacheStandIn(stalls=lambda number: number == HOLD_AT, drop_stalled=True)
    yield cache
    cache.close()


@pytest.fixture
def worker_database(tmp_path):
    """DATABASE_URL for the processes: of the kind the suite runs on, made here, dropped
    after."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'newsroom.sqlite3'}"
        return
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params["dbname"] = "postgres"
    name = f"newsroom_workers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    host, port, user = params.get("host", "127.0.0.1"), params.get("port", 5432), params["user"]
    try:
        yield f"postgres://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TASK_STATUSES = """
import json
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
rows = DBTaskResult.objects.values("status").annotate(n=Count("pk"))
print(json.dumps({row["status"]: row["n"] for row in rows}))
"""


def _shell(env, command):
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--command", command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


def _worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--interval", "0.1", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
    )


def _wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_every_purge_arrives_though_the_worker_is_killed_in_the_middle(
    tmp_path, recording_cache, worker_database
):
    env = _sqlite_env(tmp_path / "unused.sqlite3")
    env.update(
        DATABASE_URL=worker_database,
        FRONTEND_CACHE_URLS=recording_cache.url,
        CACHE_DIR=str(tmp_path / "cache"),
        # A task running longer than this is deemed lost with its worker.
        TASK_LEASE_SECONDS="1",
        TASK_RETRY_SECONDS="0.2",
    )
    _manage(env, "migrate", "--noinput")
    expected = {f"article-{pk}" for pk in _shell(env, MAKE_ARTICLES).split(",")}
    assert len(expected) == ARTICLES

    first = _worker(env)
    try:
        assert recording_cache.stalled.wait(60), "the first worker never reached the cache"
    finally:
        first.kill()  # SIGKILL, in the middle of the purge the cache holds
        first.wait(10)
    recording_cache.resume.set()
    lost_keys = recording_cache.received[HOLD_AT - 1]
    assert lost_keys, "no purge was in flight when the worker was killed"

    second = _worker(env)
    try:
        arrived = _wait_for(lambda: expected <= set().union(*recording_cache.answered), timeout=60)
    finally:
        second.terminate()
        second.wait(10)

    received = set().union(*recording_cache.answered)
    assert arrived, f"never purged: {sorted(expected - received)}"
    assert lost_keys <= received, "the purge in flight at the kill never arrived"
    statuses = json.loads(_shell(env, TASK_STATUSES))
    assert set(statuses) == {"SUCCESSFUL"}, statuses
