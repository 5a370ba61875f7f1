"""The article admin's "Import from text" page.

It writes through `importer.apply.article_import()`, with the checks the admin's own forms
make, so an import writes nothing the user could not have written by hand.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from ..importer import ArticleImportError, check_size, parse, parse_bytes
from ..importer.apply import ImportPermissions, article_import
from ..models import Donation, DonationAppeal, Organisation


class ImportForm(forms.Form):
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text="Paste the page: headline first, paragraphs separated by a blank line.",
    )
    file = forms.FileField(required=False, help_text="Or choose a UTF-8 text file.")
    publish = forms.BooleanField(required=False, help_text="Leave unticked for a draft.")
    dry_run = forms.BooleanField(
        required=False, label="Dry run", help_text="Show what would change; write nothing."
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:  # an empty upload, say: its own message is clear enough
            return cleaned
        text, upload = cleaned.get("text", "").strip(), cleaned.get("file")
        if bool(text) == bool(upload):
            raise ValidationError("Paste the text or choose a file, one of the two.")
        try:
            if upload:
                check_size(upload.size)  # before reading it
                cleaned["parsed"] = parse_bytes(upload.read())
            else:
                cleaned["parsed"] = parse(text)
        except ArticleImportError as error:
            raise ValidationError(f"Cannot import this page: {error}.") from error
        return cleaned


class ArticleImportMixin:
    """For ArticleAdmin, which routes "import/" to `import_view`."""

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
        report = None
        if posted and form.is_valid() and self._may_import(request, form):
            data = form.cleaned_data
            try:
                report = article_import(
                    parsed=data["parsed"],
                    publish=data["publish"],
                    dry_run=data["dry_run"],
                    permissions=self._import_permissions(request),
                )
            except ValidationError as error:
                form.add_error(None, f"Cannot import this page: {' '.join(error.messages)}")
            else:
                if not data["dry_run"]:
                    article = report.article
                    summary = "; ".join(report.changes) or "nothing had changed"
                    messages.success(request, f"Imported “{article}”: {summary}.")
                    for warning in report.warnings:
                        messages.warning(request, warning)
                    return redirect("admin:articles_article_change", article.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import from text",
            "form": form,
            "report": report,
            "changelist_url": reverse("admin:articles_article_changelist"),
        }
        return TemplateResponse(request, "admin/articles/article/import.html", context)

    def _may_import(self, request, form):
        # Writers may import drafts; only those who may publish can import straight out.
        if form.cleaned_data["publish"] and not self.has_publish_permission(request):
            form.add_error("publish", "You may import drafts only: an editor publishes.")
            return False
        return True

    def _import_permissions(self, request):
        # The checks the admin's own forms make, so an import writes nothing the user
        # could not have written by hand.
        registry = self.admin_site._registry
        appeals = registry[DonationAppeal]
        return ImportPermissions(
            may_change_article=lambda article: self.has_change_permission(request, article),
            may_choose_appeal="appeal" not in self.get_readonly_fields(request),
            may_add_appeal=appeals.has_add_permission(request),
            may_change_appeal=lambda appeal: appeals.has_change_permission(request, appeal),
            may_record_donation=registry[Donation].has_add_permission(request),
            may_add_organisation=registry[Organisation].has_add_permission(request),
            may_add_person=request.user.has_perm("articles.add_person"),
            recorded_by=request.user,
        )
