"""Waking the workers when a task is written, rather than at their next poll.

On PostgreSQL the transaction that writes a task also sends NOTIFY, which PostgreSQL
delivers when (and only if) that transaction commits, so a worker never wakes for a row
it cannot see yet; every worker LISTENs while it waits between polls. A purge then
leaves the queue within milliseconds of the editor's commit instead of up to a whole
--interval later. Polling every --interval stays the fallback: on SQLite, while the
listening connection is lost, and for a task deferred to a later time (`run_after`),
which no notification announces when it falls due.
"""

import logging
import time

from django.db import DatabaseError, connections, router

logger = logging.getLogger(__name__)

CHANNEL = "newsroom_tasks"


def notify_workers(model):
    """Wake the workers listening on `model`'s database once the current transaction
    commits (at once outside one). PostgreSQL sends one notification per channel per
    transaction, however many tasks the transaction wrote."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


class WakeUps:
    """A worker's wait between polls: until a task is written, or `timeout` seconds.

    The listening connection is a second one of its own, opened at the first wait (a
    worker in --batch mode never waits) and kept across waits, so a notification sent
    while the worker was running a task is still there when it next waits.
    """

    def __init__(self, using):
        self.using = using
        self.listener = None

    def wait(self, timeout):
        """Return when a task may be ready: woken, or after `timeout` seconds."""
        if connections[self.using].vendor != "postgresql":
            time.sleep(timeout)
            return
        if self.listener is None:
            try:
                self.listener = self._listen()
            except DatabaseError:
                logger.warning("Cannot listen for new tasks; polling only", exc_info=True)
                time.sleep(timeout)
            # Tasks written before the LISTEN took effect woke no one: poll first.
            return
        try:
            for _ in self.listener.notifies(timeout=timeout, stop_after=1):
                pass
            # Commits that came together wake the worker once: it runs every ready task
            # before it waits again.
            for _ in self.listener.notifies(timeout=0):
                pass
        except Exception:
            # The server restarted, say: listen again at the next wait, poll meanwhile.
            logger.warning("Lost the connection listening for new tasks", exc_info=True)
            self.close()
            time.sleep(timeout)

    def close(self):
        if self.listener is not None:
            try:
                self.listener.close()
            except Exception:
                pass
            self.listener = None

    def _listen(self):
        connection = connections[self.using]
        try:
            listener = connection.get_new_connection(connection.get_connection_params())
        except Exception as error:
            raise DatabaseError(str(error)) from error
        listener.autocommit = True
        listener.execute(f"LISTEN {CHANNEL}")
        return listener
