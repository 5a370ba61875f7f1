"""The seed fixtures are what the importer makes of the seed page.

What the importer cannot know is left out of the comparison: staff's data about
organisations (kind, country, description, tags, and the aliases of an organisation it
had to create), the article's topic tags, and whether the appeal is the active one.
"""

import re

import pytest
from django.core.management import call_command

from articles.importer import parse_file
from articles.importer.apply import article_import
from articles.models import Article, Donation, DonationAppeal, Organisation, Quote

from .conftest import SEED_FILE


def _import_seed():
    return article_import(parsed=parse_file(SEED_FILE), publish=True)


def _what_the_importer_knows():
    article = Article.objects.get()
    # A mark names its organisation by primary key, which a new database numbers anew.
    names = dict(Organisation.objects.values_list("pk", "name"))
    article.body = re.sub(
        r'data-organisation="(\d+)"',
        lambda m: f'data-organisation="{names[int(m[1])]}"',
        article.body,
    )
    appeal = DonationAppeal.objects.get()
    return {
        "article": {
            name: getattr(article, name)
            for name in [
                "headline",
                "slug",
                "standfirst",
                "body",
                "byline",
                "lead_image_caption",
                "lead_image_credit",
                "status",
                "published_at",
                "show_publication_date",
                "source_fingerprint",
            ]
        },
        "quotes": [
            (q.paragraph, q.paragraph_count, q.text, q.speaker_name, q.source, q.attribution)
            for q in Quote.objects.select_related("organisation").order_by("paragraph")
        ],
        "appeal": {
            name: getattr(appeal, name)
            for name in [
                "message",
                "campaign_month",
                "currency",
                "currency_symbol",
                "symbol_after_amount",
                "goal",
                "tick_count",
            ]
        },
        "article appeal": article.appeal == appeal,
        "ledger": [(d.amount, d.received_date, d.note) for d in Donation.objects.all()],
    }


def _organisations():
    return {o.name: o.aliases for o in Organisation.objects.all()}


def _linked_names():
    return set(Article.objects.get().organisations.values_list("name", flat=True))


def _empty_the_database():
    Quote.objects.all().delete()
    Article.objects.all().delete()
    Donation.objects.all().delete()
    DonationAppeal.objects.all().delete()
    Organisation.objects.all().delete()


def test_importing_the_seed_into_an_empty_database_makes_the_fixture(seed):
    expected = _what_the_importer_knows()
    _empty_the_database()

    _import_seed()

    assert _what_the_importer_knows() == expected
    # With no organisations known, the one speaker is created for staff to review.
    assert _linked_names() == {"US-led coalition"}
    assert list(Organisation.objects.values_list("name", "is_reviewed")) == [
        ("US-led coalition", False)
    ]


@pytest.mark.django_db
def test_importing_the_seed_with_the_known_organisations_makes_the_fixture():
    call_command("loaddata", "01_organisations", verbosity=0)
    organisations = _organisations()

    _import_seed()

    actual = _what_the_importer_knows(), _linked_names()
    assert _organisations() == organisations  # nothing created, no alias changed
    _empty_the_database()
    call_command("loaddata", "01_organisations", "02_appeals", "03_articles", verbosity=0)
    assert actual == (_what_the_importer_knows(), _linked_names())
    assert len(actual[1]) == 8


def test_importing_the_seed_over_the_fixtures_changes_nothing(seed):
    linked = _linked_names()

    report = _import_seed()

    assert report.changes == []
    assert report.warnings == []
    assert report.article == seed
    assert _linked_names() == linked
