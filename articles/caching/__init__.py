"""Page caching by surrogate key.

Every cached reader page declares the objects it shows as surrogate keys (`article-12`,
`organisation-3`, `topictag-5`, `donationappeal-1`, and list keys such as `front`: all
named in `articles/cache_keys.py`). Saving or deleting an object purges its keys once the
transaction commits, in Django's cache and in the HTTP caches in front.

- `pages`: the page cache (`cached_page`, `PageCacheMiddleware`) and `tag_response`;
- `fragments`: `cached_fragment`, a part many pages share;
- `appeal_box`: the appeal box, a page of its own that pages include (ESI behind
  Varnish, stitched in by `PageCacheMiddleware` otherwise), so a donation purges no page;
- `tokens`: the version tokens a purge deletes, read by pages and fragments;
- `purging`: `purge`, and the backends it reaches (Django's cache, Varnish, a CDN).
"""

from ..cache_keys import object_key
from .fragments import cached_fragment
from .pages import (
    PageCacheMiddleware,
    cached_page,
    cached_with_keys,
    keys_for,
    mark_shared,
    tag_response,
)
from .purging import purge, purge_now

__all__ = [
    "PageCacheMiddleware",
    "cached_fragment",
    "cached_page",
    "cached_with_keys",
    "keys_for",
    "mark_shared",
    "object_key",
    "purge",
    "purge_now",
    "tag_response",
]
