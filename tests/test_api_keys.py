"""API keys and rate limits: a key is stored only as a hash, shown once, revocable by
editors alone; partners with a key read more per window than anonymous readers."""

import logging

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import ApiKey
from articles.models.api_keys import hash_key

LIST = "/api/v1/organisations/"
ROLES = ["Writers", "Editors", "Taggers"]


@pytest.fixture
def limits(settings):
    settings.API_RATE_LIMIT = 5
    settings.API_ANONYMOUS_RATE_LIMIT = 2
    settings.API_RATE_WINDOW_SECONDS = 60
    return settings


def test_only_the_hash_of_a_key_is_stored(db):
    api_key, key = ApiKey.issue(name="Partner")
    assert key.startswith("nrk_") and len(key) > 40
    api_key.refresh_from_db()
    assert api_key.hashed_key == hash_key(key)
    assert key not in {api_key.hashed_key, api_key.shown_part, api_key.name}
    assert key.startswith(api_key.shown_part)
    assert ApiKey.objects.for_key(key) == api_key
    assert ApiKey.objects.for_key(key + "x") is None


def test_a_keyed_partner_reads_more_than_an_anonymous_reader(client, db, limits):
    _, key = ApiKey.issue(name="Partner")
    with time_machine.travel("2026-01-01 12:00:05", tick=False):
        anonymous = [client.get(LIST).status_code for _ in range(3)]
        keyed = [client.get(LIST, headers={"X-API-Key": key}).status_code for _ in range(6)]
    assert anonymous == [200, 200, 429]
    assert keyed == [200] * 5 + [429]


def test_a_429_says_when_to_come_back_and_is_never_cached(client, db, limits):
    with time_machine.travel("2026-01-01 12:00:20", tick=False):
        for _ in range(2):
            client.get(LIST)
        response = client.get(LIST)
    assert response.status_code == 429
    assert response["Retry-After"] == "40"
    assert response["Cache-Control"] == "no-store"
    assert "Rate limit" in response.json()["detail"]


def test_the_window_turns_over(client, db, limits):
    with time_machine.travel("2026-01-01 12:00:50", tick=False):
        for _ in range(2):
            client.get(LIST)
        assert client.get(LIST).status_code == 429
    with time_machine.travel("2026-01-01 12:01:01", tick=False):
        assert client.get(LIST).status_code == 200


def test_each_key_has_its_own_count(client, db, limits):
    _, first = ApiKey.issue(name="First")
    _, second = ApiKey.issue(name="Second")
    with time_machine.travel("2026-01-01 12:00:05", tick=False):
        for _ in range(5):
            client.get(LIST, headers={"X-API-Key": first})
        assert client.get(LIST, headers={"X-API-Key": first}).status_code == 429
        assert client.get(LIST, headers={"X-API-Key": second}).status_code == 200


def test_an_unknown_or_revoked_key_is_refused_not_read_anonymously(client, db):
    api_key, key = ApiKey.issue(name="Partner")
    assert client.get(LIST, headers={"X-API-Key": key}).status_code == 200
    api_key.revoke()
    for sent in (key, "nrk_made-up", ""):
        response = client.get(LIST, headers={"X-API-Key": sent})
        assert response.status_code == 401
        assert "X-API-Key" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_schema_and_docs_pages_count_against_the_same_limits(client, db, limits, url):
    _, key = ApiKey.issue(name="Partner")
    with time_machine.travel("2026-01-01 12:00:30", tick=False):
        # One count per client address, whichever page of the API it asks for.
        assert [client.get(u).status_code for u in (LIST, url, url)] == [200, 200, 429]
        refused = client.get(url)
        keyed = [client.get(url, headers={"X-API-Key": key}).status_code for _ in range(6)]
    assert refused["Retry-After"] == "30"
    assert refused["Cache-Control"] == "no-store"
    assert "Rate limit" in refused.json()["detail"]
    assert keyed == [200] * 5 + [429]
    response = client.get(url, headers={"X-API-Key": "nrk_made-up"})
    assert response.status_code == 401 and "X-API-Key" in response.json()["detail"]


