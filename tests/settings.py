"""Test settings: the project's settings with fast, isolated choices for the suite."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)

from newsroom.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="newsroom-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="newsroom-test-static-")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Plain HTTP in the test client; the production values are tested in test_security.py.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Pages and fragments are not cached unless a test turns the cache on (test_page_cache.py):
# the other tests run inside a transaction that never commits, so no purge would follow.
PAGE_CACHE_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0

# A save's tasks (purges, receipts, relinking) run in the test's process when its
# transaction commits, as the `commit` fixture makes it; the durability tests
# (test_tasks_*.py) switch to the database backend and real worker processes.
TASKS = {"default": {"BACKEND": "articles.tasks.backends.OnCommitBackend"}}

if not REDIS_URL:  # noqa: F405
    # Each test starts from an empty cache; no files left behind between runs.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
