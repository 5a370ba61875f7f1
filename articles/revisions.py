"""Reading django-reversion's history: what changed between two saved versions.

Used by the admin's "compare" page and by the edit-conflict message.
"""

import difflib
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from reversion.models import Version

# Bookkeeping, not something an editor changed.
IGNORED_FIELDS = {"id", "edit_token", "updated_at", "created_at", "lead_image_renditions"}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def diff_html(self):
        """Word-level difference, deletions in <del> and insertions in <ins>."""
        before, after = self.before.split(), self.after.split()
        parts = []
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                parts.append(("{}", " ".join(before[a1:a2])))
                continue
            if a2 > a1:
                parts.append(("<del>{}</del>", " ".join(before[a1:a2])))
            if b2 > b1:
                parts.append(("<ins>{}</ins>", " ".join(after[b1:b2])))
        return format_html_join(" ", "{}", ((format_html(t, v),) for t, v in parts))


@dataclass
class RevisionDiff:
    fields: list = field(default_factory=list)
    added: list = field(default_factory=list)  # related rows (quotes, tags) added
    removed: list = field(default_factory=list)


def field_changes(model, before, after):
    """The editable fields whose values differ between two field dicts."""
    changes = []
    for model_field in model._meta.concrete_fields:
        name = model_field.attname
        if name in IGNORED_FIELDS or name not in before or name not in after:
            continue
        if before[name] != after[name]:
            changes.append(
                FieldChange(
                    str(model_field.verbose_name).capitalize(),
                    _display(before[name]),
                    _display(after[name]),
                )
            )
    return changes


def revision_diff(older, newer):
    """What changed from one Version of an object to another, its followed rows
    (an article's quotes, an organisation's tags) included."""
    diff = RevisionDiff(fields=field_changes(older._model, older.field_dict, newer.field_dict))
    older_related, newer_related = _related(older), _related(newer)
    diff.added = sorted(newer_related - older_related)
    diff.removed = sorted(older_related - newer_related)
    return diff


def version_with_token(obj, token):
    """The saved version of `obj` that carried this edit token: what an editor whose form
    holds the token started from. None if that save kept no revision."""
    if token is None:
        return None
    return (
        Version.objects.get_for_object(obj)
        .filter(serialized_data__contains=str(token))
        .select_related("revision__user")
        .first()
    )


def _related(version):
    """Labels of the other rows saved in the same revision, e.g. "Quote: …"."""
    return {
        f"{other.content_type.name.capitalize()}: {other.object_repr}"
        for other in version.revision.version_set.select_related("content_type")
        if other.pk != version.pk and other.content_type_id != version.content_type_id
    }


def _display(value):
    if value is None or value == "":
        return "(empty)"
    return str(value)
