"""Varnish in front of a live server: pages are cached and purged by surrogate key."""

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from articles import services
from articles.models import Article, Organisation

from .services import in_ci

VCL = Path(__file__).resolve().parents[1] / "deploy" / "varnish" / "default.vcl"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def varnish(live_server, settings, tmp_path):
    binary = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not Path(binary).exists():
        reason = "varnishd is not installed (apt-get install varnish varnish-modules)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    backend_port = live_server.url.rsplit(":", 1)[1]
    vcl = tmp_path / "newsroom.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "-F",
            "-j",
            "none",
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(vcl),
            "-n",
            str(tmp_path / "varnish"),
            "-s",
            "malloc,32m",
            "-T",
            "none",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"varnishd did not start: {process.stderr.read().decode()[-500:]}")
            time.sleep(0.1)
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": f"{url}/"}
    ]
    settings.ALLOWED_HOSTS = ["*"]
    # As in production: a donation must get past the appeal box's own cache too, and
    # pages are stored by Django and Varnish alike.
    settings.FRAGMENT_CACHE_SECONDS = 600
    settings.PAGE_CACHE_SECONDS = 600
    yield url
    process.terminate()
    process.wait(timeout=10)


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers, response.read().decode()


def _get_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


pytestmark = pytest.mark.django_db(transaction=True)


def test_the_second_request_is_a_hit(varnish, story):
    url = varnish + story.get_absolute_url()
    first, _ = _get(url)
    second, body = _get(url)
    assert first["X-Varnish-Cache"] == "MISS"
    assert second["X-Varnish-Cache"] == "HIT"
    assert story.headline in body
    assert "xkey" not in second


def test_an_edit_to_the_article_is_visible_on_the_next_request(varnish, story):
    url = varnish + story.get_absolute_url()
    _get(url)
    _get(url)
    story.headline = "U.S. Forces Close Bases After Camp Taji Attacks"
    story.save()
    headers, body = _get(url)
    assert "U.S. Forces Close Bases After Camp Taji Attacks" in body
    assert headers["X-Varnish-Cache"] == "MISS"


def test_renaming_an_organisation_it_quotes_is_visible_on_the_next_request(varnish, story):
    url = varnish + story.get_absolute_url()
    _get(url)
    coalition = Organisation.objects.get(name="US-led coalition")
    coalition.name = "Global Coalition against Daesh"
    coalition.save()
    _, body = _get(url)
    assert "Global Coalition against Daesh" in body


def _until(url, text, timeout=10):
    """The page at `url` once it shows `text`, read again every 50 ms."""
    deadline = time.monotonic() + timeout
    while True:
        headers, body = _get(url)
        if text in body or time.monotonic() > deadline:
            return headers, body
        time.sleep(0.05)


def test_a_new_donation_is_visible_as_soon_as_varnish_has_fetched_the_box(varnish, story):
    url = varnish + story.get_absolute_url()
    _get(url)
    _, before = _get(url)
    assert "671 $" in before
    services.appeal_record_donation(appeal=story.appeal, amount=Decimal("329"))
    # The first reader after the gift gets the old box (soft purge) and starts the fetch.
    _, first = _get(url)
    assert "671 $" in first
    _, after = _until(url, "1,000 $")
    assert "1,000 $" in after and "671 $" not in after
    _, again = _get(url)
    assert "1,000 $" in again


def test_a_donation_purges_the_appeal_box_and_no_page(varnish, story):
    pages = [varnish + story.get_absolute_url(), varnish + "/"]
    for url in pages:
        _get(url)
        headers, body = _get(url)
        assert headers["X-Varnish-Cache"] == "HIT" and "671 $" in body
    services.appeal_record_donation(appeal=story.appeal, amount=Decimal("329"))
    for url in pages:
        headers, body = _until(url, "1,000 $")
        assert headers["X-Varnish-Cache"] == "HIT", url
        assert "1,000 $" in body and "671 $" not in body, url
        assert "<esi:include" not in body
        # The page's ETag would name it with its includes, not with the box a reader got.
        assert "ETag" not in headers and "Surrogate-Control" not in headers


def test_an_edit_to_the_appeal_is_visible_on_the_next_request(varnish, story):
    # Only a gift's purge is soft: what an editor changes is never served stale.
    url = varnish + story.get_absolute_url()
    _get(url)
    _get(url)
    appeal = story.appeal
    appeal.message = "Keep the Baghdad bureau open"
    appeal.save()
    _, body = _get(url)
    assert "Keep the Baghdad bureau open" in body


def test_a_draft_never_enters_the_cache(varnish, story):
    story.status = Article.Status.DRAFT
    story.save()
    url = varnish + story.get_absolute_url()
    assert _get_status(url)[0] == 404
    assert _get_status(url)[0] == 404
    story.status = Article.Status.PUBLISHED
    story.save()
    status, headers = _get_status(url)
    assert status == 200


def test_staff_always_reach_django(varnish, story):
    request = urllib.request.Request(
        varnish + story.get_absolute_url(), headers={"Cookie": "sessionid=whatever"}
    )
    for _ in range(2):
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["X-Varnish-Cache"] == "MISS"


# --- The Content API: cached and purged with the same keys as the pages -------------------


def _json(url):
    headers, body = _get(url)
    return headers, json.loads(body)


def test_api_responses_are_hits_until_an_edit_purges_them(varnish, story):
    urls = [varnish + f"/api/v1/articles/{story.slug}/", varnish + "/api/v1/articles/"]
    for url in urls:
        _get(url)
        headers, _ = _get(url)
        assert headers["X-Varnish-Cache"] == "HIT", url
        assert headers["ETag"] and "xkey" not in headers
    story.headline = "U.S. Forces Close Bases After Camp Taji Attacks"
    story.save()
    for url in urls:
        headers, body = _get(url)
        assert headers["X-Varnish-Cache"] == "MISS", url
        assert "U.S. Forces Close Bases After Camp Taji Attacks" in body, url


def test_an_unpublished_article_leaves_the_cached_api_at_once(varnish, story):
    detail = varnish + f"/api/v1/articles/{story.slug}/"
    listing = varnish + "/api/v1/articles/"
    withdrawn = varnish + "/api/v1/withdrawn-articles/"
    for url in (detail, listing, withdrawn):
        _get(url)
        assert _get(url)[0]["X-Varnish-Cache"] == "HIT", url
    services.article_unpublish(article=story)
    assert _get_status(detail)[0] == 404
    assert story.slug not in [item["slug"] for item in _json(listing)[1]["results"]]
    headers, page = _json(withdrawn)
    assert [item["slug"] for item in page["results"]] == [story.slug]
    assert headers["X-Varnish-Cache"] == "MISS"
