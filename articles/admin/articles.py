"""The article form: ArticleAdmin, the rows edited inside it (corrections, share links),
its preview and its list actions. Quotes are marks in the body, indexed on save."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.core.validators import slug_unicode_re
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.html import format_html

from .. import search, services
from ..models import Article, Correction, ShareLink
from ..pagination import CappedPaginator
from ..rendering.article_page import render_article
from .history import HistoryAdmin
from .importing import ArticleImportMixin
from .locking import EditLockAdminMixin, EditLockForm
from .mentions import MentionsAdminMixin
from .speakers import SpeakerSearchMixin
from .uploads import UploadFailureAdminMixin
from .widgets import BodyEditorWidget, TagAutocompleteMixin


class ArticleRowMixin:
    """Rows that belong to an article follow it: whoever may not change the article (a
    writer and a published article) may not change its rows either."""

    def _article_of(self, obj):
        return obj  # an inline is asked about the article whose form it is part of

    def _article_is_editable(self, request, obj):
        return obj is None or self.admin_site._registry[Article].has_change_permission(
            request, self._article_of(obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._article_is_editable(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._article_is_editable(
            request, obj
        )


class ArticleInlineMixin(ArticleRowMixin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._article_is_editable(request, obj)


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


class ShownCount(int):
    """A count that compares as the number it is but prints as its label ("10,000+"),
    for the admin templates that both compare and print the changelist's count."""

    def __new__(cls, count, label):
        shown = super().__new__(cls, count)
        shown.label = label
        return shown

    def __str__(self):
        return self.label


class CappedChangeList(ChangeList):
    """A changelist whose count stops at its paginator's last page: "10,000+ articles"."""

    def get_results(self, request):
        super().get_results(request)
        self.result_count = ShownCount(self.result_count, self.paginator.count_label)


class ArticleAdminForm(EditLockForm):
    class Meta:
        model = Article
        fields = "__all__"
        widgets = {"body": BodyEditorWidget}


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
    # Each mixin overrides hooks of its own (test_admin_mixins.py), so their order is
    # free; what two of them would share, the article's pages, is listed in get_urls().
    UploadFailureAdminMixin,
    MentionsAdminMixin,
    ArticleImportMixin,
    SpeakerSearchMixin,
    TagAutocompleteMixin,
    EditLockAdminMixin,
    HistoryAdmin,
):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    # The import button on top of reversion's list (which adds "Recover deleted").
    change_list_template = "admin/articles/article/change_list.html"
    inlines = [CorrectionInline, ShareLinkInline]
    list_display = ["headline", "state", "published_at", "organisation_names", "topic_names"]
    list_filter = ["status", VisibilityFilter, "published_at"]
    # Searched through the search index, by words (get_search_results).
    search_fields = ["headline", "standfirst", "body"]
    # Counted up to this many pages: "x articles" without reading a million rows.
    max_pages = 200
    # A search is counted less deep ("1,000+ articles"): each counted match has its text
    # tested, and an editor narrows a search rather than paging through it.
    searched_max_pages = 20
    # No date_hierarchy: its SELECT DISTINCT over every row's date costs a quarter of a
    # second at 100,000 articles on each page load; the date filter covers the need.
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["organisations", "appeal"]
    readonly_fields = ["created_at", "updated_at", "content_updated_at", "mentions_found"]
    actions = ["publish", "unpublish"]
    # A changelist of 100,000 rows: no COUNT(*) over the whole table for "x of y", nor
    # for the pages (get_paginator).
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

    class Media:
        js = ["admin/articles/field_names.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organisations", "tags")

    def get_search_results(self, request, queryset, search_term):
        # The words of the headline, standfirst and body, as readers' search finds them
        # but drafts included and the last word as typed so far; or the exact slug.
        search_term = search_term.strip()
        if not search_term:
            return queryset, False
        condition = search.words_condition(search_term)
        # Only what a slug can be: PostgreSQL refuses a NUL byte in a query outright.
        is_slug = slug_unicode_re.match(search_term)
        by_slug = queryset.filter(slug=search_term) if is_slug else queryset.none()
        if condition is None:
            return by_slug, False
        return queryset.filter(condition) | by_slug, False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        searching = request.GET.get(SEARCH_VAR, "").strip()
        max_pages = self.searched_max_pages if searching else self.max_pages
        return CappedPaginator(queryset, per_page, max_pages=max_pages)

    def get_changelist(self, request, **kwargs):
        return CappedChangeList

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="articles_article_import",
            ),
            path(
                "speakers/",
                self.admin_site.admin_view(self.speakers_view),
                name="articles_article_speakers",
            ),
            # The history pages (HistoryAdmin) and the stock ones.
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The form's clean() has checked the marks, so this only writes the index.
        services.article_index_quotes(article=form.instance)

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
