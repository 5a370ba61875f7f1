"""Stripe's webhook records online gifts, renewals, refunds and lost disputes, exactly
once, and only from events signed with the endpoint's secret."""

import json
import logging
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from articles.models import Donation

from . import stripe_events as stripe
from .conftest import make_appeal

URL = "/donate/webhook/stripe/"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = stripe.WEBHOOK_SECRET


def deliver(client, payload, *, signature=None):
    return client.post(
        URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature or stripe.signature(payload)},
    )


@pytest.fixture
def appeal(db):
    return make_appeal(currency="USD")


def test_the_webhook_lives_where_stripe_is_told_it_is():
    assert reverse("articles:donate-webhook-stripe") == URL


def test_a_signed_completed_checkout_records_one_online_gift(client, appeal, mailoutbox):
    with_receipt = stripe.checkout_completed(appeal, amount=2550, payment="pi_42")
    response = deliver(client, with_receipt)
    assert response.status_code == 200
    gift = Donation.objects.get()
    assert gift.amount == Decimal("25.50")
    assert gift.source == Donation.Source.ONLINE
    assert gift.kind == Donation.Kind.GIFT
    assert gift.provider_payment_id == "pi_42"
    assert gift.provider_event_id == json.loads(with_receipt)["id"]
    assert (gift.donor_email, gift.donor_name, gift.is_anonymous) == (
        "reader@example.org",
        "A Reader",
        False,
    )
    assert appeal.raised == Decimal("25.50")


def test_the_donor_gets_a_receipt_after_the_gift_is_committed(
    client, appeal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        deliver(client, stripe.checkout_completed(appeal, amount=1000))
    assert mailoutbox == []  # nothing is sent before the gift is committed
    for callback in callbacks:
        callback()
    [receipt] = mailoutbox
    assert receipt.to == ["reader@example.org"]
    assert "10 $" in receipt.body
    assert "Thank you, A Reader." in receipt.body


def test_a_receipt_that_cannot_be_sent_is_logged_and_the_gift_stays(
    client, appeal, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, stripe.checkout_completed(appeal))
    assert response.status_code == 200
    assert Donation.objects.count() == 1
    assert "could not be sent" in caplog.text
    assert "reader@example.org" not in caplog.text


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("t=1,v1=deadbeef", id="forged"),
        pytest.param("", id="missing"),
        pytest.param("not a header", id="malformed"),
    ],
)
def test_an_unsigned_or_forged_event_is_refused_and_nothing_stored(client, appeal, signature):
    payload = stripe.checkout_completed(appeal)
    response = client.post(
        URL, payload, content_type="application/json", headers={"Stripe-Signature": signature}
    )
    assert response.status_code == 400
    assert not Donation.objects.exists()


def test_an_event_signed_with_another_secret_is_refused(client, appeal):
    payload = stripe.checkout_completed(appeal)
    response = deliver(client, payload, signature=stripe.signature(payload, secret="whsec_other"))
    assert response.status_code == 400
    assert not Donation.objects.exists()


def test_a_changed_body_under_a_good_signature_is_refused(client, appeal):
    payload = stripe.checkout_completed(appeal, amount=100)
    forged = payload.replace('"amount_total": 100', '"amount_total": 100000')
    response = deliver(client, forged, signature=stripe.signature(payload))
    assert response.status_code == 400
    assert not Donation.objects.exists()


def test_a_replayed_event_older_than_five_minutes_is_refused(client, appeal):
    payload = stripe.checkout_completed(appeal)
    stale = stripe.signature(payload, timestamp=int(time.time()) - 301)
    assert deliver(client, payload, signature=stale).status_code == 400
    assert not Donation.objects.exists()


def test_a_body_that_is_not_json_is_refused_with_400(client, db):
    assert deliver(client, "{not json").status_code == 400


def test_the_webhook_takes_only_post(client, db):
    assert client.get(URL).status_code == 405


def test_without_a_webhook_secret_nothing_is_recorded(client, appeal, settings):
    payload = stripe.checkout_completed(appeal)
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert deliver(client, payload).status_code == 400
    assert not Donation.objects.exists()


