"""Donation appeals and their ledger."""

from decimal import Decimal

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from ..cache_keys import ACTIVE_APPEAL, APPEALS, object_key
from ..fields import AMOUNT_TOO_LARGE, MAX_AMOUNT, MoneyField
from ..rendering import appeal_bar
from .base import EditLocked, related_key


def parse_preset_amounts(text):
    """The amounts in a comma-separated list ("5, 10, 25"), as Decimals in their order."""
    amounts = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            amount = Decimal(part)
        except ArithmeticError:
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0 or amount != round(amount, 2):
            raise ValidationError(
                "“%(part)s” is not an amount: write amounts like 5, 10, 25.50.",
                code="invalid",
                params={"part": part},
            )
        amounts.append(amount)
    return amounts


class DonationAppealQuerySet(models.QuerySet):
    def with_raised(self):
        return self.annotate(
            raised_total=Coalesce(Sum("donations__amount"), 0, output_field=MoneyField()),
            # When the figure last changed: the newest ledger entry, not the gift's date.
            last_donation_at=Max("donations__created_at"),
        )

    def current(self):
        """The appeal readers see where an article names none.

        The campaigns roll over by month: this month's appeal shows as soon as its month
        starts, with no one switching it on. While no appeal runs this month, the active
        one stands in.
        """
        this_month = timezone.localdate().replace(day=1)
        return (
            self.with_raised()
            .filter(DonationAppeal.takes_gifts_condition())
            .order_by(Case(When(campaign_month=this_month, then=Value(0)), default=Value(1)))
            .first()
        )

    def past(self):
        """Finished campaigns with their final figures, newest first."""
        this_month = timezone.localdate().replace(day=1)
        return self.with_raised().filter(campaign_month__lt=this_month).order_by("-campaign_month")

    def for_article(self, article):
        if article.appeal_id is None:
            return self.current()
        # get() rather than first(): the foreign key guarantees the row, and get() spares
        # the aggregate query an ORDER BY.
        return self.with_raised().get(pk=article.appeal_id)


