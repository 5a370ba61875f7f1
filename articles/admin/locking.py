"""No lost edits: the admin refuses a save made from a form that is out of date.

The form carries the row's edit token (models.EditLocked) from when it was opened. On
save the token is compared with the row's, read with SELECT … FOR UPDATE inside the
admin's transaction, so a save that lands in between cannot slip past; on SQLite the
IMMEDIATE transaction already serialises writers.
"""

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from reversion.models import Version

from .revisions import FieldChange, field_changes, version_with_token

SHOWN_CHANGES = 8


class EditLockForm(forms.ModelForm):
    edit_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Whether a stale form that changes none of the row's own fields may still go
    # through (the admin then must not save the row): only safe where its inlines can
    # only add rows, as the donations ledger does.
    allows_stale_additions = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_locked = "edit_token" in self.fields and not self.instance._state.adding
        if self.is_locked:
            self.fields["edit_token"].initial = self.instance.edit_token

    def clean(self):
        cleaned_data = super().clean()
        if self.is_locked:
            self._refuse_if_changed_meanwhile(cleaned_data.get("edit_token"))
        return cleaned_data

    @property
    def changes_own_fields(self):
        return any(name != "edit_token" for name in self.changed_data)

    def _refuse_if_changed_meanwhile(self, token):
        if self.allows_stale_additions and not self.changes_own_fields:
            return
        model = type(self.instance)
        current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        if current is None or current.edit_token == token:
            return
        raise ValidationError(self._conflict_message(current, token), code="edit_conflict")

    def _conflict_message(self, current, token):
        """Who saved the row meanwhile and what changed, for the refused editor."""
        started_from = version_with_token(current, token)
        if started_from is not None:
            intro = "What changed since you opened it:"
            changes = field_changes(current, started_from.field_dict, _field_dict(current))
        else:
            # The version the form was opened on kept no revision (an import, a fixture):
            # show where the saved row and the submitted form now disagree instead.
            intro = "Where the saved version (<ins>added</ins>) differs from your form:"
            changes = [
                FieldChange(
                    str(self.fields[name].label or name).capitalize(),
                    _text(self[name].data),
                    _text(self[name].initial),
                )
                for name in self.changed_data
                if name != "edit_token"
            ]
        return conflict_message(current, intro, changes)


def conflict_message(current, intro, changes):
    opts = current._meta
    latest = _latest_version(current)
    who = ""
    if latest is not None and latest.revision.user is not None:
        who = f" by {latest.revision.user.get_username()}"
    when = timezone.localtime(latest.revision.date_created if latest else timezone.now())
    summary = format_html(
        "<p>{}</p><ul>{}</ul>",
        mark_safe(intro),  # one of the two constant intros above
        format_html_join(
            "",
            "<li><strong>{}</strong>: {}</li>",
            ((c.label, c.diff_html) for c in changes[:SHOWN_CHANGES]),
        )
        if changes
        else format_html("<li>{}</li>", "Related items (quotes or tags) only."),
    )
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[current.pk])
    return format_html(
        "<p><strong>Someone else saved this {} while you were editing it{}, at {}.</strong> "
        "Your changes were <em>not</em> saved, so nothing they wrote was overwritten.</p>"
        "{}"
        '<p>Your edits are still in the form below: copy what you need, then <a href="{}">'
        "open the latest version</a> and make your changes there.</p>",
        opts.verbose_name,
        who,
        when.strftime("%H:%M:%S on %d %B %Y"),
        summary,
        change_url,
    )


class EditLockAdminMixin:
    """Carries the edit token in the change form of a ModelAdmin whose form is an
    EditLockForm. The token rides in the first fieldset as a hidden input."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "edit_token"]}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The token is a declared form field, not an editable model field: the model
        # form factory must not be asked for it.
        fields = kwargs.get("fields")
        if fields is None:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [f for f in fields if f != "edit_token"]
        return super().get_form(request, obj, change, **kwargs)


def _latest_version(obj):
    return Version.objects.get_for_object(obj).select_related("revision__user").first()


def _text(value):
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _field_dict(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