def test_a_duplicated_delivery_records_one_gift_and_sends_one_receipt(
    client, appeal, mailoutbox, django_capture_on_commit_callbacks
):
    payload = stripe.checkout_completed(appeal, payment="pi_dup")
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, payload).status_code == 200
        assert deliver(client, payload).status_code == 200
        # The same payment under another event id.
        again = stripe.checkout_completed(appeal, payment="pi_dup")
        assert deliver(client, again).status_code == 200
    assert Donation.objects.count() == 1
    assert len(mailoutbox) == 1
    assert appeal.raised == Decimal("25.00")


def test_an_event_for_a_currency_the_appeal_does_not_take_is_refused(client, appeal, caplog):
    caplog.set_level(logging.WARNING)
    response = deliver(client, stripe.checkout_completed(appeal, currency="eur"))
    assert response.status_code == 200  # acknowledged: Stripe must not send it again
    assert not Donation.objects.exists()
    assert "currency 'eur' is not appeal" in caplog.text


def test_an_event_for_an_unknown_appeal_is_refused(client, appeal, caplog):
    payload = stripe.checkout_completed(appeal, metadata={"appeal_id": "999999"})
    assert deliver(client, payload).status_code == 200
    assert not Donation.objects.exists()
    assert "no appeal '999999'" in caplog.text


def test_money_taken_for_an_appeal_closed_since_is_still_recorded(client, appeal, caplog):
    caplog.set_level(logging.INFO)
    assert not appeal.takes_gifts  # March 2021: its month is long past
    assert deliver(client, stripe.checkout_completed(appeal, amount=1500)).status_code == 200
    assert appeal.raised == Decimal("15.00")
    assert f"recorded for closed appeal {appeal.pk}" in caplog.text


def test_an_unpaid_checkout_records_nothing(client, appeal):
    deliver(client, stripe.checkout_completed(appeal, payment_status="unpaid"))
    assert not Donation.objects.exists()


def test_logs_name_no_donor_and_no_body(client, appeal, caplog):
    caplog.set_level(logging.DEBUG)
    deliver(client, stripe.checkout_completed(appeal, currency="eur"))
    deliver(client, stripe.checkout_completed(appeal))
    deliver(client, stripe.checkout_completed(appeal))
    assert "reader@example.org" not in caplog.text
    assert "A Reader" not in caplog.text


def test_a_refund_adds_a_reversal_and_lowers_the_raised_figure(client, appeal):
    deliver(client, stripe.checkout_completed(appeal, amount=2500, payment="pi_r"))
    response = deliver(client, stripe.charge_refunded(payment="pi_r", refunds=[("re_1", 1000)]))
    assert response.status_code == 200
    reversal = Donation.objects.get(kind=Donation.Kind.REVERSAL)
    assert reversal.amount == Decimal("-10.00")
    assert reversal.reverses.provider_payment_id == "pi_r"
    assert reversal.provider_reversal_id == "re_1"
    assert appeal.raised == Decimal("15.00")


def test_each_refund_of_a_payment_is_recorded_once(client, appeal):
    deliver(client, stripe.checkout_completed(appeal, amount=2500, payment="pi_r"))
    first = stripe.charge_refunded(payment="pi_r", refunds=[("re_1", 1000)])
    both = stripe.charge_refunded(payment="pi_r", refunds=[("re_1", 1000), ("re_2", 500)])
    for payload in (first, both, first, both):
        assert deliver(client, payload).status_code == 200
    assert Donation.objects.filter(kind=Donation.Kind.REVERSAL).count() == 2
    assert appeal.raised == Decimal("10.00")


def test_a_lost_dispute_takes_the_gift_back(client, appeal):
    deliver(client, stripe.checkout_completed(appeal, amount=2500, payment="pi_d"))
    deliver(client, stripe.dispute_closed(payment="pi_d", amount=2500, status="lost"))
    deliver(client, stripe.dispute_closed(payment="pi_d", amount=2500, status="lost"))
    assert appeal.raised == Decimal("0.00")
    assert Donation.objects.get(kind=Donation.Kind.REVERSAL).note == "Dispute lost"


def test_a_won_dispute_changes_nothing(client, appeal):
    deliver(client, stripe.checkout_completed(appeal, amount=2500, payment="pi_d"))
    deliver(client, stripe.dispute_closed(payment="pi_d", status="won"))
    assert appeal.raised == Decimal("25.00")


