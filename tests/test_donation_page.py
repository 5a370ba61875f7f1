"""The donation page: a reader's gift becomes a Stripe Checkout Session, created over real
HTTP by the official library against a local stand-in for Stripe (tests/fake_stripe.py)."""

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Donation

from .conftest import make_appeal

pytestmark = pytest.mark.django_db

EMAIL = "reader@example.org"
SESSIONS = "/v1/checkout/sessions"


def _this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def appeal():
    # This month's campaign: the only kind, with the active one, that takes gifts.
    return make_appeal(
        currency="EUR", currency_symbol="€", donate_url="", campaign_month=_this_month()
    )


def _url(appeal):
    return reverse("articles:support-appeal", kwargs={"pk": appeal.pk})


def _gift(appeal, **fields):
    return {"preset": "10", "frequency": "once", "email": EMAIL, "currency": "EUR", **fields}


def test_the_appeal_box_has_a_donate_button_to_its_appeals_page(client, appeal):
    appeal.is_active = True
    appeal.save()
    page = client.get(reverse("articles:appeal-list")).content.decode()
    assert f'href="{_url(appeal)}">Donate</a>' in page


def test_without_keys_the_button_leads_to_the_appeals_own_page(client, settings, appeal):
    appeal.is_active = True
    appeal.donate_url = "https://give.example.org/newsroom"
    appeal.save()
    page = client.get(reverse("articles:appeal-list")).content.decode()
    assert 'href="https://give.example.org/newsroom">Donate</a>' in page
    settings.STRIPE_SECRET_KEY = "sk_test_newsroom"
    page = client.get(reverse("articles:appeal-list")).content.decode()
    assert f'href="{_url(appeal)}">Donate</a>' in page


def test_without_keys_the_page_sends_readers_to_the_appeals_own_page(client, settings, appeal):
    settings.STRIPE_SECRET_KEY = ""
    appeal.donate_url = "https://give.example.org/newsroom"
    appeal.save()
    response = client.get(_url(appeal))
    assert response.status_code == 302
    assert response["Location"] == "https://give.example.org/newsroom"


def test_without_keys_or_a_donate_url_it_shows_the_giving_instructions(client, settings, appeal):
    settings.STRIPE_SECRET_KEY = ""
    appeal.giving_instructions = "IBAN DE00 1234\nNewsroom e.V., Berlin"
    appeal.save()
    response = client.get(_url(appeal))
    page = response.content.decode()
    assert response.status_code == 200
    assert "IBAN DE00 1234<br>Newsroom e.V., Berlin" in page
    assert "<form" not in page.split('<main id="main"')[1]
    assert client.post(_url(appeal), _gift(appeal)).status_code == 200
    assert Donation.objects.count() == 0


def test_it_offers_the_appeals_presets_and_a_free_amount(client, fake_stripe, appeal):
    appeal.preset_amounts = "3, 7.50, 40"
    appeal.save()
    response = client.get(_url(appeal))
    page = response.content.decode()
    assert [f'value="{amount}"' in page for amount in ("3", "7.50", "40", "other")] == [True] * 4
    assert 'name="other_amount"' in page and 'value="monthly"' in page
    assert "Show my gift as anonymous" in page
    assert fake_stripe.requests == []


def test_the_page_is_private_and_its_form_may_only_go_to_stripe(client, fake_stripe, appeal):
    response = client.get(_url(appeal))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The directives come in no fixed order: compared one by one.
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["form-action"] == f"'self' {fake_stripe.url}"
    assert policy["script-src"] == "'self'"


