"""The reader's side of giving: the donation page, the thank-you page and the way to
manage a monthly gift. Never cached: each answers one reader."""

import logging
import re

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import Donation, DonationAppeal
from . import stripe_api
from .amounts import from_minor_units
from .forms import DonationForm
from .throttle import allow_session

logger = logging.getLogger(__name__)

# Stripe's Checkout Session ids; anything else is never sent to Stripe.
SESSION_ID = re.compile(r"cs_(test|live)_[A-Za-z0-9]{1,200}")
UNAVAILABLE = "Payments are unavailable just now; nothing was charged. Please try again soon."


def _appeal(pk):
    if pk is None:
        appeal = DonationAppeal.objects.current()
        if appeal is None:
            raise Http404("No appeal is running.")
        return appeal
    return get_object_or_404(DonationAppeal.objects.with_raised(), pk=pk)


def _see_other(url):
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _log_stripe_error(what, error):
    # The error's type and code only: its message can quote the donor's email.
    logger.warning("%s failed: %s (%s)", what, type(error).__name__, error.code)


def _too_many(request):
    response = render(request, "donations/too_many.html", status=429)
    response["Retry-After"] = str(settings.DONATION_SESSION_WINDOW_SECONDS)
    return response


def _checkout_session(request):
    """The Checkout Session named by the request, or None when it names none Stripe has."""
    session_id = request.GET.get("session_id") or request.POST.get("session_id") or ""
    if not stripe_api.is_configured() or not SESSION_ID.fullmatch(session_id):
        return None
    try:
        return stripe_api.session(session_id)
    except stripe_api.StripeError as error:
        _log_stripe_error("Checkout Session lookup", error)
        return None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def support(request, pk=None):
    appeal = _appeal(pk)
    if not appeal.takes_gifts:
        # A gift to a finished campaign would change a final figure; one to a later
        # month's would show nowhere yet. The reader is pointed to the running appeal.
        is_past = appeal.campaign_month < timezone.localdate()
        context = {
            "appeal": appeal,
            "is_past": is_past,
            "current": DonationAppeal.objects.current(),
        }
        return render(request, "donations/closed.html", context, status=410 if is_past else 404)
    if not stripe_api.is_configured():
        # No online payments on this site: the appeal's own page, or how to give by hand.
        if appeal.donate_url:
            return redirect(appeal.donate_url)
        context = {"appeal": appeal, "instructions": appeal.giving_instructions}
        return render(request, "donations/giving.html", context)

    form = DonationForm(request.POST if request.method == "POST" else None, appeal=appeal)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        if not allow_session(request):
            return _too_many(request)
        # Built from the site's own routes, never from the request's data: no open redirect.
        thanks = request.build_absolute_uri(reverse("articles:donation-thanks"))
        try:
            checkout = stripe_api.checkout_session(
                appeal=appeal,
                gift=form.cleaned_data,
                success_url=f"{thanks}?session_id={{CHECKOUT_SESSION_ID}}",
                cancel_url=request.build_absolute_uri(request.path),
            )
        except stripe_api.StripeError as error:
            _log_stripe_error("Checkout Session creation", error)
            form.add_error(None, UNAVAILABLE)
            status = 503
        else:
            return _see_other(checkout.url)
    limits = [
        appeal.format_amount(appeal.minimum_amount),
        appeal.format_amount(appeal.maximum_amount),
    ]
    context = {"appeal": appeal, "form": form, "limits": limits}
    response = render(request, "donations/support.html", context, status=status)
    # The form's POST ends on Stripe's page: the CSP's form-action must let it go there.
    response._csp_update = {"form-action": settings.STRIPE_REDIRECT_ORIGINS}
    return response


def _amount_display(session, appeal):
    amount = from_minor_units(session.amount_total or 0, session.currency or "")
    if appeal is None or appeal.currency.lower() != (session.currency or "").lower():
        return f"{amount} {(session.currency or '').upper()}"
    return appeal.format_amount(amount)


def _is_recorded(session):
    """Whether the webhook has recorded this checkout's payment in the ledger yet."""
    # A one-off gift is recorded by its payment intent, a monthly one by its invoices.
    payments = [payment for payment in (session.payment_intent, session.invoice) if payment]
    return (
        bool(payments)
        and Donation.objects.filter(
            kind=Donation.Kind.GIFT, provider_payment_id__in=payments
        ).exists()
    )


@never_cache
@require_GET
def thanks(request):
    session = _checkout_session(request)
    if session is None:
        return render(request, "donations/thanks.html", {"session": None}, status=404)
    metadata = session.metadata.to_dict() if session.metadata else {}
    appeal = DonationAppeal.objects.filter(pk=metadata.get("appeal_id") or None).first()
    context = {
        "session": session,
        "appeal": appeal,
        "amount_display": _amount_display(session, appeal),
        "is_paid": session.status == "complete",
        "is_recorded": _is_recorded(session),
        "is_monthly": session.mode == "subscription" and bool(session.customer),
    }
    response = render(request, "donations/thanks.html", context)
    response._csp_update = {"form-action": settings.STRIPE_REDIRECT_ORIGINS}
    return response


@never_cache
@require_POST
def manage(request):
    """Stripe's customer portal for the donor of a monthly gift, to change or cancel it."""
    session = _checkout_session(request)
    if session is None or session.mode != "subscription" or not session.customer:
        raise Http404("No monthly gift was started with this payment.")
    if not allow_session(request):
        return _too_many(request)
    try:
        portal = stripe_api.portal_session(
            customer=session.customer,
            return_url=request.build_absolute_uri(reverse("articles:support")),
        )
    except stripe_api.StripeError as error:
        _log_stripe_error("Customer portal session creation", error)
        return render(request, "donations/unavailable.html", status=503)
    return _see_other(portal.url)
