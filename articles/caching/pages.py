"""Django's page cache: reader pages stored until a surrogate key they show is purged.

A page is stored under its address with only the query parameters its view reads (each
view declares them: `@cached_page(query=("page",))`), so `?utm_source=1…N` is one stored
page, not N. Requests from logged-in staff, previews and share links never read or fill
the cache.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode

from ..cache_keys import object_key
from ..pagination import MAX_PAGES
from .tokens import LAST_PURGE_KEY, current_versions, new_token

KEY_HEADER = "xkey"
SURROGATE_HEADER = "Surrogate-Key"
_PAGE_PREFIX = "page:"


# --- Which keys a page shows ---------------------------------------------------------------


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


# --- Storing and serving pages -------------------------------------------------------------


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
    from ..models import Article

    lifetime = settings.PAGE_CACHE_SECONDS
    if (due := Article.objects.next_scheduled_at()) is not None:
        lifetime = min(lifetime, max(1, int((due - timezone.now()).total_seconds()) + 1))
    return lifetime


def _list_page_number(value):
    """`?page=` in one form per page it shows, as the paginator reads it (`get_page`):
    anything but a whole number is the first page, and a number past the last page
    (which is never past MAX_PAGES) or below the first is the last page."""
    try:
        number = int(value)
    except ValueError:
        return ""
    if not 1 <= number <= MAX_PAGES:
        number = MAX_PAGES
    return "" if number == 1 else str(number)


def _page_query(query, names):
    """The query string of a page's cache key and of what its view is given: only the
    parameters the view reads (`names`), sorted, their last value (the one `GET.get()`
    returns), and none left empty, which reads as absent."""
    kept = []
    for name in sorted(names):
        value = query.get(name, "")
        if name == "page":
            value = _list_page_number(value)
        if value:
            kept.append((name, value))
    return urlencode(kept)


def _page_key(request):
    try:
        names = getattr(resolve(request.path_info).func, "page_query", ())
    except Resolver404:
        names = ()
    address = f"{request.path}?{_page_query(request.GET, names)}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"{_PAGE_PREFIX}{request.get_host()}:{digest}"


def _stored_page(page_key):
    """The stored page, if no key it shows was purged since, and the last purge's token
    (read in the same round trip, for storing the page afresh on a miss)."""
    found = cache.get_many([page_key, LAST_PURGE_KEY])
    entry, last_purge = found.get(page_key), found.get(LAST_PURGE_KEY)
    if entry is not None:
        versions, response = entry
        # A purge deletes a key's token, so any page that recorded it no longer matches.
        if cache.get_many(list(versions)) == versions:
            return response, last_purge
    if last_purge is None:
        last_purge = new_token()
        cache.set(LAST_PURGE_KEY, last_purge, timeout=None)
    return None, last_purge


def cached_page(view=None, *, query=()):
    """Make a reader page cacheable until one of its surrogate keys is purged.

    `query` names the query parameters the view reads; it is given no others, and the
    page is stored once whatever else its address carries. The view marks its response
    (headers, lifetime); PageCacheMiddleware stores it and serves it again, ahead of the
    rest of the middleware. Use as `@cached_page` or `@cached_page(query=("page",))`.
    """
    if view is None:
        return lambda view: cached_page(view, query=query)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # The view sees only what the page's cache key holds, so a stored page never
        # carries a parameter of the request it was rendered for (in its page links, say).
        request.GET = QueryDict(_page_query(request.GET, query), encoding=request.encoding)
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
        response.page_cache_lifetime = mark_shared(response)
        response["X-Cache"] = "MISS"
        return response

    # Read by PageCacheMiddleware, which keys the page before the view runs.
    wrapper.page_query = tuple(query)
    return wrapper


def mark_shared(response):
    """Let HTTP caches keep a response readers share (until a purge of its keys, or its
    lifetime, which this returns); browsers ask again each time, with its ETag."""
    lifetime = _lifetime()
    patch_cache_control(
        response, public=True, max_age=0, s_maxage=lifetime, stale_while_revalidate=30
    )
    patch_vary_headers(response, ["Accept-Encoding"])
    return lifetime


def cached_with_keys(view, *keys, query=()):
    """Cache a view that cannot tag its own response (feeds, sitemaps) under fixed keys."""

    @wraps(view)
    def tagged(request, *args, **kwargs):
        return tag_response(view(request, *args, **kwargs), *keys)

    return cached_page(tagged, query=query)


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
        # Imported here: the appeal box reads the models, which the settings' middleware
        # list must not load.
        from .appeal_box import stitch

        if _bypasses_cache(request):
            return stitch(request, self.get_response(request))
        page_key = _page_key(request)
        stored, last_purge = _stored_page(page_key)
        if stored is not None:
            stored["X-Cache"] = "HIT"
            return stitch(request, stored)
        response = self.get_response(request)
        lifetime = getattr(response, "page_cache_lifetime", None)
        keys = getattr(response, "surrogate_keys", set())
        if lifetime and keys and not response.cookies:
            # The page's keys are known only now; a purge of one of them that landed
            # while it rendered would leave these tokens looking current. The last
            # purge's token, read before the render and again after these (never
            # before: see purging.DjangoCacheBackend), tells: the page is then not
            # stored at all.
            versions = current_versions(keys)
            if cache.get(LAST_PURGE_KEY) == last_purge:
                cache.set(page_key, (versions, response), timeout=lifetime)
        return stitch(request, response)
