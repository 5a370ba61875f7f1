"""The import's database writes: a ParsedArticle applied to the database.

The only module of the importer that touches the ORM; the others turn text into a
ParsedArticle and know nothing of models.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Article, DonationAppeal, Organisation, Person, Quote
from ..quote_text import SPLIT_QUOTE_JOINER
from ..services import (
    appeal_record_donation,
    article_index_quotes,
    article_link_mentions,
    organisation_matcher,
)
from ..slugs import slug_of, unique_slug

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
    may_add_person: bool = True
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
        before = {q.key: q for q in article.quotes.all()} if article is not None else {}
        body = _marked_body(parsed, _Speakers(permissions, report), report)
        article = _import_article(parsed, body, article, appeal, publish, permissions, report)
        _report_quotes(before, article_index_quotes(article=article), report)
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


def _first_slug(parsed):
    # The slug the page's first import gave its article, before any number freed it.
    max_length = Article._meta.get_field("slug").max_length
    return slug_of(parsed.headline, max_length=max_length, fallback="article")


def _imported_article(parsed):
    # By slug only among imported articles: a page must never overwrite an article an
    # editor wrote that happens to share its headline. Locked, so the permission checked
    # on it (a Writer may change a draft) still holds when it is written.
    articles = Article.objects.select_for_update()
    return (
        articles.filter(source_fingerprint=parsed.fingerprint).first()
        or articles.filter(slug=_first_slug(parsed)).exclude(source_fingerprint="").first()
    )


def _import_article(parsed, body, article, appeal, publish, permissions, report):
    report.created = article is None
    if article is None:
        # The page carries no date: readers are not shown the one the article gets.
        slug = unique_slug(Article, parsed.headline, fallback="article")
        article = Article(slug=slug, show_publication_date=False)
    fields = {
        "headline": parsed.headline,
        "body": body,
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


def _marked_body(parsed, speakers, report):
    """The page's paragraphs as the stored body: plain text escaped, each quote a mark
    keyed q1, q2, … in the page's order (so importing the page again changes nothing),
    over its runs (`ParsedQuote.spans`), or over its words found in its paragraphs.
    A quote with no speaker keeps its words unmarked: a mark must say who spoke."""
    runs = {}  # paragraph index → [(start, end, opening tag)]
    for number, found in enumerate(parsed.quotes, start=1):
        if not found.speaker.strip():
            report.warnings.append(
                f"quote at paragraph {found.paragraph} not marked: the page names no speaker"
            )
            continue
        opening = _mark_opening(f"q{number}", speakers.get(found), found.attribution)
        for index, start, end in _runs_of(found, parsed.paragraphs):
            runs.setdefault(index, []).append((start, end, opening))
    paragraphs = []
    for index, text in enumerate(parsed.paragraphs):
        pieces, position = [], 0
        for start, end, opening in sorted(runs.get(index, ()), key=lambda run: run[:2]):
            if start < position:
                continue  # marks do not nest or overlap: the first one keeps the words
            pieces += [html.escape(text[position:start], quote=False), opening]
            pieces += [html.escape(text[start:end], quote=False), "</q>"]
            position = end
        pieces.append(html.escape(text[position:], quote=False))
        paragraphs.append(f"<p>{''.join(pieces)}</p>")
    return "\n".join(paragraphs)


def _runs_of(found, paragraphs):
    """(paragraph index, start, end) of each run of the quote's words."""
    spans = [
        (number - 1, start, end)
        for number, start, end in found.spans
        if 1 <= number <= len(paragraphs) and 0 <= start < end <= len(paragraphs[number - 1])
    ]
    if spans:
        return spans
    first = found.paragraph - 1
    last = min(first + found.paragraph_count, len(paragraphs)) - 1
    parts = [
        part
        for piece in re.split(r"\n\s*\n", found.text)
        for part in piece.split(SPLIT_QUOTE_JOINER)
        if part.strip()
    ]
    runs, index, position = [], first, 0
    for part in parts:
        pattern = re.compile(r"\s+".join(map(re.escape, part.split())))
        while index <= last:
            if match := pattern.search(paragraphs[index], position):
                runs.append((index, match.start(), match.end()))
                position = match.end()
                break
            index, position = index + 1, 0
    if runs:
        return runs
    # Words the paragraphs do not hold as written: the whole paragraphs are the quote.
    return [(i, 0, len(paragraphs[i])) for i in range(first, last + 1) if paragraphs[i]]


