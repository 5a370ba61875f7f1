"""Page caching by surrogate key.

Every cached reader page declares the objects it shows as surrogate keys
(`article-12`, `organisation-3`, `topic-5`, `appeal-1`, and list keys such as `front`).
Saving or deleting an object purges its keys once the transaction commits:

- in Django's cache, by deleting each key's version token, so every stored page that
  recorded the old token is a miss on its next request (no scan over pages needed);
- in the HTTP caches named in FRONTEND_CACHE_URLS (Varnish with xkey, or a CDN that
  purges by surrogate key), by one purge request naming the keys.

Requests from logged-in staff, previews and share links never read or fill a cache.
"""

import hashlib
import logging
import secrets
import urllib.request
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

KEY_HEADER = "xkey"
SURROGATE_HEADER = "Surrogate-Key"
_PAGE_PREFIX = "page:"
_VERSION_PREFIX = "surrogate:"
_FRAGMENT_PREFIX = "fragment:"


# --- Which keys an object stands for ----------------------------------------------------


def object_key(obj):
    """The surrogate key of one object, e.g. `article-12`."""
    return f"{obj._meta.model_name}-{obj.pk}"


def keys_for(*items):
    """Surrogate keys for strings, model instances and iterables of them (pages, lists)."""
    keys = set()
    for item in items:
        if item is None:
            continue
        if isinstance(item, str):
            keys.add(item)
        elif hasattr(item, "_meta"):
            keys.add(object_key(item))
        else:
            keys |= keys_for(*item)
    return keys


def tag_response(response, *items):
    """Declare what a response shows; the cache decorator and HTTP caches read this."""
    keys = getattr(response, "surrogate_keys", set()) | keys_for(*items)
    response.surrogate_keys = keys
    header = " ".join(sorted(keys))
    response[KEY_HEADER] = header
    response[SURROGATE_HEADER] = header
    return response


# --- Django's own page cache --------------------------------------------------------------


def _bypasses_cache(request):
    # The session cookie means a logged-in editor: they must see their own changes and
    # the admin toolbar at once, and their pages must never be served to readers.
    return (
        request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or not settings.PAGE_CACHE_SECONDS
    )


def _lifetime():
    """Seconds a page may be cached: never past the next scheduled publication, so a
    scheduled article appears on every list at its time without anyone purging."""
    from .models import Article

    lifetime = settings.PAGE_CACHE_SECONDS
    if (due := Article.objects.next_scheduled_at()) is not None:
        lifetime = min(lifetime, max(1, int((due - timezone.now()).total_seconds()) + 1))
    return lifetime


def _page_key(request):
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{_PAGE_PREFIX}{request.get_host()}:{digest}"


def _current_versions(keys):
    """Each key's version token, creating tokens for keys that have none yet."""
    found = cache.get_many([f"{_VERSION_PREFIX}{key}" for key in keys])
    missing = {
        f"{_VERSION_PREFIX}{key}": secrets.token_hex(8)
        for key in keys
        if f"{_VERSION_PREFIX}{key}" not in found
    }
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return found


def _stored_page(request):
    entry = cache.get(_page_key(request))
    if entry is None:
        return None
    versions, response = entry
    # A purge deletes a key's token, so any page that recorded it no longer matches.
    if cache.get_many(list(versions)) != versions:
        return None
    return response


def cached_page(view):
    """Make a reader page cacheable until one of its surrogate keys is purged.

    The view marks its response (headers, lifetime); PageCacheMiddleware stores it and
    serves it again, ahead of the rest of the middleware.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if _bypasses_cache(request):
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                patch_cache_control(response, private=True, no_store=True)
            return response
        if response.status_code != 200 or response.streaming:
            patch_cache_control(response, no_store=True)
            return response
        if hasattr(response, "render"):
            response.render()
        lifetime = _lifetime()
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=lifetime, stale_while_revalidate=30
        )
        patch_vary_headers(response, ["Accept-Encoding"])
        response.page_cache_lifetime = lifetime
        response["X-Cache"] = "MISS"
        return response

    return wrapper


class PageCacheMiddleware:
    """Serve cached reader pages before the middleware below it runs.

    A hit skips sessions, authentication, CSRF, messages and the rest, which cost
    more than the hit itself; a page is stored as that middleware left it, so a hit
    carries the same headers. Never stored: responses that set a cookie, and anything
    a view did not mark with `cached_page`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _bypasses_cache(request):
            return self.get_response(request)
        stored = _stored_page(request)
        if stored is not None:
            stored["X-Cache"] = "HIT"
            return stored
        response = self.get_response(request)
        lifetime = getattr(response, "page_cache_lifetime", None)
        keys = getattr(response, "surrogate_keys", set())
        if lifetime and keys and not response.cookies:
            versions = _current_versions(keys)
            cache.set(_page_key(request), (versions, response), timeout=lifetime)
        return response


def cached_fragment(name, depends_on, build):
    """A part of many pages, built once and shared by them until a key in `depends_on`
    is purged (the appeal box, say, which every page shows and only a donation changes).

    `build()` returns any picklable value. The keys' versions are read before it runs:
    a purge that lands while it runs leaves the stored copy outdated, a miss next time,
    rather than a stale hit. With FRAGMENT_CACHE_SECONDS at 0 it is built every time.
    """
    if not settings.FRAGMENT_CACHE_SECONDS:
        return build()
    fragment_key = f"{_FRAGMENT_PREFIX}{name}"
    # One round trip on a hit: the fragment and the versions it must match.
    found = cache.get_many([fragment_key, *(f"{_VERSION_PREFIX}{key}" for key in depends_on)])
    entry = found.pop(fragment_key, None)
    versions = found if len(found) == len(depends_on) else _current_versions(depends_on)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = build()
    cache.set(fragment_key, (versions, value), timeout=settings.FRAGMENT_CACHE_SECONDS)
    return value


def cached_with_keys(view, *keys):
    """Cache a view that cannot tag its own response (feeds, sitemaps) under fixed keys."""

    @wraps(view)
    def tagged(request, *args, **kwargs):
        return tag_response(view(request, *args, **kwargs), *keys)

    return cached_page(tagged)


# --- Purging ------------------------------------------------------------------------------


def purge(keys):
    """Purge pages showing any of `keys`, after the current transaction commits."""
    keys = set(keys)
    if keys:
        transaction.on_commit(lambda: purge_now(keys))


def purge_now(keys):
    cache.delete_many([f"{_VERSION_PREFIX}{key}" for key in keys])
    for url in settings.FRONTEND_CACHE_URLS:
        _purge_frontend(url, keys)


def _purge_frontend(url, keys):
    # Varnish's xkey vmod reads the keys from `xkey-purge`; surrogate-key CDNs from
    # `Surrogate-Key`. Sending both lets one purge request serve either.
    request = urllib.request.Request(
        url,
        method="PURGE",
        headers={"xkey-purge": " ".join(sorted(keys)), SURROGATE_HEADER: " ".join(sorted(keys))},
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            response.read()
    except OSError as error:
        # A cache that cannot be reached must not fail the editor's save; its pages
        # expire by s-maxage anyway.
        logger.error("Could not purge %s at %s: %s", sorted(keys), url, error)
