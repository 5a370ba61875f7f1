"""The two tag vocabularies in the admin, with merging and a page of similar tags."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from .. import services
from ..models import OrganisationTag, TopicTag


class TagMergeActionForm(ActionForm):
    into = forms.CharField(
        required=False,
        label="Into",
        help_text="For “merge”: the name of the tag to keep (empty: the most used).",
    )


class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "item_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    change_list_template = "admin/articles/tag_change_list.html"
    action_form = TagMergeActionForm
    actions = ["merge"]
    related_name = ""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count(self.related_name))

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "similar/",
                self.admin_site.admin_view(self.similar_view),
                name=f"{opts.app_label}_{opts.model_name}_similar",
            ),
            *super().get_urls(),
        ]

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.display(description="Tagged items", ordering="item_count")
    def item_count(self, tag):
        return tag.item_count

    @admin.action(description="Merge the selected tags into one", permissions=["merge"])
    def merge(self, request, queryset):
        tags = sorted(queryset, key=lambda t: (-t.item_count, t.pk))
        into = request.POST.get("into", "").strip()
        target = next((t for t in tags if t.name.casefold() == into.casefold()), None)
        if into and target is None:
            target = self.model.objects.filter(name__iexact=into).first()
        if target is None and into:
            self.message_user(request, f"There is no tag “{into}”.", messages.ERROR)
            return
        target = target or tags[0]
        sources = [t for t in tags if t.pk != target.pk]
        if not sources:
            self.message_user(request, "Select at least two tags to merge.", messages.ERROR)
            return
        self._merge(request, sources, target)

    def similar_view(self, request):
        """Tags that differ only in case or accents, each group with a merge button."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_merge_permission(request):
                raise PermissionDenied
            target = get_object_or_404(self.model, pk=request.POST.get("target"))
            sources = self.model.objects.filter(pk__in=request.POST.getlist("source"))
            self._merge(request, [s for s in sources if s.pk != target.pk], target)
            return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Similar {self.model._meta.verbose_name_plural}",
            "groups": services.tags_similar(self.get_queryset(request).order_by("name")),
            "can_merge": self.has_merge_permission(request),
        }
        return TemplateResponse(request, "admin/articles/similar_tags.html", context)

    def _merge(self, request, sources, target):
        moved = 0
        for source in sources:
            moved += services.tags_merge(source=source, target=target)
        names = ", ".join(f"“{s.name}”" for s in sources)
        self.message_user(
            request,
            f"Merged {names} into “{target.name}”: {moved} item(s) moved; "
            "the old pages now redirect to the new one.",
        )


@admin.register(TopicTag)
class TopicTagAdmin(TagAdmin):
    related_name = "tagged_articles"


@admin.register(OrganisationTag)
class OrganisationTagAdmin(TagAdmin):
    related_name = "tagged_organisations"
