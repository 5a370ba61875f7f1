"""Stripe's signed webhook: the only way online money enters the ledger.

Each event is verified with STRIPE_WEBHOOK_SECRET (Stripe's scheme: an HMAC-SHA256 of
"timestamp.body", refused when older than the tolerance) before anything is read from it.
Recording is exactly once by the payment's, refund's or dispute's id (unique constraints),
so Stripe's retries, duplicates and concurrent deliveries add one entry. An event that
refers to a gift not recorded yet (a refund before its payment) is answered 409, and
Stripe delivers it again later. Logs name events and reasons, never bodies or emails.
"""

import logging
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import services
from ..models import Donation, DonationAppeal
from . import receipts, stripe_api
from .amounts import from_minor_units

log = logging.getLogger(__name__)


class Refused(Exception):
    """The event cannot be recorded, now or ever: acknowledged, logged, nothing stored."""


@csrf_exempt
@never_cache
@require_POST
def stripe_webhook(request):
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        log.warning("Stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseBadRequest("Webhook not configured.")
    try:
        event = stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            secret,
            tolerance=settings.DONATION_WEBHOOK_TOLERANCE_SECONDS,
        ).to_dict()
    except stripe.SignatureVerificationError as error:
        log.warning("Stripe webhook refused: %s", error.user_message or "bad signature")
        return HttpResponseBadRequest("Invalid signature.")
    except (ValueError, UnicodeDecodeError):
        log.warning("Stripe webhook refused: the body is not an event")
        return HttpResponseBadRequest("Invalid payload.")
    handler = HANDLERS.get(event.get("type"))
    if handler is None:
        return HttpResponse("Ignored.")
    try:
        handler(event, event["data"]["object"])
    except Refused as reason:
        log.warning("Stripe event %s (%s) refused: %s", event.get("id"), event["type"], reason)
        return HttpResponse(f"Refused: {reason}")
    except services.GiftNotRecorded:
        log.info("Stripe event %s (%s): its gift is not recorded yet", event["id"], event["type"])
        return HttpResponse("The payment is not recorded yet; send again later.", status=409)
    return HttpResponse("OK.")


def _checkout_completed(event, session):
    if session.get("payment_status") != "paid":
        return  # an asynchronous payment: recorded when its success event arrives
    metadata = session.get("metadata") or {}
    recurring = session.get("mode") == "subscription"
    payment_id = session.get("invoice") if recurring else session.get("payment_intent")
    details = session.get("customer_details") or {}
    _record_gift(
        event,
        appeal=_appeal(metadata, session.get("currency")),
        amount_minor=session.get("amount_total"),
        currency=session.get("currency"),
        payment_id=payment_id,
        metadata=metadata,
        donor_email=details.get("email") or session.get("customer_email") or "",
        subscription_id=(session.get("subscription") or "") if recurring else "",
    )


def _invoice_paid(event, invoice):
    # Where an invoice names its subscription moved between API versions; both are read.
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    old = invoice.get("subscription_details") or {}
    subscription_id = parent.get("subscription") or invoice.get("subscription") or ""
    if not subscription_id or not invoice.get("amount_paid"):
        return  # not a monthly gift, or nothing paid (a trial)
    metadata = parent.get("metadata") or old.get("metadata") or {}
    if "appeal_id" not in metadata:
        earlier = (
            Donation.objects.filter(kind=Donation.Kind.GIFT, subscription_id=subscription_id)
            .order_by("pk")
            .first()
        )
        if earlier is None:
            raise services.GiftNotRecorded(subscription_id)
        metadata = {
            "appeal_id": earlier.appeal_id,
            "donor_name": earlier.donor_name,
            "anonymous": "1" if earlier.is_anonymous else "0",
        }
    _record_gift(
        event,
        appeal=_appeal(metadata, invoice.get("currency")),
        amount_minor=invoice.get("amount_paid"),
        currency=invoice.get("currency"),
        payment_id=invoice.get("id"),
        metadata=metadata,
        donor_email=invoice.get("customer_email") or "",
        subscription_id=subscription_id,
        payment_intent_id=_invoice_payment_intent(event, invoice),
    )


def _invoice_payment_intent(event, invoice):
    """The payment intent that paid the invoice, kept so that its refund finds the gift:
    since API version 2025-03-31 a charge no longer names its invoice."""
    if isinstance(invoice.get("payment_intent"), str):
        return invoice["payment_intent"]  # API versions before 2025-03-31
    # From 2025-03-31 the invoice's payments list names it, in an event only when
    # expanded; otherwise Stripe is asked.
    payments = (invoice.get("payments") or {}).get("data")
    if payments is None and stripe_api.is_configured():
        try:
            payments = stripe_api.invoice_payments(invoice["id"])
        except stripe_api.StripeError as error:
            # The gift is recorded all the same; its refund asks Stripe again.
            _log_lookup_failure(event, error)
    for payment in payments or []:
        paid_by = payment.get("payment") or {}
        intent = paid_by.get("payment_intent")
        if payment.get("status") == "paid" and intent:
            return intent if isinstance(intent, str) else intent["id"]
    return ""


