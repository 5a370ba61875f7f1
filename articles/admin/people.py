"""People who are quoted: search by any of their names, and merging two records of one
person (their quotes and marks move to the one kept)."""

import reversion
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.template.response import TemplateResponse

from .. import services
from ..models import Person
from .history import HistoryAdmin
from .locking import EditLockAdminMixin, EditLockForm


class PersonAdminForm(EditLockForm):
    class Meta:
        model = Person
        fields = "__all__"


@admin.register(Person)
class PersonAdmin(EditLockAdminMixin, HistoryAdmin):
    form = PersonAdminForm
    list_display = ["name", "role", "organisation", "quote_count"]
    list_select_related = ["organisation"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "other_names", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "name",
        "slug",
        "other_names",
        "role",
        "organisation",
        "description",
        ("created_at", "updated_at"),
    ]
    actions = ["merge"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_count=Count("quotes"))

    @admin.display(description="Quotes", ordering="quote_count")
    def quote_count(self, person):
        return person.quote_count

    def has_merge_permission(self, request):
        # A merge rewrites the marks in every article quoting the person, published
        # ones too: the same right as the organisation and tag merges, held by Editors.
        return request.user.has_perm("articles.merge_person") and self.has_delete_permission(
            request
        )

    @admin.action(description="Merge the two selected people", permissions=["merge"])
    def merge(self, request, queryset):
        people = list(queryset.order_by("pk"))
        if len(people) != 2:
            self.message_user(request, "Select exactly two people to merge.", messages.ERROR)
            return None
        keep = request.POST.get("keep")
        if request.POST.get("confirm") != "yes" or keep not in {str(p.pk) for p in people}:
            return TemplateResponse(
                request,
                "admin/articles/person_merge.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": "Merge two people",
                    "people": people,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        target = next(p for p in people if str(p.pk) == keep)
        source = next(p for p in people if p.pk != target.pk)
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"Merged “{source.name}” into “{target.name}”.")
            articles = services.people_merge(source=source, target=target)
        self.message_user(
            request,
            f"Merged “{source.name}” into “{target.name}”: the quotes in {len(articles)} "
            "article(s) now name them; the other names are kept as other names.",
        )
        return None
