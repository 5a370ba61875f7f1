"""Writes that span more than one row. Views, admin actions and commands call these."""

import unicodedata
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from .models import (
    Article,
    Donation,
    OrganisationTag,
    OrganisationTagRedirect,
    TaggedArticle,
    TaggedOrganisation,
    TopicTag,
    TopicTagRedirect,
)


def appeal_record_donation(*, appeal, amount, received_date=None, note="", recorded_by=None):
    """Add one entry to the appeal's ledger.

    The raised amount is a sum over the ledger, so concurrent recordings are plain
    inserts and none can overwrite another.
    """
    donation = Donation(
        appeal=appeal,
        amount=amount,
        received_date=received_date or timezone.localdate(),
        note=note,
        recorded_by=recorded_by,
    )
    donation.full_clean()
    donation.save()
    return donation


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


# --- Publishing ------------------------------------------------------------------------


class PublishError(Exception):
    """The article cannot go out as it is; `problems` says why, by field."""

    def __init__(self, article, problems):
        self.article, self.problems = article, problems
        super().__init__(f"“{article}”: " + " ".join(problems.values()))


@transaction.atomic
def article_publish(*, article, published_at=None):
    """Put an article out now, or at `published_at` (a future time schedules it).

    An article that already carries a date keeps it, so re-publishing a page taken down
    by mistake does not move it to the top of every list.
    """
    if problems := article.publish_problems():
        raise PublishError(article, problems)
    article.status = Article.Status.PUBLISHED
    article.published_at = published_at or article.published_at or timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


@transaction.atomic
def article_unpublish(*, article):
    """Take an article down at once: back to draft, so every reader page stops
    showing it on the next request (published() decides, there is nothing to expire)."""
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


# --- Tag hygiene -----------------------------------------------------------------------


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
