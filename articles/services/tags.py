"""Tagging organisations, and tag hygiene: finding near-duplicate tags and merging them."""

import unicodedata
from collections import defaultdict

from django.db import transaction

from ..models import (
    OrganisationTag,
    OrganisationTagRedirect,
    TaggedArticle,
    TaggedOrganisation,
    TopicTag,
    TopicTagRedirect,
)


@transaction.atomic
def organisations_add_tag(*, organisations, name):
    tag = _organisation_tag(name)
    for organisation in organisations:
        organisation.tags.add(tag)
        _touch(organisation)
    return len(organisations)


@transaction.atomic
def organisations_remove_tag(*, organisations, name):
    tag = OrganisationTag.objects.filter(name__iexact=name.strip()).first()
    if tag is None:
        return 0
    removed = 0
    for organisation in organisations:
        if organisation.tags.filter(pk=tag.pk).exists():
            organisation.tags.remove(tag)
            _touch(organisation)
            removed += 1
    return removed


def _touch(organisation):
    # Tags live in another table, so record the change on the row itself: it draws a
    # new edit token (an open form with the old tags is then refused, not saved over
    # them) and, inside a revision block, keeps a revision.
    organisation.save(update_fields=["updated_at"])


def _organisation_tag(name):
    name = name.strip()
    tag = OrganisationTag.objects.filter(name__iexact=name).first()
    return tag or OrganisationTag.objects.create(name=name)


@transaction.atomic
def tags_merge(*, source, target):
    """Fold `source` into `target`: every tagged item moves over, the old tag goes, and
    its address (and any address that already pointed at it) redirects to `target`.

    Works for both vocabularies (TopicTag and OrganisationTag).
    """
    if type(source) is not type(target):
        raise ValueError("Only tags of the same kind can be merged.")
    if source.pk == target.pk:
        raise ValueError("A tag cannot be merged into itself.")
    through = {TopicTag: TaggedArticle, OrganisationTag: TaggedOrganisation}[type(source)]
    redirect = {TopicTag: TopicTagRedirect, OrganisationTag: OrganisationTagRedirect}[type(source)]
    already_tagged = through.objects.filter(tag=target).values("content_object")
    # Items carrying both tags keep the target's row; the rest are re-pointed.
    through.objects.filter(tag=source, content_object__in=already_tagged).delete()
    moved = through.objects.filter(tag=source).update(tag=target)
    source.redirects.update(tag=target)
    redirect.objects.filter(old_slug=target.slug).delete()  # the target's own page wins
    redirect.objects.create(old_slug=source.slug, tag=target)
    source.delete()
    return moved


def tag_match_key(name):
    """A tag's name with case, accents and spacing folded: "Société" == "societe "."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def tags_similar(queryset):
    """Groups of tags whose names differ only in case, accents or spacing, each group
    most-used first (the natural survivor of a merge). Expects `item_count` annotated."""
    groups = defaultdict(list)
    for tag in queryset:
        groups[tag_match_key(tag.name)].append(tag)
    return [
        sorted(tags, key=lambda t: (-t.item_count, t.pk))
        for _, tags in sorted(groups.items())
        if len(tags) > 1
    ]
