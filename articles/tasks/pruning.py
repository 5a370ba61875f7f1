"""Forgetting finished tasks: every save leaves a row per cache, which would otherwise
pile up for ever. Successful rows go after TASK_KEEP_DAYS; parked (failed) ones stay
TASK_KEEP_FAILED_DAYS, long enough for an editor to see them in the admin."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def prune_finished():
    """Delete the rows of tasks finished long enough ago; returns how many."""
    now = timezone.now()
    old = DBTaskResult.objects.finished().filter(
        Q(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at__lte=now - timedelta(days=settings.TASK_KEEP_DAYS),
        )
        | Q(
            status=TaskResultStatus.FAILED,
            finished_at__lte=now - timedelta(days=settings.TASK_KEEP_FAILED_DAYS),
        )
    )
    deleted, _ = old.delete()
    if deleted:
        logger.info("Pruned %d finished task(s)", deleted)
    return deleted