def test_a_refund_and_a_lost_dispute_never_take_back_more_than_the_gift(client, appeal):
    deliver(client, stripe.checkout_completed(appeal, amount=2500, payment="pi_x"))
    deliver(client, stripe.charge_refunded(payment="pi_x", refunds=[("re_1", 2000)]))
    deliver(client, stripe.dispute_closed(payment="pi_x", amount=2500))
    assert appeal.raised == Decimal("0.00")
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [
        Decimal("-20.00"),
        Decimal("-5.00"),
        Decimal("25.00"),
    ]


def test_a_refund_that_arrives_before_its_payment_is_recorded_when_stripe_sends_it_again(
    client, appeal
):
    refund = stripe.charge_refunded(payment="pi_late", refunds=[("re_9", 500)])
    assert deliver(client, refund).status_code == 409  # Stripe retries a non-2xx answer
    assert not Donation.objects.exists()
    deliver(client, stripe.checkout_completed(appeal, amount=2500, payment="pi_late"))
    assert deliver(client, refund).status_code == 200
    assert appeal.raised == Decimal("20.00")


def test_a_monthly_gift_and_its_renewals_are_each_one_entry(client, appeal):
    first = stripe.monthly_checkout_completed(appeal, amount=1000, invoice="in_1")
    deliver(client, first)
    # Stripe also reports the first invoice paid; it is the same payment.
    metadata = {"appeal_id": str(appeal.pk), "anonymous": "1"}
    deliver(client, stripe.invoice_paid(invoice="in_1", metadata=metadata))
    renewal = stripe.invoice_paid(invoice="in_2", metadata=metadata)
    deliver(client, renewal)
    deliver(client, renewal)
    gifts = Donation.objects.order_by("pk")
    assert [g.provider_payment_id for g in gifts] == ["in_1", "in_2"]
    assert all(g.is_recurring and g.subscription_id == "sub_1" for g in gifts)
    assert gifts[1].is_anonymous
    assert appeal.raised == Decimal("20.00")


def test_a_renewal_without_metadata_follows_its_subscription_first_gift(client, appeal):
    deliver(client, stripe.monthly_checkout_completed(appeal, invoice="in_1"))
    deliver(client, stripe.invoice_paid(invoice="in_2", amount=1000))
    assert Donation.objects.get(provider_payment_id="in_2").appeal == appeal


def test_a_renewal_of_an_unknown_subscription_waits_for_its_first_gift(client, appeal):
    early = stripe.invoice_paid(invoice="in_1", subscription="sub_new")
    assert deliver(client, early).status_code == 409
    assert not Donation.objects.exists()
    deliver(
        client, stripe.monthly_checkout_completed(appeal, invoice="in_1", subscription="sub_new")
    )
    assert deliver(client, early).status_code == 200
    assert Donation.objects.count() == 1


def test_a_renewal_in_another_currency_is_refused(client, appeal):
    metadata = {"appeal_id": str(appeal.pk)}
    deliver(client, stripe.invoice_paid(currency="gbp", metadata=metadata))
    assert not Donation.objects.exists()


def test_an_event_of_another_kind_is_acknowledged_and_ignored(client, db):
    assert deliver(client, stripe.event("customer.created", {"id": "cus_1"})).status_code == 200
    assert not Donation.objects.exists()


# Refunds of monthly gifts. Since API version 2025-03-31 a charge names no invoice and
# an invoice no payment intent: the renewal's entry keeps the payment intent that paid
# it, and a refund finds the gift by it.


def _monthly(client, appeal, **renewal):
    metadata = {"appeal_id": str(appeal.pk)}
    deliver(client, stripe.monthly_checkout_completed(appeal, amount=1000, invoice="in_1"))
    deliver(client, stripe.invoice_paid(invoice="in_2", metadata=metadata, **renewal))


def test_a_renewal_refunded_under_an_old_api_version_is_found_by_its_invoice(client, appeal):
    _monthly(client, appeal)
    refund = stripe.charge_refunded(payment="pi_r2", invoice="in_2", refunds=[("re_1", 1000)])
    assert deliver(client, refund).status_code == 200
    assert Donation.objects.get(kind="reversal").reverses.provider_payment_id == "in_2"


