"""Writes that span more than one row. Views, admin actions and commands call these."""

from django.db import transaction
from django.utils import timezone

from .models import Donation, OrganisationTag


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


@transaction.atomic
def organisations_add_tag(*, organisations, name):
    tag = _organisation_tag(name)
    for organisation in organisations:
        organisation.tags.add(tag)
    return len(organisations)


@transaction.atomic
def organisations_remove_tag(*, organisations, name):
    tag = OrganisationTag.objects.filter(name__iexact=name.strip()).first()
    if tag is None:
        return 0
    removed = 0
    for organisation in organisations:
        if organisation.tags.filter(pk=tag.pk).exists():
            organisation.tags.remove(tag)
            removed += 1
    return removed


def _organisation_tag(name):
    name = name.strip()
    tag = OrganisationTag.objects.filter(name__iexact=name).first()
    return tag or OrganisationTag.objects.create(name=name)
