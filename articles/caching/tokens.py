"""Version tokens: one per surrogate key, deleted by every purge of that key.

A stored page or fragment records the tokens of the keys it shows; it is current while
they are all still the same, so a purge never has to find the pages that show a key.
"""

import secrets

from django.core.cache import cache

_VERSION_PREFIX = "surrogate:"
# A token every purge deletes: a page whose render began and ended under the same token
# saw no purge land while it was being rendered.
LAST_PURGE_KEY = "purge:last"


def token_key(key):
    """Where a surrogate key's token is kept in Django's cache."""
    return f"{_VERSION_PREFIX}{key}"


def current_versions(keys):
    """Each key's version token, creating tokens for keys that have none yet."""
    found = cache.get_many([token_key(key) for key in keys])
    missing = {token_key(key): new_token() for key in keys if token_key(key) not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return found


def new_token():
    return secrets.token_hex(8)
