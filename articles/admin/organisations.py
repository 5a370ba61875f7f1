"""Organisations: the directory editors keep, and the tags Taggers put on it."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import flatten_fieldsets

from .. import services
from ..models import Organisation
from .history import HistoryAdmin
from .locking import EditLockAdminMixin, EditLockForm
from .uploads import UploadFailureAdminMixin
from .widgets import TagAutocompleteMixin


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
