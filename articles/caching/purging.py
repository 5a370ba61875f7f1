"""Purging by surrogate key: every cache that may hold a page showing a key is told.

Django's own cache always (`DjangoCacheBackend`), then each HTTP cache in
FRONTEND_CACHE_BACKENDS (settings), behind one small interface as
`wagtail.contrib.frontend_cache` puts its backends: Varnish with the xkey vmod, or a CDN
that purges by surrogate key.
"""

import logging
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string

from .pages import SURROGATE_HEADER
from .tokens import LAST_PURGE_KEY, token_key

logger = logging.getLogger(__name__)


class PurgeBackend:
    """A cache that drops whatever it holds under any of some surrogate keys."""

    def purge_keys(self, keys):
        raise NotImplementedError


class DjangoCacheBackend(PurgeBackend):
    """Django's page and fragment caches: deleting a key's version token makes every
    stored page and fragment that recorded it a miss, with no scan over them."""

    def purge_keys(self, keys):
        # The last purge's token goes first: a page render that finds it unchanged after
        # reading its keys' tokens read them before this purge deleted any.
        cache.delete_many([LAST_PURGE_KEY, *(token_key(key) for key in keys)])


class HTTPPurgeBackend(PurgeBackend):
    """An HTTP cache purged by one request naming the keys in a header."""

    keys_header = None

    def __init__(self, location, *, method="PURGE", headers=None, timeout=2):
        self.location = location
        self.method = method
        self.headers = headers or {}
        self.timeout = timeout

    def purge_keys(self, keys):
        headers = {**self.headers, self.keys_header: " ".join(sorted(keys))}
        request = urllib.request.Request(self.location, method=self.method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except OSError as error:
            # A cache that cannot be reached must not fail the editor's save; its pages
            # expire by s-maxage anyway.
            logger.error("Could not purge %s at %s: %s", sorted(keys), self.location, error)


class VarnishBackend(HTTPPurgeBackend):
    """Varnish with the xkey vmod: `PURGE` with `xkey-purge` (deploy/varnish/default.vcl)."""

    keys_header = "xkey-purge"


class SurrogateKeyBackend(HTTPPurgeBackend):
    """A CDN that purges by surrogate key: the keys in `Surrogate-Key`, and what else its
    API asks for in OPTIONS (`method`, `headers` with its token)."""

    keys_header = SURROGATE_HEADER


def frontend_backends():
    """The HTTP caches in FRONTEND_CACHE_BACKENDS: `{"BACKEND": path, "LOCATION": url,
    "OPTIONS": {...}}` each, as Django's CACHES."""
    return [
        import_string(config["BACKEND"])(config["LOCATION"], **config.get("OPTIONS", {}))
        for config in settings.FRONTEND_CACHE_BACKENDS
    ]


def purge(keys):
    """Purge pages showing any of `keys`, after the current transaction commits."""
    keys = set(keys)
    if keys:
        transaction.on_commit(lambda: purge_now(keys))


def purge_now(keys):
    for backend in (DjangoCacheBackend(), *frontend_backends()):
        backend.purge_keys(keys)
