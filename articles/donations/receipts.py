"""The receipt a donor gets for each payment, by Django's email framework."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from ..models import Donation

log = logging.getLogger(__name__)


def send_receipt(donation_pk):
    """Email the receipt for a gift; run after the gift is committed.

    A failure is logged (by entry, not by address) and the entry stays: the money was
    received whether or not the mail server answered.
    """
    donation = Donation.objects.select_related("appeal").get(pk=donation_pk)
    if not donation.donor_email:
        return
    context = {"donation": donation, "site_name": settings.SITE_NAME}
    try:
        send_mail(
            subject=f"Your receipt from {settings.SITE_NAME}",
            message=render_to_string("donations/receipt.txt", context),
            from_email=settings.DONATION_RECEIPT_FROM or None,
            recipient_list=[donation.donor_email],
        )
    except Exception:  # any transport failure, SMTP or otherwise
        log.exception("The receipt for donation %s could not be sent", donation_pk)
