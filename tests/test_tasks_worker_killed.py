"""A worker killed (SIGKILL) in the middle of a batch of purges: every purge still
arrives. Real processes: `manage.py db_worker` over a SQLite file, purging a stand-in
HTTP cache that records what it is told."""

import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest

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


def test_every_purge_arrives_though_the_worker_is_killed_in_the_middle(tmp_path, recording_cache):
    database = tmp_path / "newsroom.sqlite3"
    env = _sqlite_env(database)
    env.update(
        FRONTEND_CACHE_URLS=recording_cache.url,
        CACHE_DIR=str(tmp_path / "cache"),
        # A task running longer than this is deemed lost with its worker.
        TASK_LEASE_SECONDS="1",
        TASK_RETRY_SECONDS="0.2",
    )
    _manage(env, "migrate", "--noinput")
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "--command", MAKE_ARTICLES],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    expected = {f"article-{pk}" for pk in made.stdout.strip().splitlines()[-1].split(",")}
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
    with closing(sqlite3.connect(database)) as db:
        statuses = dict(
            db.execute(
                "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY 1"
            )
        )
    assert set(statuses) == {"SUCCESSFUL"}, statuses
