"""The receipt a donor gets for each payment, by Django's email framework, as a task:
the webhook only writes its row (in the gift's transaction), so a slow or hung mail
server never holds up Stripe's delivery, and a mail server that is down is tried again
(articles/tasks/retries.py)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from ..models import Donation

log = logging.getLogger(__name__)


class ReceiptNotSent(Exception):
    """The mail server did not take the receipt; the task is tried again."""


@task()
def send_receipt(donation_pk):
    """Email the receipt for a gift.

    A failure is logged (by entry, not by address) and the entry stays: the money was
    received whether or not the mail server answered. It is raised again without the
    transport's own error, which can quote the donor's address, since the task's
    traceback is kept and shown in the admin. A gift erased or deleted since is skipped.

    At least once: a worker killed after the server took the mail sends it again.
    """
    donation = Donation.objects.select_related("appeal").filter(pk=donation_pk).first()
    if donation is None or not donation.donor_email:
        return
    context = {"donation": donation, "site_name": settings.SITE_NAME}
    try:
        send_mail(
            subject=f"Your receipt from {settings.SITE_NAME}",
            message=render_to_string("donations/receipt.txt", context),
            from_email=settings.DONATION_RECEIPT_FROM or None,
            recipient_list=[donation.donor_email],
        )
    except Exception as error:  # any transport failure, SMTP or otherwise
        log.error(
            "The receipt for donation %s could not be sent (%s)",
            donation_pk,
            type(error).__name__,
        )
        raise ReceiptNotSent(f"donation {donation_pk}: {type(error).__name__}") from None