def test_a_one_off_gift_goes_to_stripe_checkout(client, fake_stripe, appeal):
    response = client.post(_url(appeal), _gift(appeal, name="Ada", anonymous="on"))
    [session] = fake_stripe.sessions.values()
    assert response.status_code == 303
    assert response["Location"] == session["url"]
    [sent] = fake_stripe.created(SESSIONS)
    assert sent["mode"] == "payment"
    assert sent["currency"] == "eur"
    assert sent["customer_email"] == EMAIL
    assert sent["line_items[0][price_data][unit_amount]"] == "1000"
    assert sent["line_items[0][price_data][currency]"] == "eur"
    assert sent["metadata[appeal_id]"] == str(appeal.pk)
    assert sent["metadata[anonymous]"] == "1"
    assert sent["metadata[donor_name]"] == "Ada"
    assert sent["payment_intent_data[metadata][appeal_id]"] == str(appeal.pk)
    assert (
        sent["success_url"] == "http://testserver/support/thanks/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert sent["cancel_url"] == f"http://testserver{_url(appeal)}"
    assert Donation.objects.count() == 0


def test_a_monthly_gift_of_a_free_amount_is_a_subscription(client, fake_stripe, appeal):
    gift = _gift(appeal, preset="other", other_amount="12.34", frequency="monthly")
    assert client.post(_url(appeal), gift).status_code == 303
    [sent] = fake_stripe.created(SESSIONS)
    assert sent["mode"] == "subscription"
    assert sent["line_items[0][price_data][unit_amount]"] == "1234"
    assert sent["line_items[0][price_data][recurring][interval]"] == "month"
    assert sent["subscription_data[metadata][appeal_id]"] == str(appeal.pk)
    assert "payment_intent_data[metadata][appeal_id]" not in sent


def test_the_current_appeal_takes_gifts_at_support(client, fake_stripe, appeal):
    appeal.is_active = True
    appeal.save()
    assert client.post(reverse("articles:support"), _gift(appeal)).status_code == 303
    assert fake_stripe.created(SESSIONS)[0]["metadata[appeal_id]"] == str(appeal.pk)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"preset": "other", "other_amount": "0.50"}, "The least you can give is 1 €."),
        ({"preset": "other", "other_amount": "20000"}, "The most you can give here is 10,000 €."),
        ({"preset": "other", "other_amount": "ten"}, "Enter a number."),
        ({"preset": "other", "other_amount": "NaN"}, "Enter a number."),
        ({"preset": "other", "other_amount": ""}, "Enter the amount you want to give."),
        ({"preset": "9999"}, "Select a valid choice."),
        ({"currency": "USD"}, "This appeal takes gifts in EUR only."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"frequency": "weekly"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_created(
    client, fake_stripe, appeal, fields, message
):
    response = client.post(_url(appeal), _gift(appeal, **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert fake_stripe.requests == []
    assert Donation.objects.count() == 0


def test_an_empty_post_is_refused_with_messages(client, fake_stripe, appeal):
    response = client.post(_url(appeal), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert fake_stripe.requests == []


def test_the_return_urls_never_come_from_the_request(client, fake_stripe, appeal):
    hostile = {"success_url": "https://evil.example/", "cancel_url": "https://evil.example/"}
    client.post(_url(appeal) + "?next=https://evil.example/", _gift(appeal, **hostile))
    [sent] = fake_stripe.created(SESSIONS)
    assert "evil" not in sent["success_url"] + sent["cancel_url"]


def test_a_request_for_another_host_is_refused(client, fake_stripe, appeal):
    response = client.post(_url(appeal), _gift(appeal), headers={"host": "evil.example"})
    assert response.status_code == 400
    assert fake_stripe.requests == []


def test_the_form_needs_its_csrf_token(fake_stripe, appeal):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(_url(appeal), _gift(appeal))
    assert response.status_code == 403
    assert fake_stripe.requests == []


def test_one_address_may_start_only_so_many_sessions(client, settings, fake_stripe, appeal):
    settings.DONATION_SESSION_LIMIT = 2
    codes = [client.post(_url(appeal), _gift(appeal)).status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    refused = client.post(_url(appeal), _gift(appeal))
    assert "Too many payments were started from your connection" in refused.content.decode()
    assert refused["Retry-After"] == str(settings.DONATION_SESSION_WINDOW_SECONDS)
    assert len(fake_stripe.created(SESSIONS)) == 2
    other = client.post(_url(appeal), _gift(appeal), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 303


def test_behind_the_proxy_each_reader_is_counted_apart(client, settings, fake_stripe, appeal):
    settings.DONATION_SESSION_LIMIT = 1
    for reader in ("198.51.100.1", "198.51.100.2"):
        forwarded = {"x-forwarded-for": reader}
        response = client.post(_url(appeal), _gift(appeal), headers=forwarded)
        assert response.status_code == 303
    again = client.post(_url(appeal), _gift(appeal), headers={"x-forwarded-for": "198.51.100.1"})
    assert again.status_code == 429


def test_when_stripe_fails_the_reader_is_told_and_no_email_is_logged(
    client, fake_stripe, appeal, caplog
):
    fake_stripe.failing = True
    with caplog.at_level(logging.INFO):
        response = client.post(_url(appeal), _gift(appeal))
    assert response.status_code == 503
    assert "Payments are unavailable just now; nothing was charged." in response.content.decode()
    assert "Checkout Session creation failed" in caplog.text
    assert EMAIL not in caplog.text
    assert Donation.objects.count() == 0


def test_an_unknown_appeal_is_not_found(client, fake_stripe):
    assert client.get(reverse("articles:support-appeal", kwargs={"pk": 999})).status_code == 404
    assert client.get(reverse("articles:support")).status_code == 404


def test_the_page_asks_the_database_a_fixed_number_of_questions(
    client, fake_stripe, appeal, django_assert_num_queries
):
    with django_assert_num_queries(1):
        client.get(_url(appeal))


def test_amounts_are_sent_in_the_currencys_smallest_unit(client, fake_stripe):
    appeal = make_appeal(
        currency="JPY",
        currency_symbol="¥",
        minimum_amount=Decimal(100),
        campaign_month=_this_month(),
    )
    gift = {"preset": "other", "other_amount": "500", "frequency": "once", "email": EMAIL}
    assert client.post(_url(appeal), {**gift, "currency": "JPY"}).status_code == 303
    assert fake_stripe.created(SESSIONS)[0]["line_items[0][price_data][unit_amount]"] == "500"


@pytest.mark.parametrize("amount", ["500.50", "0.5"])
def test_a_fraction_of_a_currency_without_minor_units_is_refused(client, fake_stripe, amount):
    appeal = make_appeal(
        currency="JPY",
        currency_symbol="¥",
        minimum_amount=Decimal(1),
        campaign_month=_this_month(),
    )
    gift = {"preset": "other", "other_amount": amount, "frequency": "once", "email": EMAIL}
    response = client.post(_url(appeal), {**gift, "currency": "JPY"})
    assert response.status_code == 400
    assert "Gifts in JPY are whole amounts." in response.content.decode()
    assert 'step="1"' in response.content.decode()
    assert fake_stripe.requests == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_past_appeal_takes_no_gift_and_points_to_the_current_one(
    client, fake_stripe, appeal, method
):
    past = make_appeal(currency="EUR", campaign_month=date(2021, 3, 1), message="Old campaign")
    response = getattr(client, method)(_url(past), _gift(past) if method == "post" else None)
    page = response.content.decode()
    assert response.status_code == 410
    assert "This appeal has closed" in page and "nothing was charged" in page
    assert f'href="{reverse("articles:support")}"' in page
    assert "<form" not in page.split('<main id="main"')[1]
    assert fake_stripe.requests == []
    assert not Donation.objects.exists()


def test_a_later_months_appeal_is_not_open_yet(client, fake_stripe, appeal):
    later = make_appeal(currency="EUR", campaign_month=_this_month() + timedelta(days=40))
    response = client.post(_url(later), _gift(later))
    assert response.status_code == 404
    assert "has not opened yet" in response.content.decode()
    assert fake_stripe.requests == []


def test_without_keys_a_past_appeal_is_closed_too(client, settings, db):
    settings.STRIPE_SECRET_KEY = ""
    past = make_appeal(campaign_month=date(2021, 3, 1), donate_url="https://give.example.org/")
    response = client.get(_url(past))
    assert response.status_code == 410
    assert "No appeal is running just now" in response.content.decode()


def test_the_active_appeal_of_an_earlier_month_still_takes_gifts(client, fake_stripe, db):
    standing_in = make_appeal(currency="EUR", campaign_month=date(2021, 3, 1), is_active=True)
    response = client.post(_url(standing_in), _gift(standing_in))
    assert response.status_code == 303
    assert len(fake_stripe.created(SESSIONS)) == 1


def test_the_rule_for_taking_gifts_is_the_one_the_current_appeal_follows(db):
    from articles.models import DonationAppeal

    this_month = _this_month()
    appeals = [
        make_appeal(campaign_month=date(2021, 3, 1)),
        make_appeal(campaign_month=date(2021, 4, 1), is_active=True),
        make_appeal(campaign_month=this_month),
        make_appeal(campaign_month=this_month + timedelta(days=40)),
    ]
    open_by_query = set(
        DonationAppeal.objects.filter(DonationAppeal.takes_gifts_condition()).values_list(
            "pk", flat=True
        )
    )
    assert (
        {a.pk for a in appeals if a.takes_gifts}
        == open_by_query
        == {
            appeals[1].pk,
            appeals[2].pk,
        }
    )


def test_the_stand_in_refuses_a_parameter_stripe_does_not_take(fake_stripe):
    """Every call above passed the check of its parameters against the library's own
    description of Stripe's API; this shows the check can fail."""
    from stripe import InvalidRequestError, StripeClient

    client = StripeClient("sk_test_newsroom", base_addresses={"api": fake_stripe.url})
    session = {"mode": "payment", "success_url": "https://example.org/", "currency": "eur"}
    with pytest.raises(
        InvalidRequestError, match="unknown parameter: line_items\\[0\\]\\[amount\\]"
    ):
        client.v1.checkout.sessions.create({**session, "line_items": [{"amount": 500}]})
    with pytest.raises(InvalidRequestError, match="unknown parameter: customer_emails"):
        client.v1.checkout.sessions.create({**session, "customer_emails": "a@example.org"})
    assert fake_stripe.sessions == {}
