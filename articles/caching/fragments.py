"""Parts of many pages, built once and kept until a surrogate key they show is purged."""

from django.conf import settings
from django.core.cache import cache

from .tokens import current_versions, token_key

# "2": the appeal box's class moved (articles.fragments → articles.caching.appeal_box),
# and a copy pickled under its old path cannot be read: every page would fail on it
# until it expired, so the copies stored before the move are never asked for.
_FRAGMENT_PREFIX = "fragment:2:"


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
    found = cache.get_many([fragment_key, *(token_key(key) for key in depends_on)])
    entry = found.pop(fragment_key, None)
    versions = found if len(found) == len(depends_on) else current_versions(depends_on)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = build()
    cache.set(fragment_key, (versions, value), timeout=settings.FRAGMENT_CACHE_SECONDS)
    return value
