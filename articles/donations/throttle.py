"""How many payment sessions one client address may start, counted in Django's cache."""

from django.conf import settings
from django.core.cache import cache

from ..client_address import client_ip_address


def allow_session(request):
    """Count a session started from the request's address; False once over the limit."""
    key = f"donation-sessions:{client_ip_address(request)}"
    window = settings.DONATION_SESSION_WINDOW_SECONDS
    # add() starts the window only for the first session; incr() never moves its end.
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add() and incr(): a new window.
        cache.add(key, 1, window)
        count = 1
    return count <= settings.DONATION_SESSION_LIMIT