def _mark_opening(key, speaker, attribution):
    kind, value = speaker
    attributes = f'data-quote="{key}" data-{kind}="{html.escape(str(value))}"'
    if attribution:
        attributes += f' data-attribution="{html.escape(attribution)}"'
    return f"<q {attributes}>"


def _report_quotes(before, quotes, report):
    for quote in quotes:
        old = before.pop(quote.key, None)
        if old is None:
            report.changes.append(
                f"add quote at paragraph {quote.paragraph} ({quote.speaker_name})"
            )
        elif any(
            getattr(old, name) != getattr(quote, name)
            for name in ("text", "person_id", "organisation_id", "source", "paragraph")
        ):
            report.changes.append(f"update quote at paragraph {quote.paragraph}")
    for quote in before.values():
        report.changes.append(f"remove quote at paragraph {quote.paragraph}")


class _Speakers:
    """Speakers resolved to a known organisation or person by name or other name; an
    unknown organisation is created unreviewed (staff check it before it is trusted),
    an unknown named person is created with the role and organisation the text gives
    them; whoever may not add one gets the speaker as a free-text source."""

    def __init__(self, permissions, report):
        self.permissions = permissions
        self.report = report
        self.resolved = {}

    def get(self, found):
        """("organisation" | "person", pk) or ("source", text)."""
        key = (" ".join(found.speaker.split()).casefold(), found.is_person, found.is_organisation)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(found)
        return self.resolved[key]

    def _resolve(self, found):
        speaker = " ".join(found.speaker.split())
        longest = min(
            model._meta.get_field(name).max_length
            for model, name in ((Organisation, "name"), (Person, "name"), (Quote, "source"))
        )
        if len(speaker) > longest:
            # No name runs this long: the parser read a clause as the speaker. The quote
            # keeps its words and its mark, with the speaker cut as a free-text source.
            cut = speaker[: longest - 1].rsplit(" ", 1)[0] + "…"
            self.report.warnings.append(
                f"speaker “{cut[:60]}…” too long for a name: kept as an unnamed source"
            )
            return ("source", cut)
        if organisation := self._find_organisation(speaker):
            return ("organisation", organisation.pk)
        if person := Person.objects.named(speaker).order_by("pk").first():
            return ("person", person.pk)
        if found.is_organisation and (organisation := self._create_organisation(speaker)):
            return ("organisation", organisation.pk)
        if found.is_person and (person := self._create_person(speaker, found)):
            return ("person", person.pk)
        return ("source", speaker)

    def _find_organisation(self, speaker):
        # The whole speaker must be one name or alias: "a spokesman for the coalition"
        # names the coalition but is not it.
        mentions = organisation_matcher().find(speaker)
        if len(mentions) == 1 and (mentions[0].start, mentions[0].end) == (0, len(speaker)):
            return Organisation.objects.get(pk=mentions[0].organisation_id)
        return None

    def _create_organisation(self, name):
        if not self.permissions.may_add_organisation:
            self.report.warnings.append(
                f"organisation “{name}” not created: you may not add organisations"
            )
            return None
        slug = unique_slug(Organisation, name, fallback="organisation")
        organisation = Organisation(name=name, slug=slug, is_reviewed=False)
        organisation.full_clean()
        organisation.save()
        self.report.changes.append(f"create organisation “{name}” (to review)")
        return organisation

    def _create_person(self, name, found):
        if not self.permissions.may_add_person:
            self.report.warnings.append(f"person “{name}” not created: you may not add people")
            return None
        organisation = (
            self._find_organisation(found.speaker_organisation)
            if found.speaker_organisation
            else None
        )
        person = Person(
            name=name,
            slug=unique_slug(Person, name, fallback="person"),
            role=found.speaker_role[: Person._meta.get_field("role").max_length],
            organisation=organisation,
        )
        person.full_clean()
        person.save()
        self.report.changes.append(f"create person “{name}”")
        return person


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
