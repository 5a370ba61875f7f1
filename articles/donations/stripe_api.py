"""The Stripe calls the donation pages make, through the official library.

Checkout is Stripe's hosted page: no card data reaches this site, so no Stripe.js is
loaded and the CSP stays as strict as it is.
"""

from django.conf import settings
from stripe import StripeClient, StripeError, new_default_http_client

from .amounts import in_minor_units

__all__ = [
    "StripeError",
    "checkout_session",
    "invoice_paid_by",
    "invoice_payments",
    "is_configured",
    "portal_session",
    "session",
]
# A reader waits on these calls, and Stripe on the webhook's: not the library's 80 s.
TIMEOUT_SECONDS = 10


def is_configured():
    return bool(settings.STRIPE_SECRET_KEY)


def _client():
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    # Stripe's own retries are idempotent (the library sends an Idempotency-Key).
    return StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=1,
        http_client=new_default_http_client(timeout=TIMEOUT_SECONDS),
    )


def checkout_session(*, appeal, gift, success_url, cancel_url):
    """A Checkout Session for a gift (the DonationForm's cleaned data) to an appeal."""
    currency = appeal.currency.lower()
    metadata = {"appeal_id": str(appeal.pk), "anonymous": "1" if gift["anonymous"] else "0"}
    if gift["name"]:
        metadata["donor_name"] = gift["name"]
    price_data = {
        "currency": currency,
        "unit_amount": in_minor_units(gift["amount"], appeal.currency),
        "product_data": {"name": f"Gift to {appeal}"},
    }
    params = {
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "currency": currency,
        "customer_email": gift["email"],
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if gift["frequency"] == "monthly":
        price_data["recurring"] = {"interval": "month"}
        params["mode"] = "subscription"
        # Each renewal's invoice carries the subscription's metadata, not the session's.
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["mode"] = "payment"
        params["payment_intent_data"] = {"metadata": metadata}
    return _client().v1.checkout.sessions.create(params)


def session(session_id):
    return _client().v1.checkout.sessions.retrieve(session_id)


def portal_session(*, customer, return_url):
    return _client().v1.billing_portal.sessions.create(
        {"customer": customer, "return_url": return_url}
    )


def invoice_payments(invoice_id):
    """The paid payments of an invoice, as dicts (Stripe's InvoicePayment)."""
    found = _client().v1.invoice_payments.list({"invoice": invoice_id, "status": "paid"})
    return [payment.to_dict() for payment in found.data]


def invoice_paid_by(payment_intent_id):
    """The invoice a payment intent paid, or None if it paid none."""
    payment = {"type": "payment_intent", "payment_intent": payment_intent_id}
    found = _client().v1.invoice_payments.list({"payment": payment, "status": "paid", "limit": 1})
    return found.data[0].invoice if found.data else None
