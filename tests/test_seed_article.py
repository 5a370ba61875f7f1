import json
import re

import pytest
from django.core.management import call_command
from django.core.serializers import serialize
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError

from articles.models import Article, Donation, DonationAppeal, Organisation, Quote

from .conftest import FIXTURE_DIR, SEED_FILE, SEED_FIXTURES, visible_text


def _seed_items():
    """The seed's visible lines and sentences, in order, the repeated headline once."""
    blocks = [b.strip() for b in SEED_FILE.read_text(encoding="utf-8").split("\n\n")]
    blocks = [b for b in blocks if b]
    items = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        for line in lines:
            if items and items[-1] == line:
                continue  # the scraper printed the headline twice
            if line in items:
                continue
            items.extend(_sentences(line))
    return items


def _sentences(paragraph):
    # A sentence ends at . ! or ? (maybe closed by a quotation mark) before a capital
    # letter or an opening quotation mark; abbreviations like "U.S." and "Maj." stay whole.
    parts = re.split(
        r"(?<=[a-z0-9][.!?])(?<!Maj\.)(?<!Gen\.)(?<!Aug\.)[”\"]?\s+(?=[A-Z“])", paragraph
    )
    return [p.strip() for p in parts if p.strip()]


def _bounded(item):
    return re.compile(r"(?<![\w,.])" + re.escape(item) + r"(?![\w])")


def test_the_seed_splits_into_the_expected_number_of_items():
    items = _seed_items()
    assert items[:5] == ["0 $", "2,500 $", "5,000 $", "671 $", "MARCH 2021"]
    assert items[-2:] == ["Do you like this content?", "Consider helping us!"]
    assert len(items) > 15


def test_the_article_page_holds_every_seed_sentence_in_order_once(client, seed):
    response = client.get(seed.get_absolute_url())
    text = visible_text(response.content.decode())
    position = 0
    for item in _seed_items():
        pattern = _bounded(item)
        match = pattern.search(text, position)
        assert match, f"missing or out of order: {item!r}"
        assert len(pattern.findall(text)) == 1, f"shown more than once: {item!r}"
        position = match.end()


def test_the_fixtures_hold_the_seed_structure(seed):
    assert seed.headline == (
        "U.S. Forces Closing Some Bases In Iraq Following Rocket Attacks On Camp Taji"
    )
    assert seed.lead_image_caption.startswith("FILE – In this Aug. 20, 2017 file photo")
    assert len(seed.paragraphs) == 5
    quotes = list(seed.quotes.order_by("paragraph"))
    assert [q.paragraph for q in quotes] == [3, 4]
    assert {q.organisation.name for q in quotes} == {"US-led coalition"}
    assert all(q.is_statement for q in quotes)
    assert seed.organisations.count() == 8
    isis = Organisation.objects.get(name="ISIS")
    assert "Daesh" in isis.alias_list
    assert set(isis.tags.names()) == {"armed group", "non-state actor"}
    appeal = DonationAppeal.objects.with_raised().get()
    assert str(appeal.raised) == "671.00"
    assert str(appeal.goal) == "5000.00"
    assert [t.label for t in appeal.ticks] == ["0 $", "2,500 $", "5,000 $"]


def _snapshot():
    models = [Article, Quote, Organisation, DonationAppeal, Donation]
    snapshot = {
        m.__name__: json.loads(serialize("json", m.objects.order_by("pk"))) for m in models
    }
    # Every write draws a new edit token (optimistic locking), by design.
    for rows in snapshot.values():
        for row in rows:
            row["fields"].pop("edit_token", None)
    return snapshot


def test_loading_the_fixtures_twice_changes_nothing(seed):
    before = _snapshot()
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)
    assert _snapshot() == before


def _renamed_organisation():
    fixture = json.loads((FIXTURE_DIR / "01_organisations.json").read_text(encoding="utf-8"))
    row = next(r for r in fixture if r["model"] == "articles.organisation" and r["pk"] == 1)
    row["fields"]["name"] = "Renamed by a bad fixture"
    return row


def _quote_of_missing_article():
    return {
        "model": "articles.quote",
        "pk": 99,
        "fields": {
            "article": 999,
            "key": "q1",
            "paragraph": 1,
            "source": "Someone",
            "text": "Words",
        },
    }


def _organisation_with_taken_slug():
    row = _renamed_organisation()
    row["pk"] = 50
    row["fields"]["name"] = "A different name"
    return row


def _seed_row(fixture, model, pk=1, **fields):
    rows = json.loads((FIXTURE_DIR / fixture).read_text(encoding="utf-8"))
    row = next(r for r in rows if r["model"] == model and r.get("pk") == 1)
    return {**row, "pk": pk, "fields": {**row["fields"], **fields}}


def _changed_appeal():
    return _seed_row(
        "02_appeals.json", "articles.donationappeal", message="Changed by a bad fixture"
    )


def _appeal(pk, **fields):
    return _seed_row("02_appeals.json", "articles.donationappeal", pk, **fields)


def _donation(pk, **fields):
    return _seed_row("02_appeals.json", "articles.donation", pk, **fields)


def _organisation_tagged(tag):
    return {
        "model": "articles.taggedorganisation",
        "pk": 99,
        "fields": {"content_object": 1, "tag": [tag]},
    }


# Each bad fixture changes a seed row first, to show the whole load is rolled back,
# and the error names what was wrong (in words both SQLite and PostgreSQL use).
BAD_FIXTURES = {
    "malformed": ('[{"model": "articles.organisation", "pk": 1, "fields": {"name": ', "bad.json"),
    "missing foreign key": (
        [_renamed_organisation(), _quote_of_missing_article()],
        "articles_quote",
    ),
    "duplicate slug": ([_renamed_organisation(), _organisation_with_taken_slug()], "slug"),
    "organisation tagged with an unknown tag": (
        [_renamed_organisation(), _organisation_tagged("no such tag")],
        "TaggedOrganisation(pk=99)",
    ),
    "appeal with a zero goal": (
        [_changed_appeal(), _appeal(2, goal="0.00", is_active=False)],
        "appeal_goal_positive",
    ),
    "a second active appeal": (
        [_changed_appeal(), _appeal(2, campaign_month="2021-04-01")],
        "is_active",
    ),
    "donation to a missing appeal": ([_changed_appeal(), _donation(2, appeal=999)], "appeal_id"),
    "negative donation": (
        [_changed_appeal(), _donation(2, amount="-10.00")],
        "donation_amount_positive",
    ),
}


@pytest.mark.parametrize("kind", BAD_FIXTURES)
def test_a_bad_fixture_fails_clearly_and_leaves_the_database_as_it_was(seed, tmp_path, kind):
    rows, named = BAD_FIXTURES[kind]
    before = _snapshot()
    bad = tmp_path / "bad.json"
    bad.write_text(rows if isinstance(rows, str) else json.dumps(rows), encoding="utf-8")
    with pytest.raises((DeserializationError, IntegrityError)) as error:
        call_command("loaddata", str(bad), verbosity=0)
    assert "Problem installing fixture" in str(error.value)
    assert named in str(error.value)
    assert _snapshot() == before
