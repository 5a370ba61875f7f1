"""History pages in the admin: django-reversion's history and restore, plus a page
comparing any two saved versions of an object.

reversion's restore and recover views find a version by its number alone, revert its
whole revision and only then let the change form check permissions, against the row as
restored. Here the version must belong to the page's row and model, and every write the
restore would make is checked against the user's roles before anything is written.
"""

from django.contrib import messages
from django.contrib.admin.utils import get_deleted_objects, unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from reversion.admin import VersionAdmin
from reversion.models import Version
from taggit.models import TaggedItemBase

from .revisions import dangling_references, revert_writes, revision_diff


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

    def revision_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(obj), pk=version_id)
        opts = self.model._meta
        with transaction.atomic(using=router.db_for_write(self.model)):
            if request.method == "POST" and (refusals := self._revert_refusals(request, version)):
                self._refuse(request, refusals)
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_history", obj.pk)
            return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        # Only the latest version of a row that no longer exists: a version of a live row
        # is restored from its history page, and one of another model not from here.
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        opts = self.model._meta
        with transaction.atomic(using=router.db_for_write(self.model)):
            if request.method == "POST" and (refusals := self._revert_refusals(request, version)):
                self._refuse(request, refusals)
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            return super().recover_view(request, version_id, extra_context)

    def _refuse(self, request, refusals):
        self.message_user(
            request,
            "You may not restore this version: it would " + "; ".join(refusals) + ".",
            messages.ERROR,
        )

    def _revert_refusals(self, request, version):
        """The writes restoring `version` would make that the user may not make, in words;
        empty when they may make them all. A restore reverts the version's whole
        revision (a bulk action or an import saves several rows in one), not only the
        row whose page it is."""
        refusals = [
            f"bring back a link to {missing}, deleted since"
            for missing in dangling_references(version.revision)
        ]
        for write in revert_writes(version.revision):
            if not self._may_write(request, write):
                opts = write.row._meta
                what = f"{write.action} the {opts.verbose_name} “{write.row}”"
                if write.fields:
                    what += f" ({', '.join(sorted(write.fields))})"
                refusals.append(what)
        return refusals

    def _may_write(self, request, write):
        row = write.row
        if isinstance(row, TaggedItemBase):
            # A tagging is edited through the tags field of the row it tags.
            owner_model = type(row)._meta.get_field("content_object").related_model
            owner = owner_model._default_manager.filter(pk=row.content_object_id).first()
            # An owner the restore re-creates is checked as an addition of its own.
            return owner is None or _may_change_fields(
                self.admin_site, request, owner, frozenset({"tags"})
            )
        model_admin = self.admin_site._registry.get(type(row))
        if model_admin is None:
            return False  # a row no admin form edits, no role may write by restoring
        if hasattr(model_admin, "may_restore"):
            return model_admin.may_restore(request, row)  # a row its owner's form writes
        if write.action == "add":
            return model_admin.has_add_permission(request) and model_admin.has_change_permission(
                request, row
            )
        if write.action == "delete":
            _, _, perms_needed, protected = get_deleted_objects([row], request, self.admin_site)
            return model_admin.has_delete_permission(request, row) and not (
                perms_needed or protected
            )
        # Both before and after: a writer may neither take a live article down nor
        # publish a draft, and the fields changed must be ones their form lets them edit.
        return model_admin.has_change_permission(request, row) and _may_change_fields(
            self.admin_site, request, write.current, write.fields
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


def _may_change_fields(admin_site, request, obj, fields):
    model_admin = admin_site._registry.get(type(obj))
    if model_admin is None or not model_admin.has_change_permission(request, obj):
        return False
    # The change form leaves out the fields the user may only read.
    editable = model_admin.get_form(request, obj, change=True).base_fields
    return fields <= set(editable)


def _pk(version):
    return version.pk
