"""Writes that span more than one row. Views, admin actions and commands call these."""

import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify

from .mentions import MentionMatcher
from .models import (
    Article,
    Donation,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    OrganisationTagRedirect,
    Quote,
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


# --- Mentions --------------------------------------------------------------------------

_matcher = {"state": None, "matcher": None}


def organisation_matcher():
    """The mention matcher for the organisations in the database, rebuilt when they change.

    Whether they changed is read off the table itself (how many, the newest edit, the
    highest id) rather than a version bumped by signals: one cheap query, right in every
    process, and right after a rolled-back transaction too. Edits through
    `QuerySet.update()` skip `updated_at` and so go unseen until the next save.
    """
    state = tuple(
        Organisation.objects.aggregate(
            count=Count("pk"), newest=Max("updated_at"), highest=Max("pk")
        ).values()
    )
    if _matcher["state"] != state:
        rows = Organisation.objects.values_list("pk", "name", "aliases").order_by("pk")
        _matcher["matcher"] = MentionMatcher(
            (pk, [name, *aliases.splitlines()]) for pk, name, aliases in rows.iterator()
        )
        _matcher["state"] = state
    return _matcher["matcher"]


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


def _pairs(through_rows):
    pairs = {}
    for article_id, organisation_id in through_rows.values_list("article_id", "organisation_id"):
        pairs.setdefault(article_id, set()).add(organisation_id)
    return pairs


# --- Import ----------------------------------------------------------------------------

OPENING_BALANCE_NOTE = "Opening balance: the amount raised shown on the source page."


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run, one line per change."""

    article: Article | None = None
    created: bool = False
    changes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


@dataclass(frozen=True)
class ImportPermissions:
    """What an import may write, as the importing user's admin permissions say.

    The defaults allow everything: `manage.py import_article` is run by a trusted
    operator. The admin's import page fills them from its model admins' own checks.
    """

    may_change_article: Callable[[Article], bool] = lambda article: True
    may_choose_appeal: bool = True
    may_add_appeal: bool = True
    may_change_appeal: Callable[[DonationAppeal], bool] = lambda appeal: True
    may_record_donation: bool = True
    may_add_organisation: bool = True
    recorded_by: object = None  # the user named on the ledger entries it adds


def article_import(*, parsed, publish=False, dry_run=False, permissions=None):
    """Write a ParsedArticle: the article, its quotes, their speakers, the organisations
    it names and its donation appeal, in one transaction.

    Importing the same copy again updates the same article (found by its fingerprint or
    its slug) and adds no second quote, organisation or ledger entry. A dry run does the
    same work and rolls it back, so its report is exactly what a real run would do.
    What the page holds but `permissions` forbid is left out and listed in the warnings;
    an article the user may not change refuses the whole page (ValidationError).
    """
    permissions = permissions or ImportPermissions()
    with transaction.atomic():
        report = ImportReport()
        article = _imported_article(parsed)
        if article is not None and not permissions.may_change_article(article):
            raise ValidationError(
                f"“{article}” is {article.get_status_display().lower()} and you may not "
                "change it; an editor can import this page."
            )
        appeal = _import_appeal(parsed, permissions, report)
        article = _import_article(parsed, article, appeal, publish, permissions, report)
        _import_quotes(parsed, article, permissions, report)
        change = article_link_mentions(article=article)
        names = dict(
            Organisation.objects.filter(pk__in=change.linked | change.unlinked).values_list(
                "pk", "name"
            )
        )
        if change.linked:
            report.changes.append(f"link {_names(names, change.linked)}")
        if change.unlinked:
            report.changes.append(f"unlink {_names(names, change.unlinked)}")
        report.article = article
        if dry_run:
            transaction.set_rollback(True)
            report.article = None
    return report


def _names(names, pks):
    return ", ".join(sorted(f"“{names[pk]}”" for pk in pks))


def _slug_of(parsed):
    return slugify(parsed.headline, allow_unicode=True)[:200] or "article"


def _imported_article(parsed):
    # By slug only among imported articles: a page must never overwrite an article an
    # editor wrote that happens to share its headline. Locked, so the permission checked
    # on it (a Writer may change a draft) still holds when it is written.
    articles = Article.objects.select_for_update()
    return (
        articles.filter(source_fingerprint=parsed.fingerprint).first()
        or articles.filter(slug=_slug_of(parsed)).exclude(source_fingerprint="").first()
    )


def _import_article(parsed, article, appeal, publish, permissions, report):
    report.created = article is None
    if article is None:
        # The page carries no date: readers are not shown the one the article gets.
        article = Article(slug=_free_slug(Article, _slug_of(parsed)), show_publication_date=False)
    fields = {
        "headline": parsed.headline,
        "body": parsed.body,
        "byline": parsed.byline,
        "lead_image_caption": parsed.caption,
        "lead_image_credit": parsed.credit,
        "source_fingerprint": parsed.fingerprint,
    }
    if permissions.may_choose_appeal:
        fields["appeal"] = appeal
    elif appeal is not None and article.appeal != appeal:
        report.warnings.append(
            f"article not shown with the appeal for {appeal.campaign_month:%B %Y}: "
            "you may not choose an article's appeal"
        )
    if publish and article.status != Article.Status.PUBLISHED:
        fields["status"] = Article.Status.PUBLISHED
        # The page's own date is unknown; its campaign month, when it shows one, orders
        # it among the articles of its time better than today would.
        fields["published_at"] = article.published_at or (
            datetime(m.year, m.month, 1, tzinfo=UTC)
            if (m := parsed.appeal and parsed.appeal.campaign_month)
            else timezone.now()
        )
    changed = [name for name, value in fields.items() if getattr(article, name) != value]
    for name in changed:
        setattr(article, name, fields[name])
    article.full_clean()
    if report.created:
        article.save()
        status = "published" if publish else "draft"
        report.changes.append(f"create article “{article.headline}” ({status})")
    elif changed:
        article.save()
        report.changes.append(f"update article “{article.headline}”: {', '.join(changed)}")
    return article


def _import_quotes(parsed, article, permissions, report):
    existing = {quote.paragraph: quote for quote in article.quotes.all()}
    organisations = _SpeakerOrganisations(permissions, report)
    for found in parsed.quotes:
        organisation = organisations.get(found.speaker, found.is_organisation)
        fields = {
            "text": found.text,
            "organisation": organisation,
            "speaker": "" if organisation else found.speaker,
            "attribution": found.attribution,
            "paragraph_count": found.paragraph_count,
        }
        quote = existing.pop(found.paragraph, None)
        if quote is None:
            quote = Quote(article=article, paragraph=found.paragraph, **fields)
            # Field checks only: the database holds the constraints, and full_clean()
            # would ask it about each of them, a handful of queries for every quote.
            quote.clean_fields()
            quote.save()
            report.changes.append(f"add quote at paragraph {found.paragraph} ({found.speaker})")
            continue
        changed = [name for name, value in fields.items() if getattr(quote, name) != value]
        if changed:
            for name in changed:
                setattr(quote, name, fields[name])
            quote.clean_fields()
            quote.save()
            report.changes.append(f"update quote at paragraph {found.paragraph}")
    for quote in existing.values():
        quote.delete()
        report.changes.append(f"remove quote at paragraph {quote.paragraph}")


class _SpeakerOrganisations:
    """Speakers resolved to organisations by name or alias; unknown organisations are
    created unreviewed, so staff check them before they are trusted; for a user who may
    not add organisations the quote names its speaker as text."""

    def __init__(self, permissions, report):
        self.permissions = permissions
        self.report = report
        self.resolved = {}

    def get(self, speaker, is_organisation):
        key = " ".join(speaker.split()).casefold()
        if key not in self.resolved:
            self.resolved[key] = self._find(speaker) or (
                self._create(speaker) if is_organisation else None
            )
        return self.resolved[key]

    def _find(self, speaker):
        # The whole speaker must be one name or alias: "a spokesman for the coalition"
        # names the coalition but is not it.
        mentions = organisation_matcher().find(speaker)
        if len(mentions) == 1 and (mentions[0].start, mentions[0].end) == (0, len(speaker)):
            return Organisation.objects.get(pk=mentions[0].organisation_id)
        return None

    def _create(self, name):
        if not self.permissions.may_add_organisation:
            self.report.warnings.append(
                f"organisation “{name}” not created: you may not add organisations"
            )
            return None
        slug = slugify(name, allow_unicode=True)[:190] or "organisation"
        organisation = Organisation(
            name=name, slug=_free_slug(Organisation, slug), is_reviewed=False
        )
        organisation.full_clean()
        organisation.save()
        self.report.changes.append(f"create organisation “{name}” (to review)")
        return organisation


def _free_slug(model, slug):
    base, number = slug[:190], 1
    while model.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _import_appeal(parsed, permissions, report):
    """The page's appeal, created or updated as far as `permissions` allow; None when
    the page shows none or its appeal was not created."""
    found = parsed.appeal
    if found is None:
        return None
    appeal = (
        DonationAppeal.objects.filter(campaign_month=found.campaign_month).order_by("pk").first()
    )
    fields = {
        "goal": found.goal,
        "tick_count": len(found.ticks),
        "currency": found.currency,
        "currency_symbol": found.currency_symbol,
        "symbol_after_amount": found.symbol_after_amount,
    }
    if parsed.appeal_message:
        fields["message"] = parsed.appeal_message
    month = f"{found.campaign_month:%B %Y}"
    if appeal is None:
        appeal = DonationAppeal(campaign_month=found.campaign_month, **fields)
        if permissions.may_add_appeal:
            appeal.full_clean()
            appeal.save()
            report.changes.append(f"create appeal for {month}, goal {appeal.goal_display}")
        else:
            report.warnings.append(f"appeal for {month} not created: you may not add appeals")
    elif changed := [name for name, value in fields.items() if getattr(appeal, name) != value]:
        if permissions.may_change_appeal(appeal):
            for name in changed:
                setattr(appeal, name, fields[name])
            appeal.full_clean()
            appeal.save()
            report.changes.append(f"update appeal for {month}: {', '.join(changed)}")
        else:
            report.warnings.append(
                f"appeal for {month} not updated ({', '.join(changed)}): "
                "you may not change appeals"
            )
    _import_opening_balance(found, appeal, permissions, report)
    return appeal if appeal.pk else None


def _import_opening_balance(found, appeal, permissions, report):
    opening = appeal.donations.filter(note=OPENING_BALANCE_NOTE).first() if appeal.pk else None
    raised = appeal.format_amount(found.raised)
    if opening is not None:
        if opening.amount != found.raised:
            # The ledger is history: a different figure on a later copy of the page is
            # for staff to explain, not for an import to rewrite.
            report.warnings.append(
                f"the page shows {raised} raised but the opening balance recorded is "
                f"{appeal.format_amount(opening.amount)}; left as it is"
            )
    elif found.raised > 0 and not permissions.may_record_donation:
        report.warnings.append(
            f"opening balance {raised} not recorded: you may not record donations"
        )
    elif found.raised > 0 and appeal.pk is None:
        report.warnings.append(
            f"opening balance {raised} not recorded: the appeal was not created"
        )
    elif found.raised > 0:
        appeal_record_donation(
            appeal=appeal,
            amount=found.raised,
            received_date=found.campaign_month,
            note=OPENING_BALANCE_NOTE,
            recorded_by=permissions.recorded_by,
        )
        report.changes.append(f"record opening balance {raised}")
