"""Who said it: the speaker search behind the body editor's "Mark a quote" dialog.

The editor asks `speakers/?q=jane` as the editor types, and `speakers/?ids=organisation:3`
for the names of the speakers already marked in a body. Each answer is one query per kind
of speaker, whatever it holds.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from django.http import JsonResponse

from ..models import Organisation, Person

SPEAKER_RESULTS = 10
# Longer than any name or alias; a longer query only costs a slower LIKE.
MAX_QUERY_LENGTH = 200


def _person_label(person):
    about = [person.role, person.organisation.name if person.organisation_id else ""]
    return f"{person.name} — {', '.join(part for part in about if part) or 'person'}"


def _organisation_label(organisation):
    return f"{organisation.name} — organisation"


# Each kind of speaker a quote mark may name, as the mark's attribute calls it
# (data-organisation="3" is "organisation:3" here): how it is searched and labelled.
SPEAKER_KINDS = {
    # People first: articles quote people far more often than organisations.
    "person": {
        "queryset": lambda: Person.objects.select_related("organisation").only(
            "pk", "name", "role", "organisation__name"
        ),
        "names": ["name", "other_names"],
        "label": _person_label,
    },
    "organisation": {
        "queryset": lambda: Organisation.objects.only("pk", "name"),
        "names": ["name", "aliases"],
        "label": _organisation_label,
    },
}


def _matching(kind, query):
    names = SPEAKER_KINDS[kind]["names"]
    matches = Q()
    for field in names:
        matches |= Q(**{f"{field}__icontains": query})
    # Names that start with what was typed first, then A–Z.
    starts = Case(
        When(**{f"{names[0]}__istartswith": query}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        SPEAKER_KINDS[kind]["queryset"]()
        .filter(matches)
        .order_by(starts, Lower(names[0]), "pk")[:SPEAKER_RESULTS]
    )


def _results(kind, rows):
    label = SPEAKER_KINDS[kind]["label"]
    return [{"id": f"{kind}:{row.pk}", "name": row.name, "label": label(row)} for row in rows]


def search_speakers(query):
    """People and organisations whose name or other name holds `query`, best first."""
    # NUL ends the pattern in SQLite's LIKE (matching everything) and is refused by
    # PostgreSQL; no name holds it.
    query = " ".join(query.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    found = [_results(kind, _matching(kind, query)) for kind in SPEAKER_KINDS]
    return _interleave(found)[:SPEAKER_RESULTS]


def _interleave(groups):
    """One of each kind in turn, so neither crowds the other out of the first few."""
    merged = []
    for index in range(max((len(group) for group in groups), default=0)):
        merged += [group[index] for group in groups if index < len(group)]
    return merged


def speakers_by_id(ids):
    """The labels of the speakers named `kind:pk` in `ids`; unknown ones are left out."""
    wanted = {}
    for speaker_id in ids[: SPEAKER_RESULTS * 10]:
        kind, _, pk = speaker_id.partition(":")
        if kind in SPEAKER_KINDS and pk.isascii() and pk.isdigit():
            wanted.setdefault(kind, set()).add(int(pk))
    results = []
    for kind, pks in wanted.items():
        results += _results(kind, SPEAKER_KINDS[kind]["queryset"]().filter(pk__in=pks))
    return results


class SpeakerSearchMixin:
    """For ArticleAdmin, which routes "speakers/" to `speakers_view`: anyone who may
    change articles may look speakers up, and only they."""

    def speakers_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if "ids" in request.GET:
            ids = [i for i in request.GET["ids"].split(",") if i]
            results = speakers_by_id(ids)
        else:
            results = search_speakers(request.GET.get("q", ""))
        return JsonResponse({"results": results})
