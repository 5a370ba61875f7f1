"""django-tasks-db's worker, which also puts back the tasks a dead worker left running
and forgets finished ones.

Its own `db_worker` marks a task "running" when it takes it, so a worker killed in the
middle (SIGKILL, out of memory, its machine gone) leaves the row running for ever and the
task, a purge or a receipt, is never done. This command, found first because `articles`
comes before `django_tasks_db` in INSTALLED_APPS, runs the same worker with a thread
beside it that puts such rows back (`articles.tasks.requeue_lost`) once they have run
longer than TASK_LEASE_SECONDS, and every TASK_PRUNE_SECONDS deletes the rows of tasks
finished long ago (`articles.tasks.prune_finished`): no cron job to forget.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from articles.tasks import prune_finished, requeue_lost

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
        super().handle(*args, **options)


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
        requeue_lost()
        if self.last_pruned is None or now - self.last_pruned >= settings.TASK_PRUNE_SECONDS:
            prune_finished()
            self.last_pruned = now
