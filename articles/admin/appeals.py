"""The appeal and its ledger of donations.

The ledger is written through `services.appeal_record_donation()` only, from the appeal
form's inline and from the donation list alike; entries are added, never changed or
deleted (a refund is an entry of its own).
"""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from .. import services
from ..models import Donation, DonationAppeal
from ..services.donations import ONLINE_FIELDS
from .history import HistoryAdmin
from .locking import EditLockAdminMixin, EditLockForm


class DonationInline(admin.TabularInline):
    """The ledger: entries are added, never edited, so the total always adds up."""

    model = Donation
    extra = 1
    fields = ["received_date", "amount", "note", "recorded_by", "created_at"]
    readonly_fields = ["recorded_by", "created_at"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class DonationAppealAdminForm(EditLockForm):
    # Two staff recording gifts in the same appeal at once must both succeed: the
    # ledger only grows, so a form that changes nothing else cannot overwrite anything.
    allows_stale_additions = True

    class Meta:
        model = DonationAppeal
        fields = "__all__"


@admin.register(DonationAppeal)
class DonationAppealAdmin(EditLockAdminMixin, HistoryAdmin):
    form = DonationAppealAdminForm
    inlines = [DonationInline]
    list_display = ["__str__", "campaign_month", "goal", "raised_amount", "progress", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["message"]
    readonly_fields = ["raised_amount", "progress"]
    fields = [
        "message",
        "campaign_month",
        ("currency", "currency_symbol", "symbol_after_amount"),
        "goal",
        "tick_count",
        "preset_amounts",
        ("minimum_amount", "maximum_amount"),
        "donate_url",
        "giving_instructions",
        "is_active",
        ("raised_amount", "progress"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_raised()

    def save_model(self, request, obj, form, change):
        if change and not form.changes_own_fields:
            return  # only donations were added: leave the appeal row (and its token) alone
        super().save_model(request, obj, form, change)

    @admin.display(description="Raised")
    def raised_amount(self, appeal):
        return appeal.raised_display if appeal.pk else "—"

    @admin.display(description="Of the goal")
    def progress(self, appeal):
        return f"{appeal.percent_rounded} %" if appeal.pk else "—"

    def save_formset(self, request, form, formset, change):
        if formset.model is not Donation:
            return super().save_formset(request, form, formset, change)
        for donation in formset.save(commit=False):
            _record(request, donation)


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = [
        "appeal",
        "received_date",
        "amount",
        "kind",
        "source",
        "is_recurring",
        "donor",
        "note",
        "recorded_by",
    ]
    list_filter = ["source", "kind", "is_recurring", "appeal", "received_date"]
    list_select_related = ["appeal", "recorded_by"]
    # Finding a donor's entries is what an erasure request starts with.
    search_fields = ["note", "donor_email", "donor_name", "provider_payment_id", "subscription_id"]
    actions = ["export_csv", "erase_donor"]
    autocomplete_fields = ["appeal"]
    readonly_fields = ["recorded_by", "created_at"]
    date_hierarchy = "received_date"
    show_full_result_count = False
    # An editor records cash, cheques and transfers: a gift, by hand. Online entries and
    # reversals come from Stripe's webhook only; their details show when one is opened.
    fields = ["appeal", "received_date", "amount", "note", "recorded_by", "created_at"]
    entry_fields = [
        *ONLINE_FIELDS,
        "is_recurring",
        "donor_name",
        "donor_email",
        "is_anonymous",
        "donor_erased_at",
    ]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.entry_fields]

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name=f"{opts.app_label}_{opts.model_name}_report",
            ),
            *super().get_urls(),
        ]

    def has_change_permission(self, request, obj=None):
        # A recorded donation is history: entries are added, never rewritten.
        return obj is None and super().has_change_permission(request, obj)

    def has_erase_permission(self, request):
        return request.user.has_perm("articles.erase_donor_data")

    @admin.display(description="Donor")
    def donor(self, donation):
        if donation.donor_erased_at:
            return "(erased)"
        name = donation.donor_name or "—"
        return f"{name} (anonymous)" if donation.is_anonymous else name

    @admin.action(description="Export the selected entries as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="donations.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for donation in queryset.select_related("appeal").order_by("received_date", "pk"):
            writer.writerow([_csv_cell(value) for value in _csv_row(donation)])
        return response

    @admin.action(
        description="Erase the donor's personal data (the amounts stay)",
        permissions=["erase"],
    )
    def erase_donor(self, request, queryset):
        # Every entry of the same donors, not only the rows ticked: a renewal left behind
        # would keep the address the donor asked to have erased.
        emails = {email for email in queryset.values_list("donor_email", flat=True) if email}
        subscriptions = {s for s in queryset.values_list("subscription_id", flat=True) if s}
        same_donor = Q(pk__in=queryset.values("pk")) | Q(subscription_id__in=subscriptions)
        for email in emails:
            # Whatever the case the donor typed it in at each gift: Stripe keeps it as typed.
            same_donor |= Q(donor_email__iexact=email)
        entries = Donation.objects.filter(same_donor)
        erased = services.donor_erase(donations=entries)
        self.message_user(
            request,
            f"Erased the donor's name and email from {erased} "
            f"entr{'y' if erased == 1 else 'ies'}; the amounts stay in the ledger.",
            messages.SUCCESS,
        )

    def report_view(self, request):
        """Monthly totals, monthly donors and refunds, for the editors and the accounts."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        donations = Donation.objects.all()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Donations report",
            "months": donations.monthly_totals(),
            "recurring": donations.recurring_donors(),
            "reversals": donations.reversals().order_by("-received_date", "-pk")[:REPORT_ROWS],
            "report_rows": REPORT_ROWS,
        }
        return TemplateResponse(request, "admin/articles/donation/report.html", context)

    def has_delete_permission(self, request, obj=None):
        return False  # nor deleted, not even by a superuser: a refund is an entry

    def save_model(self, request, obj, form, change):
        # Only additions reach here (no change permission on a recorded row). The form's
        # object then stands for the row written, for the log and the redirect.
        obj.pk, obj._state.adding = _record(request, obj).pk, False
        obj.refresh_from_db()


REPORT_ROWS = 200
CSV_COLUMNS = [
    "id",
    "received_date",
    "appeal",
    "currency",
    "amount",
    "kind",
    "source",
    "recurring",
    "subscription",
    "payment",
    "refund_or_dispute",
    "donor_name",
    "anonymous",
    "note",
]


def _csv_row(donation):
    # No email: the export leaves the site, and a receipt's address is not needed there.
    return [
        donation.pk,
        donation.received_date.isoformat(),
        donation.appeal.message,
        donation.appeal.currency,
        donation.amount,
        donation.kind,
        donation.source,
        "yes" if donation.is_recurring else "no",
        donation.subscription_id,
        donation.provider_payment_id,
        donation.provider_reversal_id,
        donation.donor_name,
        "yes" if donation.is_anonymous else "no",
        donation.note,
    ]


def _csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _record(request, donation):
    """Write a donation the admin's form has validated into the ledger, as `request`'s
    user, the one way the admin writes the ledger."""
    return services.appeal_record_donation(
        appeal=donation.appeal,
        amount=donation.amount,
        received_date=donation.received_date,
        note=donation.note,
        recorded_by=request.user,
    )
