"""The WSGI module gunicorn loads: every process starts with its views loaded, and with no
connection that forked workers would share (gunicorn --preload)."""

import subprocess
import sys

from .test_faults import ROOT, _sqlite_env

LOAD_WSGI = """
import sys
import newsroom.wsgi
from django.db import connections
print("articles.views" in sys.modules, "articles.api.endpoints" in sys.modules)
print(any(c.connection is not None for c in connections.all(initialized_only=True)))
"""


def test_loading_the_application_loads_every_view_and_opens_no_connection(tmp_path):
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", LOAD_WSGI],
        cwd=ROOT,
        env=_sqlite_env(tmp_path / "newsroom.sqlite3"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    views_loaded, connected = done.stdout.strip().splitlines()[-2:]
    assert views_loaded == "True True"
    assert connected == "False"
