"""Issue 13, items 10 and 11: an oversized body and an amount too large to store.

Each gets one clear message (a form error, one line from the command) and leaves nothing
behind, on SQLite and PostgreSQL alike; the search index holds the longest body allowed
whatever its words.
"""

import io
import itertools
import string
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DataError, IntegrityError
from django.urls import reverse

from articles.fields import MAX_AMOUNT
from articles.models import MAX_BODY_LENGTH, Article, Donation, DonationAppeal, Organisation
from articles.search import search_articles

from .admin_forms import change_form_data
from .conftest import make_appeal, make_article

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:articles_article_import")
GOOD_PAGE = "Relief Convoy Reaches Town\n\nA relief convoy reached the town on Tuesday.\n"
HUGE = "500,000,000,000,000,000"


def _distinct_words_page(size):
    """A page of `size` bytes whose words all differ: the probe's 1.5 MB page."""
    words = ("".join(letters) for letters in itertools.product(string.ascii_lowercase, repeat=5))
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(itertools.islice(words, 100))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "A Page Of Distinct Words\n\n" + "\n\n".join(paragraphs)


def _costliest_text(length, letters):
    """`length` characters that cost PostgreSQL's tsvector the most bytes each: pairs of
    distinct letters joined by a hyphen, so each letter is a lexeme and so is each pair
    (7.5 bytes of lexemes a character with four-byte letters, 7 with three-byte ones)."""
    pairs = (f"{a}-{b}" for a, b in zip(letters, letters, strict=False))
    return " ".join(itertools.islice(pairs, length // 4 + 1))[:length]


def _letters(*ranges):
    return iter([chr(c) for start, end in ranges for c in range(start, end) if chr(c).isalpha()])


def _barred_page(goal):
    return f"0 $\n1,000 $\n{goal} $\n671 $\nMARCH 2021\n\n{GOOD_PAGE}"


def _run(*paths):
    out = io.StringIO()
    call_command("import_article", *map(str, paths), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _counts():
    return [m.objects.count() for m in (Article, Organisation, DonationAppeal, Donation)]


# --- Item 10: bodies have a maximum --------------------------------------------------


def test_a_body_over_the_maximum_is_a_validation_error():
    article = Article(headline="Long", slug="long", body="word " * (MAX_BODY_LENGTH // 5 + 1))
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    # Stored as one paragraph: <p>, the words less the last space, </p>.
    stored_length = MAX_BODY_LENGTH + 5 - 1 + len("<p></p>")
    assert error.value.message_dict["body"] == [
        f"A body can hold at most {MAX_BODY_LENGTH:,} characters as stored, markup "
        f"included; this one has {stored_length:,}."
    ]


def test_the_database_refuses_a_body_over_the_maximum():
    with pytest.raises(IntegrityError, match="article_body_max_length"):
        make_article(paragraphs=["x" * (MAX_BODY_LENGTH + 1)])


def test_the_article_form_shows_an_error_for_an_oversized_body(editor_client):
    add_url = reverse("admin:articles_article_add")
    data = change_form_data(
        editor_client.get(add_url),
        headline="Long",
        slug="long",
        status="draft",
        body="word " * (MAX_BODY_LENGTH // 5 + 1),
    )
    response = editor_client.post(add_url, data)
    assert response.status_code == 200
    assert f"A body can hold at most {MAX_BODY_LENGTH:,} characters" in response.content.decode()
    assert not Article.objects.exists()


def test_a_body_under_the_maximum_as_typed_but_over_it_as_stored_is_a_form_error(
    editor_client,
):
    # Typed without markup, the body is stored as a paragraph, 7 characters longer.
    add_url = reverse("admin:articles_article_add")
    data = change_form_data(
        editor_client.get(add_url),
        headline="Long",
        slug="long",
        status="draft",
        body="x" * (MAX_BODY_LENGTH - 3),
    )
    response = editor_client.post(add_url, data)
    assert response.status_code == 200
    assert f"{MAX_BODY_LENGTH + 4:,}" in response.content.decode()
    assert not Article.objects.exists()


def test_importing_a_page_of_a_million_and_a_half_distinct_words_shows_a_message(editor_client):
    response = editor_client.post(IMPORT_URL, {"text": _distinct_words_page(1_500_000)})
    assert response.status_code == 200
    assert f"A body can hold at most {MAX_BODY_LENGTH:,} characters" in response.content.decode()
    assert _counts() == [0, 0, 0, 0]


def test_the_command_refuses_an_oversized_page_in_one_line_and_imports_the_next(tmp_path):
    big, good = tmp_path / "big.txt", tmp_path / "good.txt"
    big.write_text(_barred_page("2,000") + "\n\n" + _distinct_words_page(1_500_000))
    good.write_text(GOOD_PAGE)
    with pytest.raises(CommandError) as error:
        _run(big, good)
    assert error.value.returncode == 1
    assert str(error.value).startswith(f"{big}: A body can hold at most")
    assert "\n" not in str(error.value)
    assert Article.objects.get().headline == "Relief Convoy Reaches Town"
    assert not DonationAppeal.objects.exists()


@pytest.mark.only_on("postgresql")
def test_the_longest_body_of_the_costliest_words_is_indexed_and_found():
    # Every field the index reads, each as long and as costly as it may be: without a
    # bound the lexemes pass PostgreSQL's 1 MB (`string is too long for tsvector`).
    four_byte_letters = _letters((0x20000, 0x2EBF0), (0x30000, 0x323B0))
    three_byte_letters = _letters((0x4E00, 0xA000), (0xAC00, 0xD7A4))
    article = make_article(
        headline=_costliest_text(300, four_byte_letters),
        standfirst=_costliest_text(50_000, three_byte_letters),
        # The stored body wraps each paragraph in <p> (20 characters here).
        paragraphs=["zebra", _costliest_text(MAX_BODY_LENGTH - 20, four_byte_letters)],
    )
    assert list(search_articles("zebra")) == [article]


# --- Item 11: amounts have a maximum the database can hold -------------------------------


@pytest.mark.parametrize("model", [DonationAppeal, Donation])
def test_an_amount_over_the_maximum_is_a_validation_error(model):
    appeal = make_appeal()
    row = (
        DonationAppeal(campaign_month=date(2024, 4, 1), goal=Decimal(HUGE.replace(",", "")))
        if model is DonationAppeal
        else Donation(appeal=appeal, amount=MAX_AMOUNT + Decimal("0.01"))
    )
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert f"An amount can be at most {MAX_AMOUNT:,}." in error.value.messages


def test_the_largest_amount_is_stored_exactly():
    appeal = make_appeal(goal=MAX_AMOUNT)
    Donation.objects.create(appeal=appeal, amount=MAX_AMOUNT)
    appeal = DonationAppeal.objects.with_raised().get()
    assert (appeal.goal, appeal.raised) == (MAX_AMOUNT, MAX_AMOUNT)


def test_the_database_refuses_an_amount_over_the_maximum():
    with pytest.raises(IntegrityError, match="appeal_goal_at_most_max"):
        make_appeal(goal=MAX_AMOUNT + Decimal("0.01"))


def test_the_command_refuses_a_huge_amount_in_one_line_and_imports_the_next(tmp_path):
    huge, good = tmp_path / "huge.txt", tmp_path / "good.txt"
    huge.write_text(_barred_page(HUGE))
    good.write_text(GOOD_PAGE)
    with pytest.raises(CommandError) as error:
        _run(huge, good)
    assert str(error.value) == f"{huge}: An amount can be at most {MAX_AMOUNT:,}."
    assert Article.objects.get().headline == "Relief Convoy Reaches Town"
    assert not DonationAppeal.objects.exists()


def test_the_admin_import_refuses_a_huge_amount(editor_client):
    response = editor_client.post(IMPORT_URL, {"text": _barred_page(HUGE)})
    assert response.status_code == 200
    assert f"An amount can be at most {MAX_AMOUNT:,}." in response.content.decode()
    assert _counts() == [0, 0, 0, 0]


def test_the_appeal_form_refuses_a_huge_goal(editor_client):
    add_url = reverse("admin:articles_donationappeal_add")
    data = change_form_data(
        editor_client.get(add_url), campaign_month="2024-04-01", goal=HUGE.replace(",", "")
    )
    response = editor_client.post(add_url, data)
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not DonationAppeal.objects.exists()


def test_a_database_error_loses_one_file_and_not_the_batch(tmp_path, monkeypatch):
    # Whatever limit validation does not foresee yet, as the tsvector limit once was.
    def refuse(self, *args, **kwargs):
        if "Refused" in self.headline:
            raise DataError("value too long for the index\nDETAIL: more")
        return save(self, *args, **kwargs)

    save = Article.save
    monkeypatch.setattr(Article, "save", refuse)
    refused, good = tmp_path / "refused.txt", tmp_path / "good.txt"
    refused.write_text(_barred_page("2,000").replace("Relief Convoy", "Refused Convoy"))
    good.write_text(GOOD_PAGE)
    with pytest.raises(CommandError) as error:
        _run(refused, good)
    assert str(error.value) == (
        f"{refused}: the database refused it: value too long for the index"
    )
    assert Article.objects.get().headline == "Relief Convoy Reaches Town"
    assert not DonationAppeal.objects.exists()
