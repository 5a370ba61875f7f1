"""Password guessing through the proxy the README prescribes (nginx or Varnish in front of
gunicorn): every request reaches Django from the proxy's address, and the reader's own
address is the one the proxy appended to X-Forwarded-For."""

import pytest
from django.urls import reverse

PROXY = "127.0.0.1"
ATTACKER, EDITOR_AT_HOME = "203.0.113.9", "198.51.100.7"
RIGHT, WRONG = "correct horse battery", "wrong"


def _log_in(client, password, *, forwarded_for=None, remote_addr=PROXY, username="editor"):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **headers
    )


def _is_locked_out(response):
    return response.status_code == 429 and "is locked" in response.content.decode()


def _logged_in(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


@pytest.fixture
def guessed_from_one_address(client, editor):
    """Eleven wrong passwords for "editor" from one reader behind the proxy."""
    for _ in range(11):
        _log_in(client, WRONG, forwarded_for=ATTACKER)
    client.cookies.clear()


def test_the_address_that_guessed_is_locked_out_for_that_account(
    client, editor, guessed_from_one_address
):
    response = _log_in(client, RIGHT, forwarded_for=ATTACKER)
    assert _is_locked_out(response)
    assert not _logged_in(client, editor)


def test_the_editor_who_knows_the_password_still_logs_in_from_elsewhere(
    client, editor, guessed_from_one_address
):
    response = _log_in(client, RIGHT, forwarded_for=EDITOR_AT_HOME)
    assert response.status_code == 302
    assert _logged_in(client, editor)


def test_another_account_is_not_locked_by_guesses_at_the_editor(
    client, django_user_model, guessed_from_one_address
):
    colleague = django_user_model.objects.create_superuser("colleague", password=RIGHT)
    assert _log_in(client, RIGHT, forwarded_for=ATTACKER, username="colleague").status_code == 302
    assert _logged_in(client, colleague)


def test_addresses_a_reader_writes_into_the_header_are_not_believed(client, editor):
    # The proxy appends the address it saw to whatever the client sent; only that last
    # entry is the proxy's word, so a new made-up address per guess changes nothing.
    for n in range(11):
        _log_in(client, WRONG, forwarded_for=f"192.0.2.{n}, {ATTACKER}")
    client.cookies.clear()
    assert _is_locked_out(_log_in(client, RIGHT, forwarded_for=f"192.0.2.99, {ATTACKER}"))
    assert _log_in(client, RIGHT, forwarded_for=EDITOR_AT_HOME).status_code == 302


def test_a_client_that_is_not_the_proxy_cannot_choose_its_address(client, editor, settings):
    # Reaching gunicorn directly (a misconfigured firewall), the header is the client's
    # own invention: its real address is the one that counts.
    for n in range(11):
        _log_in(client, WRONG, remote_addr=ATTACKER, forwarded_for=f"192.0.2.{n}")
    client.cookies.clear()
    response = _log_in(client, RIGHT, remote_addr=ATTACKER, forwarded_for=EDITOR_AT_HOME)
    assert _is_locked_out(response)
    assert not _logged_in(client, editor)


def test_with_two_proxies_the_address_the_outer_one_saw_counts(client, editor, settings):
    # nginx in front of Varnish: Varnish appends nginx's address after the reader's.
    settings.TRUSTED_PROXY_COUNT = 2
    for n in range(11):
        _log_in(client, WRONG, forwarded_for=f"192.0.2.{n}, {ATTACKER}, 10.0.0.2")
    client.cookies.clear()
    assert _is_locked_out(_log_in(client, RIGHT, forwarded_for=f"{ATTACKER}, 10.0.0.2"))
    response = _log_in(client, RIGHT, forwarded_for=f"{EDITOR_AT_HOME}, 10.0.0.2")
    assert response.status_code == 302


def test_a_garbled_header_falls_back_to_the_proxy_address(client, editor):
    for _ in range(11):
        _log_in(client, WRONG, forwarded_for="not-an-address")
    client.cookies.clear()
    assert _is_locked_out(_log_in(client, RIGHT, forwarded_for="also garbage"))
    assert _log_in(client, RIGHT, forwarded_for=EDITOR_AT_HOME).status_code == 302


@pytest.mark.parametrize("allowed", [["10.0.0.2"], ["*"]])
def test_a_proxy_on_another_host_is_believed_once_it_is_listed(client, editor, settings, allowed):
    settings.FORWARDED_ALLOW_IPS = allowed
    for _ in range(11):
        _log_in(client, WRONG, remote_addr="10.0.0.2", forwarded_for=ATTACKER)
    client.cookies.clear()
    assert _is_locked_out(_log_in(client, RIGHT, remote_addr="10.0.0.2", forwarded_for=ATTACKER))
    response = _log_in(client, RIGHT, remote_addr="10.0.0.2", forwarded_for=EDITOR_AT_HOME)
    assert response.status_code == 302
