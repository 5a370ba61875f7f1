import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.html import format_html

# admin_tags holds the tag admins (merging, similar tags); importing it registers them.
from . import admin_tags, services  # noqa: F401
from .admin_import import ArticleImportMixin
from .admin_locking import EditLockAdminMixin, EditLockForm
from .admin_revisions import HistoryAdmin
from .admin_uploads import UploadFailureAdminMixin
from .admin_widgets import TagAutocompleteWidget
from .models import (
    Article,
    Correction,
    Donation,
    DonationAppeal,
    Organisation,
    Quote,
    ShareLink,
)
from .views import render_article


class TagAutocompleteMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            kwargs["widget"] = TagAutocompleteWidget(model=self.model)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ArticleInlineMixin:
    """Rows edited inside the article form follow the article: a writer who may not
    change a published article may not change its quotes either."""

    def _article_is_editable(self, request, obj):
        return obj is None or self.admin_site._registry[Article].has_change_permission(
            request, obj
        )

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._article_is_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._article_is_editable(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._article_is_editable(
            request, obj
        )


class QuoteInline(ArticleInlineMixin, admin.StackedInline):
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


class CorrectionInline(ArticleInlineMixin, admin.TabularInline):
    model = Correction
    extra = 0
    fields = ["published_at", "what_was_wrong", "what_is_right"]


class ShareLinkForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_revoked and "is_revoked" in self.fields:
            # Revoking is final: the box stays ticked whatever is posted.
            self.fields["is_revoked"].disabled = True


class ShareLinkInline(ArticleInlineMixin, admin.TabularInline):
    """Secret links for readers without an account; revoke one by ticking “revoked”
    (for good: a revoked link never works again)."""

    model = ShareLink
    form = ShareLinkForm
    extra = 0
    fields = ["link", "note", "expires_at", "is_revoked", "created_by"]
    readonly_fields = ["link", "created_by"]
    verbose_name = "share link"
    verbose_name_plural = "share links (for a lawyer or a source: anyone with the link can read)"

    @admin.display(description="Link")
    def link(self, share_link):
        if share_link.pk is None:
            return "Made when you save."
        if not share_link.is_active:
            return "No longer works."
        return format_html('<a href="{0}">{0}</a>', share_link.get_absolute_url())


class ArticleAdminForm(EditLockForm):
    class Meta:
        model = Article
        fields = "__all__"


class VisibilityFilter(admin.SimpleListFilter):
    title = "visibility"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("scheduled", "Scheduled")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        return queryset


@admin.register(Article)
class ArticleAdmin(
    UploadFailureAdminMixin,
    ArticleImportMixin,
    TagAutocompleteMixin,
    EditLockAdminMixin,
    HistoryAdmin,
):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    # The import button on top of reversion's list (which adds "Recover deleted").
    change_list_template = "admin/articles/article/change_list.html"
    inlines = [QuoteInline, CorrectionInline, ShareLinkInline]
    list_display = ["headline", "state", "published_at", "organisation_names", "topic_names"]
    list_filter = ["status", VisibilityFilter, "published_at"]
    search_fields = ["headline", "standfirst", "body"]
    # No date_hierarchy: its SELECT DISTINCT over every row's date costs a quarter of a
    # second at 100,000 articles on each page load; the date filter covers the need.
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["organisations", "appeal"]
    readonly_fields = ["created_at", "updated_at", "content_updated_at", "mentions_found"]
    actions = ["publish", "unpublish"]
    # A changelist of 100,000 rows: no COUNT(*) over the whole table for "x of y".
    show_full_result_count = False
    list_per_page = 50
    save_on_top = True
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
                    ("created_at", "updated_at", "content_updated_at"),
                ]
            },
        ),
        ("Links", {"fields": ["organisations", "mentions_found", "tags", "appeal"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organisations", "tags")

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
            *super().get_urls(),
        ]

    # --- Who may do what -------------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # Once an editor has published (or scheduled) it, it is theirs to change.
        return (
            obj is None
            or obj.status != Article.Status.PUBLISHED
            or self.has_publish_permission(request)
        )

    def get_changeable_queryset(self, request):
        """The articles has_change_permission() lets the user change."""
        if not self.has_change_permission(request):
            return Article.objects.none()
        if self.has_publish_permission(request):
            return Article.objects.all()
        return Article.objects.exclude(status=Article.Status.PUBLISHED)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("published_at")
        if not request.user.has_perm("articles.view_donationappeal"):
            fields.append("appeal")
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None or obj.status != Article.Status.PUBLISHED:
            inlines = [i for i in inlines if not isinstance(i, CorrectionInline)]
        return inlines

    # --- Saving ----------------------------------------------------------------------

    def save_formset(self, request, form, formset, change):
        if formset.model is ShareLink:
            for share_link in formset.save(commit=False):
                if share_link.pk is None:
                    share_link.created_by = request.user
                share_link.save()
            for share_link in formset.deleted_objects:
                share_link.delete()
            return
        super().save_formset(request, form, formset, change)

    def response_add(self, request, obj, post_url_continue=None):
        if "_preview" in request.POST:
            return redirect("admin:articles_article_preview", obj.pk)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_preview" in request.POST:
            return redirect("admin:articles_article_preview", obj.pk)
        return super().response_change(request, obj)

    # --- Pages and actions -----------------------------------------------------------

    def preview_view(self, request, object_id):
        """The article as readers will see it, whatever its status; staff only."""
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return render_article(request, article, private=True, preview=True)

    @admin.display(description="State", ordering="status")
    def state(self, article):
        if article.is_scheduled:
            return "Scheduled"
        if article.is_published:
            return "Live"
        return article.get_status_display()

    @admin.display(description="Organisations")
    def organisation_names(self, article):
        return ", ".join(o.name for o in article.organisations.all())

    @admin.display(description="Topics")
    def topic_names(self, article):
        return ", ".join(t.name for t in article.tags.all())

    @admin.action(description="Publish the selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        published, refused = 0, []
        for article in queryset:
            with self.create_revision(request):
                reversion.set_comment("Published from the list.")
                try:
                    services.article_publish(article=article)
                except services.PublishError as error:
                    refused.append(str(error))
                    continue
            published += 1
        if published:
            self.message_user(request, f"Published {published} article(s).")
        for reason in refused:
            self.message_user(request, f"Not published: {reason}", messages.ERROR)

    @admin.action(description="Unpublish the selected articles", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            with self.create_revision(request):
                reversion.set_comment("Unpublished from the list.")
                services.article_unpublish(article=article)
            count += 1
        self.message_user(request, f"Took down {count} article(s); readers no longer see them.")


class OrganisationActionForm(ActionForm):
    tag = forms.CharField(
        required=False,
        label="Tag",
        help_text="For the add and remove tag actions.",
    )


class OrganisationAdminForm(EditLockForm):
    class Meta:
        model = Organisation
        fields = "__all__"


@admin.register(Organisation)
class OrganisationAdmin(
    UploadFailureAdminMixin, TagAutocompleteMixin, EditLockAdminMixin, HistoryAdmin
):
    form = OrganisationAdminForm
    list_display = ["name", "kind", "country", "tag_names", "is_reviewed"]
    list_filter = ["tags", "kind", "is_reviewed"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    action_form = OrganisationActionForm
    actions = ["add_tag", "remove_tag"]
    show_full_result_count = False
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

    # Taggers hold "tag" but not "change": they may open the form and the tag actions,
    # and every field but the tags is shown read-only to them.

    def has_tag_permission(self, request):
        return request.user.has_perm("articles.tag_organisation")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self.has_tag_permission(request)

    def get_readonly_fields(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return super().get_readonly_fields(request, obj)
        return [
            name
            for name in flatten_fieldsets(super().get_fieldsets(request, obj))
            if name not in ("tags", "edit_token")
        ]

    def get_prepopulated_fields(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

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

    @admin.action(description="Add a tag to the selected organisations", permissions=["tag"])
    def add_tag(self, request, queryset):
        if name := self._tag_from_action_form(request):
            with self.create_revision(request):
                reversion.set_comment(f"Tagged “{name}” from the list.")
                count = services.organisations_add_tag(organisations=queryset, name=name)
            self.message_user(request, f"Tagged {count} organisation(s) “{name}”.")

    @admin.action(description="Remove a tag from the selected organisations", permissions=["tag"])
    def remove_tag(self, request, queryset):
        if name := self._tag_from_action_form(request):
            with self.create_revision(request):
                reversion.set_comment(f"Removed tag “{name}” from the list.")
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
        "donate_url",
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
    show_full_result_count = False

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
    show_full_result_count = False

    # A quote belongs to its article: whoever may not change the article may not
    # change its quotes from here either, nor add or move one to it.
    def _article_is_editable(self, request, quote):
        return quote is None or self._article_admin.has_change_permission(request, quote.article)

    @property
    def _article_admin(self):
        return self.admin_site._registry[Article]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            kwargs["queryset"] = self._article_admin.get_changeable_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # A quote is also part of its article's form (the quotes inline), so a quote edit is
    # an edit of the article: it draws the article a new edit token, and an article form
    # opened before it is refused instead of writing the old quotes back.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("article") if change else None
        self._touch_articles(request, {obj.article_id, moved_from} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._touch_articles(request, {obj.article_id})

    def delete_queryset(self, request, queryset):
        article_ids = set(queryset.values_list("article_id", flat=True))
        super().delete_queryset(request, queryset)
        self._touch_articles(request, article_ids)

    def _touch_articles(self, request, article_ids):
        for article in Article.objects.filter(pk__in=article_ids):
            # Kept as a revision of the article, with its quotes as they now are: the
            # refused editor's conflict message can then say what changed.
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment("Quotes changed in the quote list.")
                article.save(update_fields=["updated_at"])

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._article_is_editable(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._article_is_editable(
            request, obj
        )
