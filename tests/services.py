"""Which real servers the suite can use: PostgreSQL, Redis and Chromium.

On a developer's machine a missing server skips the tests that need it, with the reason
printed; under CI=true a missing server is a failure, never a silent skip.
Run as `python -m tests.services postgres redis` to gate the PostgreSQL run of the suite.
"""

import os
import shutil
import socket
import sys
from urllib.parse import urlparse

POSTGRES_TEST_URL = os.environ.get("POSTGRES_TEST_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _reachable(url, default_port):
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def missing(name):
    """Why the named server cannot be used, or None when it can."""
    if name == "postgres":
        if not _reachable(POSTGRES_TEST_URL, 5432):
            return f"PostgreSQL is not reachable at {POSTGRES_TEST_URL}"
    elif name == "redis":
        if not _reachable(REDIS_TEST_URL, 6379):
            return f"Redis is not reachable at {REDIS_TEST_URL}"
    elif name == "chromium":
        if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
            return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        raise ValueError(f"unknown server {name!r}")
    return None


def main(names):
    reasons = [reason for name in names if (reason := missing(name))]
    if not reasons:
        return 0
    for reason in reasons:
        label = "FAILED (CI=true needs it)" if in_ci() else "SKIPPED"
        print(f"{label}: {reason}", file=sys.stderr)
    return 2 if in_ci() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
