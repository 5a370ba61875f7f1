"""The appeal's ledger: money enters it here, from an editor or an import."""

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..fields import MoneyField
from ..models import Donation

ONLINE_FIELDS = [
    "kind",
    "source",
    "reverses",
    "provider_payment_id",
    "provider_reversal_id",
    "provider_event_id",
    "subscription_id",
    "payment_intent_id",
]


def appeal_record_donation(*, appeal, amount, received_date=None, note="", recorded_by=None):
    """Add one entry to the appeal's ledger.

    The raised amount is a sum over the ledger, so concurrent recordings are plain
    inserts and none can overwrite another.
    """
    donation = Donation(
        appeal=appeal,
        amount=amount,
        received_date=received_date or timezone.localdate(),
        note=note,
        recorded_by=recorded_by,
    )
    # A gift by hand names no Stripe payment: the online fields' constraints (each a query)
    # have nothing to check.
    donation.full_clean(exclude=ONLINE_FIELDS)
    donation.save()
    return donation


class GiftNotRecorded(Exception):
    """A refund or dispute names a payment the ledger has no gift for (yet)."""


def appeal_record_online_gift(
    *,
    appeal,
    amount,
    payment_id,
    event_id,
    received_date=None,
    donor_email="",
    donor_name="",
    is_anonymous=False,
    subscription_id="",
    payment_intent_id="",
):
    """Add a gift Stripe reported paid, once: None if the payment is already in the ledger.

    The unique constraint on the payment decides, not a look-up first, so two deliveries
    of one event racing each other (two workers, two processes) still add one entry.
    `payment_intent_id` (a monthly gift's, whose payment is its invoice) is filled in on
    the entry already there if that one lacks it: the first invoice of a monthly gift is
    recorded from the completed checkout, which does not name it.
    """
    donation = Donation(
        appeal=appeal,
        amount=amount,
        received_date=received_date or timezone.localdate(),
        kind=Donation.Kind.GIFT,
        source=Donation.Source.ONLINE,
        provider_payment_id=payment_id,
        provider_event_id=event_id,
        subscription_id=subscription_id,
        payment_intent_id=payment_intent_id,
        is_recurring=bool(subscription_id),
        donor_email=donor_email,
        donor_name=donor_name,
        is_anonymous=is_anonymous,
    )
    donation.full_clean(exclude=["provider_payment_id", "provider_reversal_id"])
    same = {"kind": Donation.Kind.GIFT, "provider_payment_id": payment_id}
    gift = _insert_once(donation, **same)
    if gift is None and payment_intent_id:
        # A reference to Stripe's payment, not money: the entry's amounts are untouched.
        Donation.objects.filter(**same, payment_intent_id="").update(
            payment_intent_id=payment_intent_id
        )
    return gift


def donation_record_reversal(
    *, payment_ids, reversal_id, amount, event_id, note, received_date=None, is_total=False
):
    """Take back (part of) a gift for a refund or a lost dispute, once per `reversal_id`.

    `payment_ids` name the gift: its payment intent, or its invoice for a monthly gift.

    `is_total`: `amount` is all that was taken back of the payment so far, not this
    reversal alone. Never more than what is left of the gift, so a refund and a dispute
    of one payment cannot take the sum below zero. Returns the reversal, or None if there
    was nothing left to record.
    """
    payment_ids = [payment for payment in payment_ids if payment]
    with transaction.atomic():
        gift = (
            Donation.objects.select_for_update()
            .filter(kind=Donation.Kind.GIFT)
            .filter(Q(provider_payment_id__in=payment_ids) | Q(payment_intent_id__in=payment_ids))
            .first()
        )
        if gift is None:
            raise GiftNotRecorded(reversal_id)
        reversed_so_far = -gift.reversals.aggregate(
            total=Coalesce(Sum("amount"), 0, output_field=MoneyField())
        )["total"]
        if is_total:
            amount -= reversed_so_far
        amount = min(amount, gift.amount - reversed_so_far)
        if amount <= 0:
            return None
        reversal = Donation(
            appeal=gift.appeal,
            amount=-amount,
            received_date=received_date or timezone.localdate(),
            kind=Donation.Kind.REVERSAL,
            source=gift.source,
            reverses=gift,
            provider_payment_id=gift.provider_payment_id,
            provider_reversal_id=reversal_id,
            provider_event_id=event_id,
            subscription_id=gift.subscription_id,
            is_recurring=gift.is_recurring,
            note=note,
        )
        reversal.full_clean(exclude=["provider_payment_id", "provider_reversal_id"])
        return _insert_once(reversal, provider_reversal_id=reversal_id)


def donor_erase(*, donations):
    """Erase the donor's personal data from these entries; the amounts stay."""
    return donations.exclude(donor_email="", donor_name="").update(
        donor_email="", donor_name="", donor_erased_at=timezone.now()
    )


def _insert_once(donation, **same):
    try:
        with transaction.atomic():
            donation.save()
    except IntegrityError:
        if Donation.objects.filter(**same).exists():
            return None  # a delivery of the same payment or refund committed first
        raise
    return donation
