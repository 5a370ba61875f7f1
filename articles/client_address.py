"""The address a request came from, as the proxies in front of gunicorn saw it.

Behind nginx or Varnish every request reaches Django from the proxy's address, so
django-axes, locking on REMOTE_ADDR, would lock everyone out together. Each proxy appends
the address it was connected from to X-Forwarded-For; entries further left were written
by the client and could say anything, so only the last TRUSTED_PROXY_COUNT entries are
believed, and only on a request that came from one of FORWARDED_ALLOW_IPS.
"""

import ipaddress

from django.conf import settings


def client_ip_address(request):
    direct = request.META.get("REMOTE_ADDR")
    # "*" trusts every client, as it does for gunicorn: only for a server no one but the
    # proxies can reach.
    trusted = "*" in settings.FORWARDED_ALLOW_IPS or direct in settings.FORWARDED_ALLOW_IPS
    if not trusted or settings.TRUSTED_PROXY_COUNT < 1:
        return direct
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < settings.TRUSTED_PROXY_COUNT:
        return direct
    # The outermost trusted proxy's entry: the address its own client connected from.
    candidate = forwarded[-settings.TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # A proxy that sent no address, or something that is not one: the proxy is the
        # best that is known, and a garbled header must not pick a fresh identity.
        return direct