def _charge_refunded(event, charge):
    refunds = (charge.get("refunds") or {}).get("data")
    if refunds is None:
        # API versions that leave the refunds out: the charge's refunded total stands for
        # them, keyed by that total, so each further refund is one more entry.
        total = charge.get("amount_refunded")
        refunds = [{"id": f"{charge['id']}:refunded:{total}", "amount": total, "total": True}]
    refunds = [r for r in refunds if r.get("status", "succeeded") in ("succeeded", "pending")]
    try:
        _record_refunds(
            event, charge, refunds, [charge.get("payment_intent"), charge.get("invoice")]
        )
    except services.GiftNotRecorded:
        invoice = _invoice_paid_by(event, charge)
        if invoice is None:
            raise
        _record_refunds(event, charge, refunds, [invoice])


def _record_refunds(event, charge, refunds, payment_ids):
    for refund in refunds:
        _record_reversal(
            event,
            payment_ids=payment_ids,
            reversal_id=refund["id"],
            amount_minor=refund.get("amount"),
            currency=charge.get("currency"),
            note="Refund",
            is_total=refund.get("total", False),
        )


def _invoice_paid_by(event, charge):
    """The invoice a refunded charge paid, asked of Stripe when the ledger has no gift of
    its payment intent: a monthly gift recorded without it (before it was kept, or while
    Stripe could not be asked), refunded under an API version whose charges name no
    invoice. None when Stripe cannot tell: the refund waits (409) and comes again."""
    if charge.get("invoice") or not charge.get("payment_intent"):
        return None
    if not stripe_api.is_configured():
        return None
    try:
        return stripe_api.invoice_paid_by(charge["payment_intent"])
    except stripe_api.StripeError as error:
        _log_lookup_failure(event, error)
        return None


def _log_lookup_failure(event, error):
    # The error's type and code only: Stripe's message may quote the request.
    log.warning(
        "Stripe event %s: invoice payments lookup failed: %s (%s)",
        event["id"],
        type(error).__name__,
        error.code,
    )


def _dispute_closed(event, dispute):
    if dispute.get("status") != "lost":
        return  # won or withdrawn: the money stayed
    _record_reversal(
        event,
        payment_ids=[dispute.get("payment_intent")],
        reversal_id=dispute["id"],
        amount_minor=dispute.get("amount"),
        currency=dispute.get("currency"),
        note="Dispute lost",
        is_total=False,
    )


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_completed,
    "invoice.paid": _invoice_paid,
    "charge.refunded": _charge_refunded,
    "charge.dispute.closed": _dispute_closed,
}


def _appeal(metadata, currency):
    appeal_id = str(metadata.get("appeal_id") or "")
    appeal = DonationAppeal.objects.filter(pk=appeal_id).first() if appeal_id.isdigit() else None
    if appeal is None:
        raise Refused(f"no appeal {appeal_id!r}")
    if (currency or "").upper() != appeal.currency.upper():
        raise Refused(f"currency {currency!r} is not appeal {appeal.pk}'s {appeal.currency}")
    return appeal


def _amount(amount_minor, currency):
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise Refused(f"amount {amount_minor!r} is not a positive number of minor units")
    return from_minor_units(amount_minor, currency)


def _received_date(event):
    return datetime.fromtimestamp(event["created"], UTC).date()


def _record_gift(event, *, appeal, amount_minor, currency, payment_id, metadata, **donor):
    if not payment_id:
        raise Refused("no payment intent or invoice")
    try:
        # The gift and the task of its receipt commit together or not at all: a crash
        # between them would leave a gift whose receipt no later delivery sends.
        with transaction.atomic():
            gift = services.appeal_record_online_gift(
                appeal=appeal,
                amount=_amount(amount_minor, currency),
                payment_id=payment_id,
                event_id=event["id"],
                received_date=_received_date(event),
                donor_name=str(metadata.get("donor_name") or "")[:200],
                is_anonymous=metadata.get("anonymous") == "1",
                **donor,
            )
            if gift is not None and gift.donor_email:
                # Sent by a worker, never in Stripe's request.
                receipts.send_receipt.enqueue(gift.pk)
    except ValidationError as error:
        raise Refused(f"invalid {', '.join(error.message_dict)}") from error
    if gift is None:
        log.info("Stripe event %s: payment %s already recorded", event["id"], payment_id)
    elif not appeal.takes_gifts:
        # The donation page refuses a closed appeal, but Stripe took this money (a
        # checkout opened before the month ended, a monthly renewal): it belongs in the
        # ledger, under the appeal the donor chose, rather than nowhere.
        log.info("Stripe event %s: recorded for closed appeal %s", event["id"], appeal.pk)


def _record_reversal(event, *, amount_minor, currency, **reversal):
    reversal = services.donation_record_reversal(
        amount=_amount(amount_minor, currency),
        event_id=event["id"],
        received_date=_received_date(event),
        **reversal,
    )
    if reversal is None:
        log.info("Stripe event %s: nothing left to take back", event["id"])