@reversion.register()
class DonationAppeal(EditLocked):
    message = models.CharField(
        max_length=300, default="Do you like this content? Consider helping us!"
    )
    campaign_month = models.DateField(
        help_text="The month the campaign runs in; the first day of the month."
    )
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code.")
    currency_symbol = models.CharField(max_length=5, default="$")
    symbol_after_amount = models.BooleanField(
        default=True, help_text="Print “671 $” rather than “$671”."
    )
    goal = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    tick_count = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(2)],
        help_text="How many evenly spaced amounts label the bar, from zero to the goal.",
    )
    donate_url = models.URLField(
        blank=True,
        help_text="Where readers give when the site takes no card payments (no Stripe keys).",
    )
    preset_amounts = models.CharField(
        max_length=200,
        blank=True,
        default="5, 10, 25, 50",
        validators=[parse_preset_amounts],
        help_text="The amounts offered on the donation page, comma-separated, in this "
        "appeal's currency. Readers can also type their own.",
    )
    minimum_amount = MoneyField(
        default=Decimal("1.00"),
        help_text="The smallest gift accepted online, in this appeal's currency.",
    )
    maximum_amount = MoneyField(
        default=Decimal("10000.00"),
        help_text="The largest gift accepted online, in this appeal's currency.",
    )
    giving_instructions = models.TextField(
        blank=True,
        help_text="How to give without the online form (bank details, postal address); "
        "shown when the site takes no card payments.",
    )
    is_active = models.BooleanField(
        default=False,
        help_text="The active appeal shows on every page that has none of its own. "
        "Only one appeal can be active.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DonationAppealQuerySet.as_manager()

    class Meta:
        ordering = ["-campaign_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__gt=0),
                name="appeal_goal_positive",
                violation_error_message="The goal must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(goal__lte=MAX_AMOUNT),
                name="appeal_goal_at_most_max",
                violation_error_message=AMOUNT_TOO_LARGE,
            ),
            models.CheckConstraint(
                condition=Q(tick_count__gte=2),
                name="appeal_at_least_two_ticks",
                violation_error_message="The bar needs at least two ticks.",
            ),
            models.CheckConstraint(
                condition=Q(campaign_month__day=1),
                name="appeal_month_starts_on_first",
                violation_error_message="The campaign month is stored as its first day.",
            ),
            models.CheckConstraint(
                condition=Q(minimum_amount__gt=0),
                name="appeal_minimum_amount_positive",
                violation_error_message="The smallest gift must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(maximum_amount__gte=F("minimum_amount"))
                & Q(maximum_amount__lte=MAX_AMOUNT),
                name="appeal_maximum_amount_in_range",
                violation_error_message="The largest gift must be at least the smallest "
                f"and at most {MAX_AMOUNT:,}.",
            ),
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_active_appeal",
                violation_error_message="Another appeal is already active.",
            ),
        ]

    def __str__(self):
        return f"{self.message} ({self.campaign_month:%B %Y})"

    def save(self, *args, **kwargs):
        if self.campaign_month:
            self.campaign_month = self.campaign_month.replace(day=1)
        super().save(*args, **kwargs)

    @property
    def raised(self):
        """The sum of the ledger; use `with_raised()` to fetch it in the same query."""
        if hasattr(self, "raised_total"):
            return self.raised_total
        return self.donations.aggregate(
            total=Coalesce(Sum("amount"), 0, output_field=MoneyField())
        )["total"]

    @property
    def last_updated(self):
        """When the raised figure last changed: the newest ledger entry, None before any."""
        if hasattr(self, "last_donation_at"):
            return self.last_donation_at
        return self.donations.aggregate(latest=Max("created_at"))["latest"]

    @property
    def percent(self):
        """Share of the goal raised, clamped to 0–100 for the bar."""
        return appeal_bar.percent(self.raised, self.goal)

    @property
    def percent_rounded(self):
        return appeal_bar.rounded(self.percent)

    @property
    def is_goal_reached(self):
        return self.raised >= self.goal

    @staticmethod
    def takes_gifts_condition():
        """This month's appeals and the active one: the ones a page can show as current,
        and so the only ones a reader may give to online. A past campaign is closed (its
        figure is final); a later month's opens when its month starts."""
        return Q(campaign_month=timezone.localdate().replace(day=1)) | Q(is_active=True)

    @property
    def takes_gifts(self):
        # takes_gifts_condition() on this row, without a query.
        return self.is_active or self.campaign_month == timezone.localdate().replace(day=1)

    @property
    def presets(self):
        return parse_preset_amounts(self.preset_amounts)

    def format_amount(self, amount):
        return appeal_bar.format_amount(self, amount)

    @property
    def raised_display(self):
        return self.format_amount(self.raised)

    @property
    def goal_display(self):
        return self.format_amount(self.goal)

    @property
    def ticks(self):
        return appeal_bar.ticks(self)

    def cache_keys(self):
        # Pages without an appeal of their own show the active one: switching which
        # appeal is active changes them too.
        return {object_key(self), ACTIVE_APPEAL, APPEALS}


class DonationQuerySet(models.QuerySet):
    def monthly_totals(self):
        """Per month and currency: gifts in, reversals out, and what stayed, newest first."""
        money = MoneyField()
        gift, reversal = Q(kind="gift"), Q(kind="reversal")
        return (
            self.annotate(month=TruncMonth("received_date"))
            .values("month", "appeal__currency")
            .annotate(
                gift_count=Count("pk", filter=gift),
                gifts=Coalesce(Sum("amount", filter=gift), 0, output_field=money),
                reversals=Coalesce(Sum("amount", filter=reversal), 0, output_field=money),
                net=Coalesce(Sum("amount"), 0, output_field=money),
            )
            .order_by("-month", "appeal__currency")
        )

    def recurring_donors(self):
        """One row per monthly gift (Stripe subscription): payments, total, first and last."""
        return (
            self.filter(kind="gift", is_recurring=True)
            .exclude(subscription_id="")
            .values("subscription_id", "appeal__currency")
            .annotate(
                donor_name=Max("donor_name"),
                payments=Count("pk"),
                total=Coalesce(Sum("amount"), 0, output_field=MoneyField()),
                first_date=Min("received_date"),
                last_date=Max("received_date"),
            )
            .order_by("-last_date", "subscription_id")
        )

    def reversals(self):
        return self.filter(kind="reversal").select_related("appeal", "reverses__appeal")


