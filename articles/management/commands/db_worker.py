"""django-tasks-db's worker, woken as soon as a task is written, which also puts back
the tasks a dead worker left running and forgets finished ones. This command is found
first because `articles` comes before `django_tasks_db` in INSTALLED_APPS.

- Woken: the library's loop sleeps --interval whenever the queue is empty, so a purge
  written just after a poll waited up to that long (0.25 s on average at 0.5) before
  Varnish heard of it. `Worker` below is the same loop with that sleep replaced by a
  wait that the commit of a task cuts short (PostgreSQL's NOTIFY,
  articles/tasks/wakeups.py); --interval remains the longest wait.
- Put back: the library marks a task "running" when it takes it, so a worker killed in
  the middle (SIGKILL, out of memory, its machine gone) leaves the row running for ever
  and the task, a purge or a receipt, is never done. A thread beside the worker puts
  such rows back (`articles.tasks.requeue_lost`) once they have run longer than
  TASK_LEASE_SECONDS, and every TASK_PRUNE_SECONDS deletes the rows of tasks finished
  long ago (`articles.tasks.prune_finished`): no cron job to forget.
"""

import logging
import os
import random
import threading
import time

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from articles.tasks import prune_finished, requeue_lost
from articles.tasks.wakeups import WakeUps, notify_workers

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = (
        "Run a database background worker (django-tasks-db's), putting back the tasks "
        "of workers that died while running them."
    )

    def handle(self, *args, **options):
        # With the autoreloader, handle() runs in the watching parent and again in the
        # child that works: only the child needs the thread.
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            threading.Thread(target=_housekeeping_forever, daemon=True).start()
        # django-tasks-db's handle() makes its worker from the name in its own module.
        upstream = db_worker.Worker
        db_worker.Worker = Worker
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = upstream


class Worker(db_worker.Worker):
    """django-tasks-db's worker loop (0.13), waiting between polls on `WakeUps` rather
    than sleeping: one poll finds the next ready task, which is claimed and run; when
    there is none the worker waits for a notification, or --interval at most."""

    def run(self):
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # workers started together do not poll together
        wake_ups = WakeUps(DBTaskResult.objects.db)
        try:
            while self.running:
                close_old_connections()
                claimed, task_result = self._claim_next()
                if task_result is not None:
                    self.run_task(task_result)
                elif self.batch and claimed:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and task_result is None:
                    wake_ups.wait(self.interval)
        finally:
            wake_ups.close()

    def _claim_next(self):
        """(whether the queue could be read, the task claimed or None)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # so no other worker runs it
        except OperationalError as error:
            # A locked SQLite database unlocks soon: try again at the next poll.
            if is_locked_database_exception(error):
                return False, None
            raise
        return True, task_result


def _housekeeping_forever():
    # Checking four times a lease puts a lost task back at most 1.25 leases after it began.
    pause = max(settings.TASK_LEASE_SECONDS / 4, 0.1)
    housekeeping = Housekeeping()
    while True:
        close_old_connections()
        try:
            housekeeping.run(time.monotonic())
        except DatabaseError:
            # A locked or restarting database: the next round tries again.
            logger.exception("Task housekeeping failed")
            connection.close()
        time.sleep(pause)


class Housekeeping:
    """One round of a worker's housekeeping: lost tasks put back each round, finished
    ones pruned at the first round and then every TASK_PRUNE_SECONDS."""

    def __init__(self):
        self.last_pruned = None

    def run(self, now):
        if requeue_lost():
            notify_workers(DBTaskResult)
        if self.last_pruned is None or now - self.last_pruned >= settings.TASK_PRUNE_SECONDS:
            prune_finished()
            self.last_pruned = now
