"""Reading django-reversion's history: what changed between two saved versions, and
what restoring one would write.

Used by the admin's "compare" and restore pages and by the edit-conflict message.
"""

import difflib
from dataclasses import dataclass, field
from itertools import chain

from django.db import models
from django.utils.html import format_html, format_html_join
from reversion.models import Version

# reversion's own walk over a row's followed relations (an article's quotes and tags):
# the rows its revert deletes are found with it, so the same walk predicts them.
from reversion.revisions import _follow_relations_recursive

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


@dataclass(frozen=True)
class RevertWrite:
    """A row that restoring a revision would add, change or delete."""

    action: str  # "add", "change" or "delete"
    row: models.Model  # as the restore leaves it; for a delete, as it is now
    current: models.Model | None = None  # for a change, the row as it is now
    fields: frozenset = frozenset()  # for a change, the editable fields it alters


def revert_writes(revision):
    """Every row that `revision.revert(delete=True)`, as reversion's admin restores and
    recovers, would write: its rows saved back, and the rows they lead to now that the
    revision lacks (quotes and tags added since) deleted. Reads only; call it inside a
    transaction, as the current rows are locked until the restore is done."""
    writes, existing = [], []
    versions = list(revision.version_set.select_related("content_type"))
    restored_rows = {
        (version._model, str(version.object_id)): _instance(version._model, version.field_dict)
        for version in versions
    }
    _link_restored_rows(restored_rows)
    for version in versions:
        model = version._model
        current = model._default_manager.select_for_update().filter(pk=version.object_id).first()
        restored = restored_rows[model, str(version.object_id)]
        if current is None:
            writes.append(RevertWrite("add", restored))
            continue
        existing.append(current)
        if changed := _changed_fields(current, version.field_dict):
            writes.append(RevertWrite("change", restored, current, changed))
    followed = set(chain.from_iterable(_follow_relations_recursive(row) for row in existing))
    writes += [RevertWrite("delete", row) for row in followed - set(existing)]
    return writes


def dangling_references(revision):
    """What the revision's rows point at that exists neither now nor in the revision (a
    topic deleted since the version was saved), as "the topic tag #5": reversion would
    write the rows and the database refuse them, so the restore cannot be made."""
    versions = list(revision.version_set.select_related("content_type"))
    restored = {(version._model, str(version.object_id)) for version in versions}
    missing = []
    for version in versions:
        for model_field in version._model._meta.concrete_fields:
            value = version.field_dict.get(model_field.attname)
            if not model_field.many_to_one or value is None:
                continue
            target = model_field.related_model
            if (target, str(value)) in restored:
                continue
            if not target._default_manager.filter(pk=value).exists():
                missing.append(f"the {target._meta.verbose_name} #{value}")
    return sorted(set(missing))


def _instance(model, field_dict):
    return model(
        **{
            f.attname: field_dict[f.attname]
            for f in model._meta.concrete_fields
            if f.attname in field_dict
        }
    )


def _link_restored_rows(restored_rows):
    """Point each restored row at the restored rows it refers to (a quote at its article
    as restored), so what is checked is the state the restore leaves."""
    for (model, _), row in restored_rows.items():
        for model_field in model._meta.concrete_fields:
            if not model_field.is_relation:
                continue
            key = (model_field.related_model, str(getattr(row, model_field.attname)))
            if key in restored_rows:
                model_field.set_cached_value(row, restored_rows[key])


def _changed_fields(current, field_dict):
    changed = set()
    for model_field in current._meta.get_fields():
        if not (model_field.concrete and model_field.editable) or model_field.auto_created:
            continue
        if model_field.attname not in field_dict:
            continue
        if model_field.many_to_many and not model_field.remote_field.through._meta.auto_created:
            continue  # rows of a through model of our own (taggings) are versions of their own
        if model_field.many_to_many:
            now = {
                str(pk) for pk in getattr(current, model_field.name).values_list("pk", flat=True)
            }
            then = {str(pk) for pk in field_dict[model_field.attname]}
        else:
            now = getattr(current, model_field.attname)
            then = field_dict[model_field.attname]
        if now != then:
            changed.add(model_field.name)
    return frozenset(changed)


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