class Donation(models.Model):
    """One entry of an appeal's ledger. Entries are only ever added, so two staff
    recording gifts at the same moment each add a row and neither is lost.

    A refund or a lost dispute is a reversal: an entry of its own with a negative amount,
    pointing at the gift it reverses, so the raised sum drops and the history stays.
    """

    class Kind(models.TextChoices):
        GIFT = "gift", "Gift"
        REVERSAL = "reversal", "Refund or lost dispute"

    class Source(models.TextChoices):
        ONLINE = "online", "Online (Stripe)"
        MANUAL = "manual", "Recorded by an editor"

    appeal = models.ForeignKey(DonationAppeal, on_delete=models.PROTECT, related_name="donations")
    # Not validated as positive here: a reversal is negative. The constraints below say
    # which sign each kind takes.
    amount = MoneyField()
    received_date = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_donations",
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.GIFT)
    source = models.CharField(max_length=10, choices=Source, default=Source.MANUAL)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        help_text="The gift a refund or lost dispute takes back.",
    )
    provider_payment_id = models.CharField(
        max_length=255,
        blank=True,
        help_text="Stripe's payment intent (one-off gift) or invoice (monthly gift).",
    )
    provider_reversal_id = models.CharField(
        max_length=255, blank=True, help_text="Stripe's refund or dispute."
    )
    provider_event_id = models.CharField(
        max_length=255, blank=True, help_text="The Stripe event that recorded this entry."
    )
    subscription_id = models.CharField(
        max_length=255, blank=True, help_text="Stripe's subscription, for a monthly gift."
    )
    payment_intent_id = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The payment intent that paid a monthly gift's invoice: how its refund "
        "finds it, since Stripe's refunds stopped naming invoices (API 2025-03-31).",
    )
    is_recurring = models.BooleanField(default=False, help_text="Part of a monthly gift.")
    donor_email = models.EmailField(blank=True, help_text="Where the receipt went.")
    donor_name = models.CharField(max_length=200, blank=True)
    is_anonymous = models.BooleanField(default=False, help_text="The donor asked not to be named.")
    donor_erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the donor's personal data was erased."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DonationQuerySet.as_manager()
    # A gift changes a running total (the appeal box): readers may see it a moment late,
    # while the HTTP cache fetches the new box, rather than every page they are sent
    # waiting on that fetch (caching/purging.py).
    purged_softly = True

    class Meta:
        ordering = ["received_date", "pk"]
        # Not "change donation" (nobody has it: entries are never rewritten) nor "add":
        # erasing is irreversible, a duty of whoever answers data requests, given to them
        # by name rather than to every editor who records a cheque.
        permissions = [("erase_donor_data", "Can erase a donor's personal data")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(kind="reversal"),
                name="donation_amount_positive",
                violation_error_message="A donation must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(amount__lt=0, reverses__isnull=False) | ~Q(kind="reversal"),
                name="donation_reversal_negative",
                violation_error_message="A reversal takes back part of a gift: "
                "a negative amount, naming the gift.",
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_AMOUNT) & Q(amount__gte=-MAX_AMOUNT),
                name="donation_amount_at_most_max",
                violation_error_message=AMOUNT_TOO_LARGE,
            ),
            models.CheckConstraint(
                condition=Q(source="manual") | ~Q(provider_payment_id=""),
                name="donation_online_names_payment",
                violation_error_message="An online entry names its Stripe payment.",
            ),
            # Exactly once: one gift per payment, one reversal per refund or dispute,
            # whatever the number of deliveries. Not one entry per event: a charge's
            # refunded event lists each of its refunds, and the first payment of a monthly
            # gift arrives both as a completed checkout and as a paid invoice.
            models.UniqueConstraint(
                fields=["provider_payment_id"],
                condition=Q(kind="gift") & ~Q(provider_payment_id=""),
                name="donation_one_gift_per_payment",
            ),
            models.UniqueConstraint(
                fields=["provider_reversal_id"],
                condition=~Q(provider_reversal_id=""),
                name="donation_one_entry_per_reversal",
            ),
        ]

    def __str__(self):
        return f"{self.amount_display} on {self.received_date}"

    @property
    def amount_display(self):
        return self.appeal.format_amount(self.amount)

    def clean(self):
        # The constraint says it too; this puts the message beside the amount in a form.
        if self.kind == self.Kind.GIFT and self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": "A donation must be more than zero."})

    def cache_keys(self):
        return {related_key(self, "appeal"), APPEALS}
