"""Linking articles to the organisations their text names.

The matcher itself (`articles.mentions`) is pure; this module builds it from the
organisations table, keeps it while the table is unchanged, and writes the links.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max

from ..mentions import MentionMatcher
from ..models import Article, Organisation


class MatcherCache:
    """A mention matcher built from the organisations table, kept with the state of the
    table it was built from (how many rows, the newest edit, the highest id) and rebuilt
    when the table's state differs.

    The state is read off the table rather than a version bumped by signals: one cheap
    query, right in every process (a signal reaches only the process that saved) and
    right after a rolled-back transaction too. Edits through `QuerySet.update()` skip
    `updated_at` and so go unseen until the next save.
    """

    def __init__(self):
        # One tuple, replaced whole: two threads rebuilding at once cannot pair one's
        # state with the other's matcher.
        self._built = (None, None)

    def get(self):
        state = tuple(
            Organisation.objects.aggregate(
                count=Count("pk"), newest=Max("updated_at"), highest=Max("pk")
            ).values()
        )
        built_from, matcher = self._built
        if built_from != state:
            rows = Organisation.objects.values_list("pk", "name", "aliases").order_by("pk")
            matcher = MentionMatcher(
                (pk, [name, *aliases.splitlines()]) for pk, name, aliases in rows.iterator()
            )
            self._built = (state, matcher)
        return matcher


_organisations = MatcherCache()


def organisation_matcher():
    """The mention matcher for the organisations in the database, rebuilt when they change."""
    return _organisations.get()


def article_link_mentions(*, article, added=(), removed=(), matcher=None):
    """Link the article to the organisations its text names, keeping the editor's word.

    `added` and `removed` are the organisations an editor just added or removed by hand:
    an added one stays linked though the text does not name it, a removed one stays
    unlinked though it does, until the editor changes their mind.
    """
    with transaction.atomic():
        if added or removed:
            article.pinned_organisations.add(*added)
            article.pinned_organisations.remove(*removed)
            article.excluded_organisations.add(*removed)
            article.excluded_organisations.remove(*added)
        changes = articles_relink_mentions(
            articles=[article], matcher=matcher or organisation_matcher()
        )
    return changes.get(article.pk, LinkChange())


@dataclass
class LinkChange:
    linked: set = field(default_factory=set)
    unlinked: set = field(default_factory=set)


def articles_relink_mentions(*, articles, matcher):
    """Recompute the links of many articles with a few queries, whatever their number.

    Returns {article id: LinkChange} for the articles whose links changed.
    """
    ids = [article.pk for article in articles]
    Through = Article.organisations.through
    link_ids = {
        (a, o): pk
        for pk, a, o in Through.objects.filter(article_id__in=ids).values_list(
            "pk", "article_id", "organisation_id"
        )
    }
    current = {}
    for a, o in link_ids:
        current.setdefault(a, set()).add(o)
    pinned = _pairs(Article.pinned_organisations.through.objects.filter(article_id__in=ids))
    excluded = _pairs(Article.excluded_organisations.through.objects.filter(article_id__in=ids))
    found = {article.pk: matcher.organisation_ids(article.mention_text) for article in articles}
    # A matcher can outlive an organisation deleted since it was built: link only those
    # that still exist.
    candidates = set().union(*found.values()) - set().union(*current.values())
    existing = set(Organisation.objects.filter(pk__in=candidates).values_list("pk", flat=True))

    changes, to_link, to_unlink = {}, [], []
    for pk in ids:
        now = current.get(pk, set())
        wanted = (found[pk] | pinned.get(pk, set())) - excluded.get(pk, set())
        wanted = {o for o in wanted if o in now or o in existing or o in pinned.get(pk, ())}
        change = LinkChange(linked=wanted - now, unlinked=now - wanted)
        if change.linked or change.unlinked:
            changes[pk] = change
            to_link += [Through(article_id=pk, organisation_id=o) for o in change.linked]
            to_unlink += [link_ids[pk, o] for o in change.unlinked]
    # ignore_conflicts: a link an editor saved meanwhile is the same link, not an error.
    Through.objects.bulk_create(to_link, ignore_conflicts=True)
    Through.objects.filter(pk__in=to_unlink).delete()
    return changes


def articles_relink_all_mentions(*, batch_size=500, after_id=0):
    """Recompute every article's organisation links, in batches of `batch_size` ids after
    `after_id`, each batch its own transaction: yields (batch, its changes) inside it, so
    what the caller does with a batch (the purges of its pages) commits with it, and a
    caller can show progress or resume after the last id."""
    matcher = organisation_matcher()
    articles = Article.objects.order_by("pk").only(
        "pk", "headline", "standfirst", "lead_image_caption", "body"
    )
    last_id = after_id
    while batch := list(articles.filter(pk__gt=last_id)[:batch_size]):
        with transaction.atomic():
            yield batch, articles_relink_mentions(articles=batch, matcher=matcher)
        last_id = batch[-1].pk


def _pairs(through_rows):
    pairs = {}
    for article_id, organisation_id in through_rows.values_list("article_id", "organisation_id"):
        pairs.setdefault(article_id, set()).add(organisation_id)
    return pairs