def test_a_renewal_whose_invoice_names_its_payment_intent_is_refunded_by_it(client, appeal):
    _monthly(client, appeal, payment_intent="pi_r2")
    assert Donation.objects.get(provider_payment_id="in_2").payment_intent_id == "pi_r2"
    refund = stripe.charge_refunded(payment="pi_r2", refunds=[("re_1", 400)])
    assert deliver(client, refund).status_code == 200
    assert appeal.raised == Decimal("16.00")


def test_a_renewal_with_its_payments_list_is_refunded_by_its_payment_intent(client, appeal):
    _monthly(client, appeal, payments=["pi_r2"])
    refund = stripe.charge_refunded(payment="pi_r2", refunds=None, refunded=1000)
    assert deliver(client, refund).status_code == 200
    assert Donation.objects.get(kind="reversal").reverses.provider_payment_id == "in_2"
    assert appeal.raised == Decimal("10.00")


def test_a_renewal_without_its_payments_list_asks_stripe_for_them(client, appeal, fake_stripe):
    fake_stripe.pay_invoice("in_2", "pi_r2")
    _monthly(client, appeal)
    assert Donation.objects.get(provider_payment_id="in_2").payment_intent_id == "pi_r2"
    [(_, asked, _)] = [r for r in fake_stripe.requests if r[1].startswith("/v1/invoice_payments")]
    assert "invoice=in_2" in asked
    refund = stripe.charge_refunded(payment="pi_r2", refunds=[("re_1", 1000)])
    assert deliver(client, refund).status_code == 200
    assert appeal.raised == Decimal("10.00")


def test_the_first_payment_of_a_monthly_gift_learns_its_payment_intent_from_its_invoice(
    client, appeal
):
    deliver(client, stripe.monthly_checkout_completed(appeal, amount=1000, invoice="in_1"))
    metadata = {"appeal_id": str(appeal.pk)}
    deliver(client, stripe.invoice_paid(invoice="in_1", metadata=metadata, payments=["pi_1st"]))
    [gift] = Donation.objects.all()
    assert (gift.payment_intent_id, gift.amount) == ("pi_1st", Decimal("10.00"))
    refund = stripe.charge_refunded(payment="pi_1st", refunds=[("re_1", 1000)])
    assert deliver(client, refund).status_code == 200
    assert appeal.raised == Decimal("0.00")


def test_a_renewal_recorded_without_its_payment_intent_is_found_through_stripe(
    client, appeal, fake_stripe
):
    # Recorded while Stripe could not be asked (or before the payment intent was kept).
    fake_stripe.failing = True
    _monthly(client, appeal)
    assert Donation.objects.get(provider_payment_id="in_2").payment_intent_id == ""
    fake_stripe.failing = False
    fake_stripe.pay_invoice("in_2", "pi_r2")
    refund = stripe.charge_refunded(payment="pi_r2", refunds=[("re_1", 1000)])
    assert deliver(client, refund).status_code == 200
    assert Donation.objects.get(kind="reversal").reverses.provider_payment_id == "in_2"


def test_a_refund_stripe_cannot_place_waits_and_is_recorded_once_it_can(
    client, appeal, fake_stripe
):
    _monthly(client, appeal)
    refund = stripe.charge_refunded(payment="pi_r2", refunds=[("re_1", 1000)])
    fake_stripe.failing = True
    assert deliver(client, refund).status_code == 409
    fake_stripe.failing = False
    fake_stripe.pay_invoice("in_2", "pi_r2")
    assert deliver(client, refund).status_code == 200
    assert appeal.raised == Decimal("10.00")


def test_refunds_without_their_list_are_recorded_by_the_refunded_total_once_each(client, appeal):
    deliver(client, stripe.checkout_completed(appeal, amount=2500, payment="pi_t"))
    first = stripe.charge_refunded(payment="pi_t", refunds=None, refunded=1000)
    second = stripe.charge_refunded(payment="pi_t", refunds=None, refunded=1500)
    for payload in (first, first, second, first, second):
        assert deliver(client, payload).status_code == 200
    reversals = Donation.objects.filter(kind="reversal").order_by("pk")
    assert [r.amount for r in reversals] == [Decimal("-10.00"), Decimal("-5.00")]
    assert appeal.raised == Decimal("10.00")
