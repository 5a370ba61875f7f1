"""Purges reach the HTTP caches in front: one request per cache, naming the keys in the
header that cache reads, and a cache that cannot be reached never fails the save."""

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from articles.cache_keys import APPEALS, FRONT, key_for
from articles.caching import purge_now
from articles.caching.purging import purge_cache
from articles.models import Article, DonationAppeal

from .conftest import make_appeal, make_article, make_donation


@pytest.fixture
def frontend():
    """An HTTP server that records every request it gets and answers 200."""
    received = []

    class Recorder(BaseHTTPRequestHandler):
        def _record(self):
            received.append((self.command, self.path, self.headers))
            self.send_response(200)
            self.end_headers()

        do_PURGE = do_POST = _record

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


def test_varnish_gets_one_purge_naming_the_keys_in_xkey_purge(settings, frontend):
    url, received = frontend
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": f"{url}/"}
    ]
    purge_now({FRONT, key_for(Article, 12)})
    [(method, path, headers)] = received
    assert (method, path, headers["xkey-purge"]) == ("PURGE", "/", "article-12 front")


def test_a_soft_purge_names_the_keys_in_xkey_softpurge(settings, frontend):
    url, received = frontend
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": f"{url}/"}
    ]
    purge_cache.call(f"{url}/", [APPEALS, key_for(DonationAppeal, 1)], soft=True)
    [(method, path, headers)] = received
    assert (method, path) == ("PURGE", "/")
    assert headers["xkey-softpurge"] == "appeals donationappeal-1"
    assert "xkey-purge" not in headers


@pytest.fixture
def varnish_recorder(settings, frontend):
    url, received = frontend
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": f"{url}/"}
    ]
    return received


def test_a_donation_is_purged_softly_and_an_edit_outright(db, commit, varnish_recorder):
    appeal = make_appeal()
    article = make_article()
    varnish_recorder.clear()
    commit(lambda: make_donation(appeal, "25", at=timezone.now()))
    [(_, _, gift)] = varnish_recorder
    assert gift["xkey-softpurge"] == f"appeals donationappeal-{appeal.pk}"
    assert "xkey-purge" not in gift

    varnish_recorder.clear()
    article.headline = "Rockets hit Camp Taji again"
    commit(article.save)
    edits = [headers for _, _, headers in varnish_recorder]
    assert edits and all("xkey-softpurge" not in headers for headers in edits)
    assert any(f"article-{article.pk}" in headers["xkey-purge"].split() for headers in edits)


def test_a_cdn_that_cannot_serve_stale_pages_drops_a_soft_purges_keys(settings, frontend):
    url, received = frontend
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.SurrogateKeyBackend", "LOCATION": f"{url}/purge"}
    ]
    purge_cache.call(f"{url}/purge", [APPEALS], soft=True)
    [(_, _, headers)] = received
    assert headers["Surrogate-Key"] == "appeals"


def test_a_cdn_gets_the_keys_in_surrogate_key_with_the_method_and_token_it_asks_for(
    settings, frontend
):
    url, received = frontend
    settings.FRONTEND_CACHE_BACKENDS = [
        {
            "BACKEND": "articles.caching.purging.SurrogateKeyBackend",
            "LOCATION": f"{url}/service/abc/purge",
            "OPTIONS": {"method": "POST", "headers": {"Fastly-Key": "token"}},
        }
    ]
    purge_now({FRONT, key_for(Article, 12)})
    [(method, path, headers)] = received
    assert (method, path) == ("POST", "/service/abc/purge")
    assert (headers["Surrogate-Key"], headers["Fastly-Key"]) == ("article-12 front", "token")


def test_a_cache_that_cannot_be_reached_is_logged_and_the_next_one_still_purged(
    settings, frontend, caplog
):
    url, received = frontend
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": "http://127.0.0.1:9/"},
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": f"{url}/"},
    ]
    purge_now({FRONT})
    assert "Could not purge ['front'] at http://127.0.0.1:9/" in caplog.text
    assert len(received) == 1


def test_the_caches_are_configured_from_their_urls():
    script = "import newsroom.settings as s; print(s.FRONTEND_CACHE_BACKENDS)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "1",
            "ENV_FILE": "",
            "FRONTEND_CACHE_URLS": "http://varnish:6081/",
            "CDN_PURGE_URLS": "http://cdn-proxy/purge",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(
        [
            {
                "BACKEND": "articles.caching.purging.VarnishBackend",
                "LOCATION": "http://varnish:6081/",
            },
            {
                "BACKEND": "articles.caching.purging.SurrogateKeyBackend",
                "LOCATION": "http://cdn-proxy/purge",
            },
        ]
    )
