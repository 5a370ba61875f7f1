import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import make_article

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, **env):
    # No .env file either: what is checked is the settings' own defaults.
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV_FILE": "",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", ["", "short", "django-insecure-" + "x" * 50])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    result = _manage("check", SECRET_KEY=key)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "manage.py: SECRET_KEY is missing or too weak: set a random value of 40+ "
        "characters (or DEBUG=1 for local development)."
    ]


def test_reader_pages_carry_a_strict_content_security_policy(client, story):
    for url in ("/", story.get_absolute_url(), "/organisations/"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_reader_pages_run_no_inline_script(client, story):
    for url in ("/", story.get_absolute_url(), "/organisations/"):
        page = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            # Data blocks (JSON-LD) are not executed; anything else must be a file.
            assert "src=" in tag or 'type="application/ld+json"' in tag, tag


@pytest.mark.django_db
def test_ten_bad_passwords_lock_the_account_with_a_clear_page(client, editor):
    login = reverse("admin:login")
    for _ in range(10):
        client.post(login, {"username": "editor", "password": "wrong"})
    response = client.post(login, {"username": "editor", "password": "correct horse battery"})
    assert response.status_code in (403, 429)
    assert "This account is locked for an hour" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_few_bad_passwords_do_not_lock_the_account(client, editor):
    login = reverse("admin:login")
    for _ in range(3):
        client.post(login, {"username": "editor", "password": "wrong"})
    response = client.post(login, {"username": "editor", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_admin_forms_need_a_csrf_token(editor):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    article = make_article()
    response = strict.post(
        reverse("admin:articles_article_change", args=[article.pk]), {"headline": "x"}
    )
    assert response.status_code == 403
