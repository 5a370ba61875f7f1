"""The thank-you page says what is known of a payment, and a monthly donor reaches
Stripe's customer portal from it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from articles.models import Donation

from .conftest import make_appeal

pytestmark = pytest.mark.django_db

THANKS = reverse("articles:donation-thanks")
MANAGE = reverse("articles:donation-manage")


@pytest.fixture
def appeal():
    return make_appeal(currency="EUR", currency_symbol="€", is_active=True)


def _started(client, appeal, frequency="once"):
    """The Checkout Session a reader's gift of 25 € started."""
    gift = {"preset": "25", "frequency": frequency, "email": "r@example.org", "currency": "EUR"}
    url = reverse("articles:support-appeal", kwargs={"pk": appeal.pk})
    location = client.post(url, gift)["Location"]
    return location.rsplit("/", 1)[1]


def _thanks(client, session_id):
    return client.get(THANKS, {"session_id": session_id})


def test_a_paid_gift_is_being_confirmed_until_the_webhook_records_it(client, fake_stripe, appeal):
    session_id = _started(client, appeal)
    fake_stripe.complete(session_id, payment_intent="pi_test_1")
    response = _thanks(client, session_id)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your payment of <strong>25 €</strong> is being confirmed." in page
    assert "no-store" in response["Cache-Control"]

    Donation.objects.create(
        appeal=appeal,
        amount=Decimal(25),
        source=Donation.Source.ONLINE,
        provider_payment_id="pi_test_1",
    )
    page = _thanks(client, session_id).content.decode()
    assert "Your gift of <strong>25 €</strong> has been received." in page
    assert "Manage or cancel" not in page


def test_an_unpaid_session_says_nothing_was_charged(client, fake_stripe, appeal):
    page = _thanks(client, _started(client, appeal)).content.decode()
    assert "Your payment did not go through and nothing was charged." in page


@pytest.mark.parametrize("session_id", ["", "cs_test_unknown", "https://evil.example/", "../v1"])
def test_an_unknown_or_malformed_session_is_not_found(client, fake_stripe, session_id):
    response = _thanks(client, session_id)
    assert response.status_code == 404
    assert "We cannot find this payment." in response.content.decode()
    # Only a well-formed id is ever sent to Stripe.
    looked_up = [path for method, path, _ in fake_stripe.requests if method == "GET"]
    well_formed = session_id == "cs_test_unknown"
    assert looked_up == (["/v1/checkout/sessions/cs_test_unknown"] if well_formed else [])


def test_without_keys_there_is_nothing_to_look_up(client, settings, fake_stripe, appeal):
    session_id = _started(client, appeal)
    settings.STRIPE_SECRET_KEY = ""
    assert _thanks(client, session_id).status_code == 404


def test_a_monthly_donor_can_manage_the_gift_in_stripes_portal(client, fake_stripe, appeal):
    session_id = _started(client, appeal, frequency="monthly")
    fake_stripe.complete(session_id, invoice="in_test_1", subscription="sub_test_1")
    page = _thanks(client, session_id).content.decode()
    assert "<strong>25 €</strong> a month is being confirmed" in page
    assert "Manage or cancel your monthly gift" in page

    response = client.post(MANAGE, {"session_id": session_id})
    assert response.status_code == 303
    assert response["Location"] == f"{fake_stripe.url}/portal/cus_test_1"
    [sent] = fake_stripe.created("/v1/billing_portal/sessions")
    assert sent == {"customer": "cus_test_1", "return_url": "http://testserver/support/"}


def test_a_one_off_gift_has_no_portal(client, fake_stripe, appeal):
    session_id = _started(client, appeal)
    fake_stripe.complete(session_id, payment_intent="pi_test_2")
    assert client.post(MANAGE, {"session_id": session_id}).status_code == 404
    assert fake_stripe.created("/v1/billing_portal/sessions") == []


def test_the_portal_is_only_opened_by_a_post(client, fake_stripe, appeal):
    session_id = _started(client, appeal, frequency="monthly")
    fake_stripe.complete(session_id)
    assert client.get(MANAGE, {"session_id": session_id}).status_code == 405


def test_the_portal_is_rate_limited_too(client, settings, fake_stripe, appeal):
    settings.DONATION_SESSION_LIMIT = 1
    session_id = _started(client, appeal, frequency="monthly")
    fake_stripe.complete(session_id)
    assert client.post(MANAGE, {"session_id": session_id}).status_code == 429
