"""The appeal and its ledger of donations.

The ledger is written through `services.appeal_record_donation()` only, from the appeal
form's inline and from the donation list alike; entries are added, never changed or
deleted (a refund is an entry of its own).
"""

from django.contrib import admin

from .. import services
from ..models import Donation, DonationAppeal
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


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["appeal", "received_date", "amount", "note", "recorded_by"]
    list_filter = ["appeal", "received_date"]
    list_select_related = ["appeal", "recorded_by"]
    search_fields = ["note"]
    autocomplete_fields = ["appeal"]
    readonly_fields = ["recorded_by", "created_at"]
    date_hierarchy = "received_date"
    show_full_result_count = False
    # An editor records cash, cheques and transfers: a gift, by hand. Online entries and
    # reversals come from Stripe's webhook only; their details show when one is opened.
    fields = ["appeal", "received_date", "amount", "note", "recorded_by", "created_at"]
    entry_fields = [
        "kind",
        "source",
        "reverses",
        "provider_payment_id",
        "provider_reversal_id",
        "provider_event_id",
        "subscription_id",
        "is_recurring",
        "donor_name",
        "donor_email",
        "is_anonymous",
        "donor_erased_at",
    ]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.entry_fields]

    def has_change_permission(self, request, obj=None):
        # A recorded donation is history: entries are added, never rewritten.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # nor deleted, not even by a superuser: a refund is an entry

    def save_model(self, request, obj, form, change):
        # Only additions reach here (no change permission on a recorded row). The form's
        # object then stands for the row written, for the log and the redirect.
        obj.pk, obj._state.adding = _record(request, obj).pk, False
        obj.refresh_from_db()


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