def test_with_the_cache_down_requests_are_let_through_and_it_is_logged(
    client, db, limits, settings, caplog
):
    # A Redis that refuses connections, as the production settings use it: the cache
    # answers None instead of raising.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    with (
        time_machine.travel("2026-01-01 07:00:10", tick=False),
        caplog.at_level(logging.WARNING, logger="articles.api.access"),
    ):
        statuses = [client.get(url).status_code for url in [LIST] * 4 + ["/api/v1/docs"]]
    assert statuses == [200] * 5
    warnings = [r for r in caplog.records if r.name == "articles.api.access"]
    # Once a window, not once a request.
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "not enforced" in warnings[0].getMessage()


def test_revoking_twice_keeps_the_first_time(db):
    api_key, _ = ApiKey.issue(name="Partner")
    api_key.revoke()
    first = ApiKey.objects.get().revoked_at
    api_key.revoke()
    assert ApiKey.objects.get().revoked_at == first


# --- The admin -----------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"admin:articles_apikey_{name}", args=args)


def test_an_editor_issues_a_key_and_sees_it_once(client, make_staff):
    editor = make_staff("Editors")
    client.force_login(editor)
    response = client.post(_url("add"), {"name": "Partner app"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert key in response.content.decode()
    api_key = ApiKey.objects.get()
    assert (api_key.name, api_key.created_by) == ("Partner app", editor)
    assert ApiKey.objects.for_key(key) == api_key
    # Never again: not on the list, not on the key's own page.
    for url in (_url("changelist"), _url("change", api_key.pk)):
        assert key not in client.get(url).content.decode()


def test_an_editor_revokes_keys_with_the_action(client, make_staff):
    api_key, key = ApiKey.issue(name="Partner")
    client.force_login(make_staff("Editors"))
    client.post(_url("changelist"), {"action": "revoke", "_selected_action": [api_key.pk]})
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert client.get(LIST, headers={"X-API-Key": key}).status_code == 401


def _attempt(client, action, api_key):
    """Try an action on the API key admin; True if it was allowed and took effect."""
    if action == "view":
        return client.get(_url("changelist")).status_code == 200
    if action == "history":
        return client.get(_url("history", api_key.pk)).status_code == 200
    if action == "add":
        client.post(_url("add"), {"name": "Sneaky"})
        return ApiKey.objects.filter(name="Sneaky").exists()
    if action == "change":
        client.post(_url("change", api_key.pk), {"name": "Renamed"})
        return ApiKey.objects.filter(pk=api_key.pk, name="Renamed").exists()
    if action == "revoke":
        client.post(_url("changelist"), {"action": "revoke", "_selected_action": [api_key.pk]})
        return ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=False).exists()
    if action == "delete":
        client.post(_url("delete", api_key.pk), {"post": "yes"})
        return not ApiKey.objects.filter(pk=api_key.pk).exists()
    raise AssertionError(action)


ALLOWED = {"Editors": {"view", "history", "add", "change", "revoke"}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["view", "history", "add", "change", "revoke", "delete"])
def test_each_role_may_do_exactly_what_its_row_says(client, make_staff, role, action):
    api_key, _ = ApiKey.issue(name="Partner")
    client.force_login(make_staff(role))
    assert _attempt(client, action, api_key) is (action in ALLOWED.get(role, set()))


def test_an_anonymous_visitor_reaches_no_key_page(client, db):
    api_key, _ = ApiKey.issue(name="Partner")
    for url in (_url("changelist"), _url("add"), _url("change", api_key.pk)):
        assert client.get(url).status_code == 302
    client.post(_url("add"), {"name": "Sneaky"})
    assert not ApiKey.objects.filter(name="Sneaky").exists()


def test_the_key_fields_cannot_be_posted(client, make_staff):
    api_key, key = ApiKey.issue(name="Partner")
    before = ApiKey.objects.values().get()
    client.force_login(make_staff("Editors"))
    client.post(
        _url("change", api_key.pk),
        {
            "name": "Partner",
            "hashed_key": hash_key("mine"),
            "shown_part": "nrk_mine",
            "revoked_at": "",
            "created_at": timezone.now().isoformat(),
        },
    )
    assert ApiKey.objects.values().get() == before
