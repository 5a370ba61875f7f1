"""The appeal's ledger: money enters it here, from an editor or an import."""

from django.utils import timezone

from ..models import Donation

ONLINE_FIELDS = [
    "kind",
    "source",
    "reverses",
    "provider_payment_id",
    "provider_reversal_id",
    "provider_event_id",
    "subscription_id",
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
