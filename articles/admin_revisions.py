"""History pages in the admin: django-reversion's history and restore, plus a page
comparing any two saved versions of an object."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from reversion.admin import VersionAdmin
from reversion.models import Version

from .revisions import revision_diff


class HistoryAdmin(VersionAdmin):
    object_history_template = "admin/articles/object_history.html"
    history_latest_first = True

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{opts.app_label}_{opts.model_name}_compare",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        versions = (
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision__user")
            .order_by("-pk")
        )
        return super().history_view(
            request, object_id, {"versions": versions, **(extra_context or {})}
        )

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = Version.objects.get_for_object(obj).select_related("revision__user")
        picked = [request.GET.get("older", ""), request.GET.get("newer", "")]
        if not all(pk.isdigit() for pk in picked):
            raise Http404
        older, newer = sorted((get_object_or_404(versions, pk=pk) for pk in picked), key=_pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "object_id": object_id,
            "older": older,
            "newer": newer,
            "diff": revision_diff(older, newer),
            "title": f"Changes to “{obj}”",
        }
        return TemplateResponse(request, "admin/articles/revision_compare.html", context)


def _pk(version):
    return version.pk
