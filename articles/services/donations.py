"""The appeal's ledger: money enters it here, from an editor or an import."""

from django.utils import timezone

from ..models import Donation


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
    donation.full_clean()
    donation.save()
    return donation
