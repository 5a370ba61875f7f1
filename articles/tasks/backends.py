"""The task backends: django-tasks-db's, waking the workers when a task is written (the
deploy default), and one that runs each task in the enqueuing process once its
transaction commits: the test suite's, where most tests want a save's chores done when
the save commits, without a worker process (the durability tests use the database
backend)."""

from functools import partial

from django.db import transaction
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db import DatabaseBackend

from .wakeups import notify_workers


class NotifyingDatabaseBackend(DatabaseBackend):
    """django-tasks-db's backend, whose enqueue also wakes the workers when the task's
    transaction commits (wakeups.py); a task deferred to later is left to their polls."""

    def enqueue(self, task, args, kwargs):
        # Imported here, as django-tasks-db does: a backend may be made (by a @task
        # decorator) before the app registry is ready.
        from django_tasks_db.models import DBTaskResult

        result = super().enqueue(task, args, kwargs)
        if task.run_after is None:
            notify_workers(DBTaskResult)
        return result


class OnCommitBackend(ImmediateBackend):
    """django-tasks' ImmediateBackend runs a task inside `enqueue()`, before the
    transaction that wrote the change has committed: a purge would then precede the
    commit, and a page rendered in between would be stored stale. This one runs it after
    the commit (at once outside a transaction), as a worker would find the row.

    A task that fails is logged and recorded on its result, not retried: retries need
    the stored rows of the database backend.
    """

    def _execute_task(self, task_result):
        transaction.on_commit(partial(super()._execute_task, task_result))
