"""Purging by surrogate key: every cache that may hold a page showing a key is told.

Django's own cache always (`DjangoCacheBackend`), then each HTTP cache in
FRONTEND_CACHE_BACKENDS (settings), behind one small interface as
`wagtail.contrib.frontend_cache` puts its backends: Varnish with the xkey vmod, or a CDN
that purges by surrogate key.

A purge is a task per cache (`purge_cache`), written in the transaction of the change
(articles/tasks/): the editor's save waits on no cache, a cache that is down or slow is
tried again until it answers, and one cache's failure never repeats another's purge.

A soft purge (`purge(keys, soft=True)`, a donation's) lets an HTTP cache that can serve
stale pages keep the old copy for the readers who ask while it fetches the new one:
the appeal box every page includes changes with each gift, and with a hard purge every
page delivered meanwhile waited on the box's fetch from a busy node.
"""

import logging
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django_tasks import task

from newsroom.replicas import wait_for_replay

from ..tasks import can_defer
from .pages import SURROGATE_HEADER
from .tokens import LAST_PURGE_KEY, token_key

logger = logging.getLogger(__name__)


class PurgeBackend:
    """A cache that drops whatever it holds under any of some surrogate keys."""

    def purge_keys(self, keys):
        raise NotImplementedError

    def soft_purge_keys(self, keys):
        """Drop `keys`, or let readers have the old copies while the new are fetched:
        a cache that cannot serve stale copies drops them."""
        self.purge_keys(keys)


class DjangoCacheBackend(PurgeBackend):
    """Django's page and fragment caches: deleting a key's version token makes every
    stored page and fragment that recorded it a miss, with no scan over them."""

    def purge_keys(self, keys):
        # The last purge's token goes first: a page render that finds it unchanged after
        # reading its keys' tokens read them before this purge deleted any.
        tokens = [LAST_PURGE_KEY, *(token_key(key) for key in keys)]
        # django-redis ignores a Redis outage (IGNORE_EXCEPTIONS, so readers never see
        # one); its client does not, so a purge made while Redis is away fails and is
        # tried again, rather than lost while Redis comes back with the old pages.
        getattr(cache, "client", cache).delete_many(tokens)


class HTTPPurgeBackend(PurgeBackend):
    """An HTTP cache purged by one request naming the keys in a header."""

    keys_header = None

    def __init__(self, location, *, method="PURGE", headers=None, timeout=2):
        self.location = location
        self.method = method
        self.headers = headers or {}
        self.timeout = timeout

    def purge_keys(self, keys):
        self._send(self.keys_header, keys)

    def _send(self, keys_header, keys):
        headers = {**self.headers, keys_header: " ".join(sorted(keys))}
        request = urllib.request.Request(self.location, method=self.method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except OSError as error:
            # Raised, so the purge task is tried again (articles/tasks/retries.py).
            logger.error("Could not purge %s at %s: %s", sorted(keys), self.location, error)
            raise


class VarnishBackend(HTTPPurgeBackend):
    """Varnish with the xkey vmod: `PURGE` with `xkey-purge` (deploy/varnish/default.vcl)."""

    keys_header = "xkey-purge"

    def soft_purge_keys(self, keys):
        # xkey.softpurge: the objects expire but stay in grace (deploy/varnish/default.vcl).
        self._send("xkey-softpurge", keys)


class SurrogateKeyBackend(HTTPPurgeBackend):
    """A CDN that purges by surrogate key: the keys in `Surrogate-Key`, and what else its
    API asks for in OPTIONS (`method`, `headers` with its token)."""

    keys_header = SURROGATE_HEADER


# The name of Django's own cache among the purge tasks' targets; an HTTP cache is named by
# its LOCATION.
DJANGO_CACHE = "django"
# A soft purge (a gift's new total) waits behind every outright one (an edit): after a
# worker's outage, or under a flood of donations, the queue holds many of them, and an
# edit's page must not wait for each to be sent first.
SOFT_PURGE_PRIORITY = -10


def _backends():
    """Every cache to purge, by name: Django's, then the HTTP caches in
    FRONTEND_CACHE_BACKENDS (`{"BACKEND": path, "LOCATION": url, "OPTIONS": {...}}` each,
    as Django's CACHES)."""
    backends = {DJANGO_CACHE: DjangoCacheBackend()}
    for config in settings.FRONTEND_CACHE_BACKENDS:
        backend_class = import_string(config["BACKEND"])
        backends[config["LOCATION"]] = backend_class(
            config["LOCATION"], **config.get("OPTIONS", {})
        )
    return backends


@task()
def purge_cache(cache_name, keys, soft=False):
    """Tell one cache to drop `keys` (softly: `PurgeBackend.soft_purge_keys`).
    Idempotent: a repeated purge drops nothing more.

    A cache no longer configured (its URL removed since the task was written) is skipped.
    """
    backend = _backends().get(cache_name)
    if backend is None:
        logger.warning("Purge for %s skipped: no such cache is configured now", cache_name)
        return
    # The readers' replicas must have the change first, or the page fetched after the
    # purge may be rendered from one that has not, and cached without it.
    wait_for_replay(timeout=settings.PURGE_REPLICA_WAIT_SECONDS)
    if soft:
        backend.soft_purge_keys(set(keys))
    else:
        backend.purge_keys(set(keys))


def purge(keys, *, at=None, soft=False):
    """Purge pages showing any of `keys` from every cache, once the current transaction
    commits: a task per cache, written in that transaction. With `at`, the purge waits
    until then (a scheduled article going live), where the task backend can wait. With
    `soft`, readers may get the old copies while an HTTP cache fetches new ones."""
    keys = sorted(set(keys))
    if not keys:
        return
    task_ = purge_cache
    if at is not None:
        if not can_defer(purge_cache):
            return
        task_ = purge_cache.using(run_after=at)
    if soft:
        task_ = task_.using(priority=SOFT_PURGE_PRIORITY)
    for cache_name in _backends():
        if soft:
            task_.enqueue(cache_name, keys, soft=True)
        else:
            task_.enqueue(cache_name, keys)


def purge_now(keys):
    """Purge `keys` from every cache at once, in this process, with no retry: a cache that
    fails is logged and the next one still purged."""
    for name, backend in _backends().items():
        try:
            backend.purge_keys(set(keys))
        except Exception:
            logger.exception("Purge of %s failed", name)
