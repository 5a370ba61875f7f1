"""Page caching by surrogate key.

Every cached reader page declares the objects it shows as surrogate keys
(`article-12`, `organisation-3`, `topic-5`, `appeal-1`, and list keys such as `front`).
Saving or deleting an object purges its keys once the transaction commits:

- in Django's cache, by deleting each key's version token, so every stored page that
  recorded the old token is a miss on its next request (no scan over pages needed);
- in the HTTP caches named in FRONTEND_CACHE_URLS (Varnish with xkey, or a CDN that
  purges by surrogate key), by one purge request naming the keys.

A page is stored under its address with only the query parameters its view reads
(PAGE_QUERY_PARAMETERS), so `?utm_source=1…N` is one stored page, not N.

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
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode

logger = logging.getLogger(__name__)

KEY_HEADER = "xkey"
SURROGATE_HEADER = "Surrogate-Key"
_PAGE_PREFIX = "page:"
_VERSION_PREFIX = "surrogate:"
_FRAGMENT_PREFIX = "fragment:"
# A token every purge deletes: a page whose render began and ended under the same token
# saw no purge land while it was being rendered.
_LAST_PURGE_KEY = "purge:last"

# The query parameters each cached page reads, by URL name; every other parameter
# (utm_source, fbclid, a cache buster) is dropped before the view runs, so an address
# is stored once whatever else it carries. A page not named here reads none.
PAGE_QUERY_PARAMETERS = {
    "articles:home": ("page",),
    "articles:corrections": ("page",),
    "articles:archive-month": ("page",),
    "articles:organisation-list": ("tag", "letter", "page"),
    "articles:organisation-detail": ("page",),
    "articles:organisation-tag-detail": ("page",),
    "articles:quote-list": ("organisation", "tag", "topic", "page"),
    "articles:topic-detail": ("page",),
    "articles:search": ("q", "page"),
    "articles:sitemap-section": ("p",),
}


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


def _list_page_number(value):
    """`?page=` in one form per page it shows, as the paginator reads it (`get_page`):
    anything but a whole number is the first page, and a number past the last page
    (which is never past MAX_PAGES) or below the first is the last page."""
    from .views import MAX_PAGES

    try:
        number = int(value)
    except ValueError:
        return ""
    if not 1 <= number <= MAX_PAGES:
        number = MAX_PAGES
    return "" if number == 1 else str(number)


def _page_query(query, view_name):
    """The query string of a page's cache key and of what its view is given: only the
    parameters the view reads, sorted, their last value (the one `GET.get()` returns),
    and none left empty, which reads as absent."""
    kept = []
    for name in sorted(PAGE_QUERY_PARAMETERS.get(view_name, ())):
        value = query.get(name, "")
        if name == "page":
            value = _list_page_number(value)
        if value:
            kept.append((name, value))
    return urlencode(kept)


def _page_key(request):
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        view_name = None
    address = f"{request.path}?{_page_query(request.GET, view_name)}"
    digest = hashlib.sha256(address.encode()).hexdigest()
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


def _stored_page(page_key):
    """The stored page, if no key it shows was purged since, and the last purge's token
    (read in the same round trip, for storing the page afresh on a miss)."""
    found = cache.get_many([page_key, _LAST_PURGE_KEY])
    entry, last_purge = found.get(page_key), found.get(_LAST_PURGE_KEY)
    if entry is not None:
        versions, response = entry
        # A purge deletes a key's token, so any page that recorded it no longer matches.
        if cache.get_many(list(versions)) == versions:
            return response, last_purge
    if last_purge is None:
        last_purge = secrets.token_hex(8)
        cache.set(_LAST_PURGE_KEY, last_purge, timeout=None)
    return None, last_purge


def cached_page(view):
    """Make a reader page cacheable until one of its surrogate keys is purged.

    The view marks its response (headers, lifetime); PageCacheMiddleware stores it and
    serves it again, ahead of the rest of the middleware.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # The view sees only what the page's cache key holds, so a stored page never
        # carries a parameter of the request it was rendered for (in its page links, say).
        view_name = request.resolver_match.view_name if request.resolver_match else None
        request.GET = QueryDict(_page_query(request.GET, view_name), encoding=request.encoding)
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
        page_key = _page_key(request)
        stored, last_purge = _stored_page(page_key)
        if stored is not None:
            stored["X-Cache"] = "HIT"
            return stored
        response = self.get_response(request)
        lifetime = getattr(response, "page_cache_lifetime", None)
        keys = getattr(response, "surrogate_keys", set())
        if lifetime and keys and not response.cookies:
            # The page's keys are known only now; a purge of one of them that landed
            # while it rendered would leave these tokens looking current. The last
            # purge's token, read before the render and again after these (never
            # before: see purge_now), tells: the page is then not stored at all.
            versions = _current_versions(keys)
            if cache.get(_LAST_PURGE_KEY) == last_purge:
                cache.set(page_key, (versions, response), timeout=lifetime)
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
    # The last purge's token goes first: a page render that finds it unchanged after
    # reading its keys' tokens read them before this purge deleted any.
    cache.delete_many([_LAST_PURGE_KEY, *(f"{_VERSION_PREFIX}{key}" for key in keys)])
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
