from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count
from django.utils.html import format_html

from . import services
from .admin_uploads import UploadFailureAdminMixin
from .models import (
    Article,
    Donation,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    Quote,
    TopicTag,
)


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = [
        ("paragraph", "paragraph_count"),
        "text",
        ("organisation", "speaker"),
        "attribution",
        "body_check",
    ]
    readonly_fields = ["body_check"]

    @admin.display(description="Matches the body?")
    def body_check(self, quote):
        if quote.pk is None:
            return "—"
        if quote.matches_body():
            return "Yes"
        return format_html(
            '<strong class="errornote">No: paragraph {} no longer holds these words. '
            "Update the quote or the body.</strong>",
            quote.paragraph,
        )


@admin.register(Article)
class ArticleAdmin(UploadFailureAdminMixin, admin.ModelAdmin):
    inlines = [QuoteInline]
    list_display = ["headline", "status", "published_at", "organisation_names", "topic_names"]
    list_filter = ["status", "published_at", "tags"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["organisations", "appeal"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "byline", "body"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "show_publication_date",
                    ("created_at", "updated_at"),
                ]
            },
        ),
        ("Links", {"fields": ["organisations", "tags", "appeal"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organisations", "tags")

    @admin.display(description="Organisations")
    def organisation_names(self, article):
        return ", ".join(o.name for o in article.organisations.all())

    @admin.display(description="Topics")
    def topic_names(self, article):
        return ", ".join(t.name for t in article.tags.all())


class OrganisationActionForm(ActionForm):
    tag = forms.CharField(
        required=False,
        label="Tag",
        help_text="For the add and remove tag actions.",
    )


@admin.register(Organisation)
class OrganisationAdmin(UploadFailureAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country", "tag_names", "is_reviewed"]
    list_filter = ["tags", "kind", "is_reviewed"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    action_form = OrganisationActionForm
    actions = ["add_tag", "remove_tag"]
    fields = [
        "name",
        "slug",
        "aliases",
        ("kind", "country"),
        "description",
        "website",
        "logo",
        "tags",
        "is_reviewed",
        ("created_at", "updated_at"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="Tags")
    def tag_names(self, organisation):
        return ", ".join(t.name for t in organisation.tags.all())

    def _tag_from_action_form(self, request):
        name = request.POST.get("tag", "").strip()
        if not name:
            self.message_user(
                request, "Type the tag in the “Tag” box next to the action.", messages.ERROR
            )
        return name

    @admin.action(description="Add a tag to the selected organisations")
    def add_tag(self, request, queryset):
        if name := self._tag_from_action_form(request):
            count = services.organisations_add_tag(organisations=queryset, name=name)
            self.message_user(request, f"Tagged {count} organisation(s) “{name}”.")

    @admin.action(description="Remove a tag from the selected organisations")
    def remove_tag(self, request, queryset):
        if name := self._tag_from_action_form(request):
            count = services.organisations_remove_tag(organisations=queryset, name=name)
            self.message_user(request, f"Removed “{name}” from {count} organisation(s).")


class DonationInline(admin.TabularInline):
    """The ledger: entries are added, never edited, so the total always adds up."""

    model = Donation
    extra = 1
    fields = ["received_date", "amount", "note", "recorded_by", "created_at"]
    readonly_fields = ["recorded_by", "created_at"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DonationAppeal)
class DonationAppealAdmin(admin.ModelAdmin):
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
        "donate_url",
        "is_active",
        ("raised_amount", "progress"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_raised()

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
            services.appeal_record_donation(
                appeal=form.instance,
                amount=donation.amount,
                received_date=donation.received_date,
                note=donation.note,
                recorded_by=request.user,
            )


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["appeal", "received_date", "amount", "note", "recorded_by"]
    list_filter = ["appeal", "received_date"]
    list_select_related = ["appeal", "recorded_by"]
    search_fields = ["note"]
    autocomplete_fields = ["appeal"]
    readonly_fields = ["recorded_by", "created_at"]
    date_hierarchy = "received_date"

    def has_change_permission(self, request, obj=None):
        # A recorded donation is history: entries are added, never rewritten.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "organisation", "speaker", "paragraph"]
    list_filter = ["organisation"]
    list_select_related = ["article", "organisation"]
    search_fields = ["text", "speaker", "attribution", "organisation__name"]
    autocomplete_fields = ["article", "organisation"]


class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "item_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    related_name = ""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count(self.related_name))

    @admin.display(description="Tagged items", ordering="item_count")
    def item_count(self, tag):
        return tag.item_count


@admin.register(TopicTag)
class TopicTagAdmin(TagAdmin):
    related_name = "tagged_articles"


@admin.register(OrganisationTag)
class OrganisationTagAdmin(TagAdmin):
    related_name = "tagged_organisations"
