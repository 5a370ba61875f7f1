"""Stripe events as Stripe sends them: JSON bodies signed the way Stripe signs them
(`t=<timestamp>,v1=<HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret>`)."""

import hashlib
import hmac
import itertools
import json
import time

WEBHOOK_SECRET = "whsec_tests_only_not_a_secret"
_ids = itertools.count(1)


def signature(payload, *, secret=WEBHOOK_SECRET, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={signed.hexdigest()}"


def event(kind, obj, *, event_id=None, created=None):
    return json.dumps(
        {
            "id": event_id or f"evt_{next(_ids)}",
            "object": "event",
            "type": kind,
            "created": created or int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
    )


def checkout_session(appeal, *, amount=2500, currency="usd", payment="pi_1", **fields):
    session = {
        "id": f"cs_{payment}",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "status": "complete",
        "amount_total": amount,
        "currency": currency,
        "payment_intent": payment,
        "invoice": None,
        "subscription": None,
        "customer_details": {"email": "reader@example.org", "name": "A Reader"},
        "metadata": {"appeal_id": str(appeal.pk), "anonymous": "0", "donor_name": "A Reader"},
    }
    return session | fields


def checkout_completed(appeal, **fields):
    return event("checkout.session.completed", checkout_session(appeal, **fields))


def monthly_checkout_completed(appeal, *, amount=1000, invoice="in_1", subscription="sub_1"):
    session = checkout_session(
        appeal,
        amount=amount,
        payment=None,
        mode="subscription",
        invoice=invoice,
        subscription=subscription,
    )
    return event("checkout.session.completed", session)


def invoice_paid(
    *,
    invoice="in_2",
    subscription="sub_1",
    amount=1000,
    currency="usd",
    metadata=None,
    payment_intent=None,
    payments=None,
):
    """An invoice.paid event as API versions from 2025-03-31 send it: no payment intent
    on the invoice; `payments` (payment intents) gives its expanded payments list.
    `payment_intent` gives the invoice the field older versions have instead."""
    parent = {"subscription_details": {"subscription": subscription, "metadata": metadata or {}}}
    obj = {
        "id": invoice,
        "object": "invoice",
        "amount_paid": amount,
        "currency": currency,
        "customer_email": "reader@example.org",
        "billing_reason": "subscription_cycle",
        "parent": {"type": "subscription_details"} | parent,
    }
    if payment_intent is not None:
        obj["payment_intent"] = payment_intent
    if payments is not None:
        obj["payments"] = {
            "object": "list",
            "data": [
                {
                    "id": f"inpay_{intent}",
                    "object": "invoice_payment",
                    "invoice": invoice,
                    "status": "paid",
                    "payment": {"type": "payment_intent", "payment_intent": intent},
                }
                for intent in payments
            ],
        }
    return event("invoice.paid", obj)


def charge_refunded(
    *, payment="pi_1", refunds=(("re_1", 1000),), currency="usd", invoice=None, refunded=None
):
    """A charge.refunded event. `refunds=None`: without the refunds list (API versions
    from 2022-11-15 leave it out), with `refunded` as the charge's refunded total.
    `invoice`: the field API versions before 2025-03-31 have on a charge."""
    charge = {
        "id": f"ch_{payment}",
        "object": "charge",
        "payment_intent": payment,
        "currency": currency,
    }
    if invoice is not None:
        charge["invoice"] = invoice
    if refunds is None:
        charge["amount_refunded"] = refunded
    else:
        charge["amount_refunded"] = sum(amount for _, amount in refunds)
        charge["refunds"] = {
            "object": "list",
            "data": [
                {"id": refund_id, "object": "refund", "amount": amount, "status": "succeeded"}
                for refund_id, amount in refunds
            ],
        }
    return event("charge.refunded", charge)


def dispute_closed(*, payment="pi_1", amount=2500, status="lost", dispute="dp_1"):
    obj = {
        "id": dispute,
        "object": "dispute",
        "amount": amount,
        "currency": "usd",
        "payment_intent": payment,
        "charge": f"ch_{payment}",
        "status": status,
    }
    return event("charge.dispute.closed", obj)
