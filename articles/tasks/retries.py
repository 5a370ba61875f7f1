"""Retries with backoff, parking, and tasks lost with their worker.

django-tasks has no retry policy, so this is the smallest one that serves: when a task
of the database backend fails, its row is made ready again with `run_after` pushed back
(TASK_RETRY_SECONDS, doubled each attempt up to TASK_RETRY_MAX_SECONDS). The row is the
same one, so its `worker_ids` count the attempts and its traceback shows the latest
error. After TASK_MAX_ATTEMPTS the row stays failed: parked, with its error, in the admin
(django-tasks-db's "Task results", filtered by status), never run again by itself.

A worker killed while it runs a task leaves the row "running" for good; `requeue_lost`
(run by every `db_worker`, articles/management/commands/db_worker.py) makes such a row
ready again once it has run longer than TASK_LEASE_SECONDS. Tasks are idempotent, so a
slow task run twice does no harm.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks.signals import task_finished
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def retry_delay(attempts):
    """Seconds before the next attempt of a task that failed `attempts` times."""
    return min(
        settings.TASK_RETRY_SECONDS * 2 ** max(attempts - 1, 0), settings.TASK_RETRY_MAX_SECONDS
    )


def can_defer(task):
    """Whether the task's backend keeps a task until a later time (`run_after`)."""
    return task_backends[task.backend].supports_defer


@receiver(task_finished)
def _retry_or_park(sender, task_result, **kwargs):
    # django-tasks-db's worker sends the backend's class on failure, its instance on
    # success.
    backend = sender if isinstance(sender, type) else type(sender)
    if not issubclass(backend, DatabaseBackend):
        return
    if task_result.status != TaskResultStatus.FAILED:
        return
    attempts = len(task_result.worker_ids)
    if attempts >= settings.TASK_MAX_ATTEMPTS:
        logger.error(
            "Task %s (%s) parked after %d attempts",
            task_result.id,
            task_result.task.name,
            attempts,
        )
        return
    DBTaskResult.objects.filter(pk=task_result.id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now() + timedelta(seconds=retry_delay(attempts)),
        finished_at=None,
    )


def requeue_lost():
    """Put back the tasks whose worker stopped while running them; park those that have
    already used up their attempts (a task that kills its worker each time). Returns how
    many were put back."""
    started_before = timezone.now() - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    requeued = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=started_before):
        lost = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            lost.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="articles.tasks.retries.WorkerLost",
                traceback=f"The worker running this task stopped {len(row.worker_ids)} times.",
            )
            logger.error("Task %s parked: its worker stopped each time", row.pk)
        elif lost.update(status=TaskResultStatus.READY):
            requeued += 1
            logger.warning("Task %s put back: its worker stopped while running it", row.pk)
    return requeued


class WorkerLost(Exception):
    """The worker running a task stopped (killed, its machine gone) before it finished."""
