"""Writing a parsed page: one article, its quotes, speakers, links and appeal."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from articles import services
from articles.importer import parse, parse_file
from articles.importer.apply import OPENING_BALANCE_NOTE, article_import
from articles.models import Article, Donation, DonationAppeal, Organisation, Quote

from .conftest import SEED_FILE, make_appeal, make_article, make_organisation

pytestmark = pytest.mark.django_db

PAGE = """0 $
1,000 $
2,000 $
250 $
APRIL 2024

Relief Convoy Reaches Besieged Town

FILE – In this March 3, 2024 photo, trucks wait at a checkpoint.

A relief convoy reached the town on Tuesday after weeks of talks with the Northern Front.

“Our teams delivered food and medicine to 4,000 families,” the Red Crescent said.

“We will return next week if the road stays open.”

“The road is safe for civilians,” said Colonel Ana Ruiz of the regional command.

Do you like this content? Consider helping us!
"""


def _import(text=PAGE, **options):
    return article_import(parsed=parse(text), **options)


def _counts():
    return [m.objects.count() for m in (Article, Quote, Organisation, DonationAppeal, Donation)]


def test_it_creates_a_draft_with_its_quotes_and_appeal():
    report = _import()
    article = report.article
    assert report.created
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert article.show_publication_date is False
    assert article.lead_image_caption.startswith("FILE – In this March 3, 2024 photo")
    assert [(q.paragraph, q.speaker_name, q.attribution) for q in article.quotes.all()] == [
        (2, "Red Crescent", "the Red Crescent said"),
        (3, "Red Crescent", ""),
        (4, "Ana Ruiz", "said Colonel Ana Ruiz of the regional command"),
    ]
    assert all(f'data-quote="{q.key}"' in article.body for q in article.quotes.all())
    appeal = article.appeal
    assert (appeal.goal, appeal.tick_count, appeal.raised) == (Decimal(2000), 3, Decimal(250))
    assert appeal.is_active is False


def test_it_creates_unknown_organisations_as_unreviewed_and_people_as_speakers():
    _import()
    red_crescent = Organisation.objects.get()
    assert (red_crescent.name, red_crescent.is_reviewed) == ("Red Crescent", False)
    ruiz = Quote.objects.get(paragraph=4)
    assert (ruiz.organisation, ruiz.source) == (None, "Ana Ruiz")


def test_it_resolves_speakers_by_alias():
    known = make_organisation(name="International Red Crescent", aliases="Red Crescent")
    _import()
    assert set(Quote.objects.values_list("organisation", flat=True)) == {known.pk, None}
    assert Organisation.objects.count() == 1


def test_it_links_the_organisations_the_text_names():
    front = make_organisation(name="Northern Front")
    make_organisation(name="Southern Front")
    article = _import().article
    assert set(article.organisations.values_list("name", flat=True)) == {
        front.name,
        "Red Crescent",
    }


def test_importing_again_changes_nothing_and_duplicates_nothing():
    first = _import()
    counts = _counts()
    again = _import()
    assert again.article == first.article
    assert not again.created
    assert again.changes == []
    assert _counts() == counts


def test_it_updates_the_same_article_when_the_copy_changes():
    first = _import()
    edited = PAGE.replace("4,000 families", "5,000 families")
    report = _import(edited)
    assert report.article == first.article
    assert "update quote at paragraph 2" in report.changes
    assert Quote.objects.get(paragraph=2).text.endswith("5,000 families")
    assert Article.objects.count() == 1


def test_it_finds_the_article_by_fingerprint_after_its_slug_changed():
    first = _import().article
    Article.objects.filter(pk=first.pk).update(slug="renamed-by-an-editor")
    assert _import().article == first


def test_a_dry_run_writes_nothing_and_reports_what_it_would_do():
    report = _import(dry_run=True)
    assert _counts() == [0, 0, 0, 0, 0]
    assert report.article is None
    assert report.changes[:2] == [
        "create appeal for April 2024, goal 2,000 $",
        "record opening balance 250 $",
    ]
    assert "create organisation “Red Crescent” (to review)" in report.changes


def test_publishing_dates_the_article_by_its_campaign_month():
    article = _import(publish=True).article
    assert article.status == Article.Status.PUBLISHED
    assert (article.published_at.year, article.published_at.month) == (2024, 4)


def test_a_re_import_without_publish_leaves_a_published_article_published():
    _import(publish=True)
    assert _import().article.status == Article.Status.PUBLISHED


def test_it_reuses_the_appeal_of_the_month_and_never_rewrites_the_ledger():
    appeal = make_appeal(campaign_month=date(2024, 4, 1))
    services.appeal_record_donation(appeal=appeal, amount=Decimal(100), note=OPENING_BALANCE_NOTE)
    report = _import()
    assert report.article.appeal == appeal
    assert Donation.objects.count() == 1
    assert report.warnings == [
        "the page shows 250 $ raised but the opening balance recorded is 100 $; left as it is"
    ]


def test_a_page_without_a_bar_gets_no_appeal():
    article = _import("Headline\n\nOne paragraph.").article
    assert article.appeal is None
    assert DonationAppeal.objects.count() == 0


def test_the_seed_import_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    # However many organisations there are: they are matched in memory, not queried.
    for n in range(50):
        make_organisation(name=f"Unrelated group {n}", aliases=f"UG{n}")
    parsed = parse_file(SEED_FILE)
    # About 60, plus one for each check constraint full_clean() asks the database about
    # (eleven: the article's, the appeal's limits and gift range, the opening balance's),
    # the quote index's reading of the article's quotes and speakers, and one for the
    # organisations whose statements pages the quotes change (their purge keys).
    with django_assert_max_num_queries(76):
        article_import(parsed=parsed)


def test_it_never_overwrites_an_article_an_editor_wrote_under_the_same_headline():
    own = make_article(headline="Relief Convoy Reaches Besieged Town", paragraphs=["Ours."])
    imported = _import().article
    assert imported != own
    assert imported.slug == f"{own.slug}-2"
    own.refresh_from_db()
    assert own.body == "<p>Ours.</p>"


def test_a_long_headline_taken_by_another_article_gets_a_numbered_slug_that_fits():
    headline = " ".join(["Convoy"] * 30)
    own = make_article(headline=headline, paragraphs=["Ours."])
    imported = _import(f"{headline}\n\nOne paragraph.").article
    assert len(own.slug) == 200
    assert len(imported.slug) <= 200
    assert imported.slug.endswith("-2")
    assert imported.slug.removesuffix("-2") == own.slug[: len(imported.slug) - 2]


def test_a_split_quote_still_matches_the_body():
    text = "Headline\n\n“We are leaving the base,” the Coalition said. “But not yet.”"
    article = _import(text).article
    quote = article.quotes.get()
    assert quote.text == "We are leaving the base … But not yet."
    assert article.body.count(f'<q data-quote="{quote.key}"') == 2


def test_a_speaker_too_long_for_a_name_is_kept_as_a_source_and_the_page_imported():
    parsed = parse(PAGE)
    clause = "the dispute centres on the removal of " + "many thousands of voters " * 12
    long_quote = replace(parsed.quotes[0], speaker=clause, is_organisation=True)
    report = article_import(parsed=replace(parsed, quotes=(long_quote, *parsed.quotes[1:])))
    quote = Quote.objects.get(key="q1")
    assert quote.organisation is None and quote.person is None
    assert quote.source.startswith("the dispute centres on") and len(quote.source) <= 200
    assert any("too long for a name" in warning for warning in report.warnings)
    assert Quote.objects.count() == len(parsed.quotes)
