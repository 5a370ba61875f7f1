"""A worker takes a new task as soon as its transaction commits (articles/tasks/wakeups.py):
on PostgreSQL the commit's NOTIFY wakes it, and its poll every --interval is the
fallback. The worker runs in a thread of the test's process, over committed rows."""

import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles.cache_keys import FRONT
from articles.caching.purging import DJANGO_CACHE, purge_cache
from articles.management.commands.db_worker import Housekeeping, Worker

from .conftest import worker_options

pytestmark = pytest.mark.django_db(transaction=True)
# NOTIFY is PostgreSQL's; SQLite workers poll. Deselected on SQLite, never skipped.
on_postgresql = pytest.mark.only_on("postgresql")


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "articles.tasks.backends.NotifyingDatabaseBackend"}}


@pytest.fixture
def listener():
    """A connection of the test's own, listening where the workers listen."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as listening:
        listening.execute("LISTEN newsroom_tasks")
        yield listening


def _notified(listening, timeout=0.5):
    return len(list(listening.notifies(timeout=timeout)))


@pytest.fixture
def worker():
    """A worker started in a thread with `interval` as its poll, which stops after its
    first task; returns when it is waiting (listening, on PostgreSQL)."""
    threads = []

    def start(interval):
        worker = Worker(**worker_options(interval=interval, max_tasks=1))

        def run():
            try:
                worker.run()
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append((worker, thread))
        _wait_until_waiting()
        return thread

    yield start
    for worker, thread in threads:
        worker.running = False
        thread.join(timeout=60)


def _wait_until_waiting():
    if connection.vendor == "postgresql":
        deadline = time.monotonic() + 10
        while not _listening_connections():
            assert time.monotonic() < deadline, "the worker never listened"
            time.sleep(0.05)
    # Past its first poll of the empty queue, into its wait.
    time.sleep(0.3)


def _listening_connections():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE query = 'LISTEN newsroom_tasks' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _seconds_until_done(task_id, timeout):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            status = DBTaskResult.objects.filter(pk=task_id).values_list("status", flat=True).get()
        except OperationalError:
            # The test's in-memory SQLite database is shared between threads by table
            # locks, which fail at once rather than wait: the worker holds it.
            status = None
        if status == TaskResultStatus.SUCCESSFUL:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


@on_postgresql
def test_a_waiting_worker_takes_a_new_task_at_once_not_at_its_next_poll(worker):
    thread = worker(interval=30)
    task_id = purge_cache.enqueue(DJANGO_CACHE, [FRONT]).id
    took = _seconds_until_done(task_id, timeout=10)
    assert took is not None and took < 2, f"done after {took} s of a 30 s poll"
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_without_a_notification_the_worker_finds_the_task_at_its_next_poll(worker):
    worker(interval=0.2)
    # Written with no NOTIFY, as on SQLite or by django-tasks-db's own backend.
    task_id = DBTaskResult.objects.create(
        args_kwargs={"args": [DJANGO_CACHE, [FRONT]], "kwargs": {}},
        task_path=purge_cache.module_path,
        backend_name="default",
    ).pk
    assert _seconds_until_done(task_id, timeout=10) is not None


@on_postgresql
def test_the_workers_are_notified_when_the_tasks_transaction_commits_and_only_then(listener):
    with transaction.atomic():
        purge_cache.enqueue(DJANGO_CACHE, [FRONT])
        purge_cache.enqueue(DJANGO_CACHE, ["search"])
        assert _notified(listener) == 0, "woken before the row can be seen"
    assert _notified(listener) == 1  # one wake-up for the transaction's tasks

    with pytest.raises(RuntimeError), transaction.atomic():
        purge_cache.enqueue(DJANGO_CACHE, [FRONT])
        raise RuntimeError("the save failed")
    assert _notified(listener) == 0


@on_postgresql
def test_a_task_deferred_to_later_wakes_no_worker(listener):
    purge_cache.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(DJANGO_CACHE, [FRONT])
    assert _notified(listener) == 0


@on_postgresql
def test_a_task_put_back_after_its_worker_died_wakes_the_workers(listener, settings):
    settings.TASK_LEASE_SECONDS = 1
    task_id = purge_cache.enqueue(DJANGO_CACHE, [FRONT]).id
    _notified(listener)
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=DBTaskResult.objects.get(pk=task_id).enqueued_at,
        worker_ids=["killed-worker"],
    )
    time.sleep(1.1)
    Housekeeping().run(time.monotonic())
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY
    assert _notified(listener) == 1
