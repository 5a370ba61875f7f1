"""Who is reading the API, and how often they may: an API key from the `X-API-Key`
header, or none, each with its own rate limit counted in Django's cache."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.errors import HttpError
from ninja.security import APIKeyHeader
from ninja.throttling import BaseThrottle

from ..client_address import client_ip_address
from ..models import ApiKey

logger = logging.getLogger(__name__)

KEY_HEADER = "X-API-Key"
# What `request.auth` holds for a request without a key: anonymous reads are allowed.
ANONYMOUS = "anonymous"


class ApiKeyOrAnonymous(APIKeyHeader):
    """A key in `X-API-Key` must be one an editor issued and has not revoked (401
    otherwise); a request without the header reads anonymously, at the lower limit."""

    param_name = KEY_HEADER

    def authenticate(self, request, key):
        if key is None:
            return ANONYMOUS
        api_key = ApiKey.objects.for_key(key)
        if api_key is None:
            raise HttpError(401, f"{KEY_HEADER}: no such key, or it has been revoked.")
        return api_key


def count_request(name, window):
    """Count a request against `name` in the current window of `window` seconds: the
    count so far, or None when the cache cannot count, and the seconds left in the window.

    Fixed windows on the clock, so every worker agrees on the window without asking, and
    add() then incr() is one atomic count per request on Redis.
    """
    now = time.time()
    start = int(now // window) * window
    key = f"api-requests:{name}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add() and incr(): the window has just turned.
        cache.add(key, 1, timeout=window + 1)
        count = 1
    return count, max(1, int(start + window - now + 0.999))


class RateLimit(BaseThrottle):
    """API_RATE_LIMIT requests per key, API_ANONYMOUS_RATE_LIMIT per client address
    without one, each per API_RATE_WINDOW_SECONDS. Past it, django-ninja answers 429 with
    `wait()` as Retry-After."""

    def __init__(self):
        # One instance serves every request: the wait is kept per thread.
        self._local = threading.local()
        self._uncounted_window = None

    def allow_request(self, request):
        if isinstance(request.auth, ApiKey):
            name, limit = f"key-{request.auth.pk}", settings.API_RATE_LIMIT
        else:
            name = f"address-{client_ip_address(request)}"
            limit = settings.API_ANONYMOUS_RATE_LIMIT
        window = settings.API_RATE_WINDOW_SECONDS
        count, self._local.wait = count_request(name, window)
        if count is None:
            # A cache that cannot count (Redis down: django-redis ignores the error and
            # answers None) lets the request through: the API stays up with the cache
            # down, unlimited, which the log must say. Once a window per process, not
            # once a request: an outage would otherwise flood the log.
            if self._uncounted_window != (current := int(time.time() // window)):
                self._uncounted_window = current
                logger.warning(
                    "API rate limits are not enforced: the cache did not count a request; "
                    "requests are let through until it answers again"
                )
            return True
        return count <= limit

    def wait(self):
        return self._local.wait
