"""Work outside the request: the chores a change needs, run by worker processes.

Each chore is a django-tasks task (the backport of Django 6's `django.tasks`) on its
database backend (django-tasks-db): enqueuing writes a row in the transaction of the
change that needs it, so the change and its chore commit together or not at all, and
`manage.py db_worker` processes run the rows. The tasks live beside the code they run:

- `caching.purging.purge_cache`: one cache (Django's, a Varnish, a CDN) told to drop keys;
- `donations.receipts.send_receipt`: a donor's receipt;
- `tasks.renditions.cut_renditions`: the resized copies of a new lead image;
- `tasks.relinking.relink_mentions`: every article's organisation links after an
  organisation's names change;

and this room holds what they share:

- `retries`: a failed task is run again later, with backoff, and parked after
  TASK_MAX_ATTEMPTS; a task whose worker died is put back;
- `pruning`: rows of tasks finished long ago deleted by the workers themselves;
- `backends.NotifyingDatabaseBackend` and `wakeups`: on PostgreSQL a task's commit wakes
  the waiting workers (NOTIFY / LISTEN), rather than their next poll;
- `backends.OnCommitBackend`: tasks run in the process once the transaction commits,
  for the test suite.
"""

from .pruning import prune_finished
from .retries import can_defer, requeue_lost

__all__ = ["can_defer", "prune_finished", "requeue_lost"]
