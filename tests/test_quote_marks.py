"""Quotes as marks in the body: the five shapes of real reporting that crashed the
one-quote-per-paragraph model, written as our own passages, through the importer's
writer (a ParsedArticle, as the parser hands it over) and on the article page."""

import re

import pytest

from articles.importer import ParsedArticle, ParsedQuote
from articles.importer.apply import ImportPermissions, article_import
from articles.models import Organisation, Person, Quote
from articles.rendering.html import clean_body, split_blocks
from articles.rendering.marks import read_marks

from .conftest import make_article, make_organisation, make_person, visible_text

pytestmark = pytest.mark.django_db


def _span(paragraphs, number, words):
    start = paragraphs[number - 1].index(words)
    return (number, start, start + len(words))


def _quote(paragraphs, number, words, speaker, **fields):
    """A quote as the parser hands it over: `words` in paragraph `number`, with its run."""
    fields = {"is_organisation": False, "attribution": "", **fields}
    spans = fields.pop("spans", (_span(paragraphs, number, words),))
    return ParsedQuote(
        paragraph=number, paragraph_count=1, text=words, speaker=speaker, spans=spans, **fields
    )


def _import(paragraphs, quotes, **options):
    parsed = ParsedArticle(headline="A story", paragraphs=tuple(paragraphs), quotes=tuple(quotes))
    return article_import(parsed=parsed, publish=True, **options)


def _page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


TWO_SPEAKERS = [
    "The river rose overnight.",
    "“We will rebuild every house,” said Mayor Ana Costa, while a police spokesman warned "
    "that “nothing is certain yet”.",
]


def test_two_speakers_in_one_paragraph(client):
    quotes = [
        _quote(
            TWO_SPEAKERS,
            2,
            "We will rebuild every house",
            "Ana Costa",
            attribution="said Mayor Ana Costa",
            is_person=True,
            speaker_role="mayor",
        ),
        _quote(TWO_SPEAKERS, 2, "nothing is certain yet", "a police spokesman"),
    ]
    article = _import(TWO_SPEAKERS, quotes).article

    rows = list(article.quotes.values_list("paragraph", "text", "person__name", "source"))
    assert rows == [
        (2, "We will rebuild every house", "Ana Costa", ""),
        (2, "nothing is certain yet", None, "a police spokesman"),
    ]
    costa = Person.objects.get()
    assert costa.role == "mayor"
    page = _page(client, article)
    assert f'<q class="quote" id="quote-q1" cite="{costa.get_absolute_url()}"' in page
    assert f'<a class="speaker" href="{costa.get_absolute_url()}">said Mayor Ana Costa</a>' in page
    assert (
        '<q class="quote" id="quote-q2" title="a police spokesman">nothing is certain yet</q>'
        in page
    )
    assert "<blockquote" not in page
    assert visible_text(page).count("We will rebuild every house") == 1


PARTIAL = ["Senator Reyes called the plan a “disaster” on Tuesday and left the room."]


def test_a_partial_quote_inside_a_sentence_resolves_a_known_person_by_another_name(client):
    reyes = make_person(name="Tomás Reyes", other_names="Senator Reyes\nT. Reyes")
    quote = _quote(
        PARTIAL, 1, "disaster", "Senator Reyes", attribution="Senator Reyes", is_person=True
    )
    article = _import(PARTIAL, [quote]).article

    assert Person.objects.get() == reyes  # known: no new person
    assert article.quotes.get().person == reyes
    assert not article.quotes.get().is_statement
    page = _page(client, article)
    assert "the plan a “<q" in page and ">disaster</q>” on Tuesday" in page
    assert "<blockquote" not in page


OVER_TWO = [
    "The agency published its findings.",
    "“The water is safe to drink in every district we tested,” the agency said.",
    "“We will test again next month and publish the results.”",
    "Residents remain wary.",
]


def test_a_statement_over_two_paragraphs_found_by_its_words(client):
    agency = make_organisation(name="Water Agency", aliases="the agency")
    quote = ParsedQuote(
        paragraph=2,
        paragraph_count=2,
        text="The water is safe to drink in every district we tested\n\n"
        "We will test again next month and publish the results.",
        speaker="Water Agency",
        is_organisation=True,
        attribution="the agency said",
    )
    article = _import(OVER_TWO, [quote]).article

    row = article.quotes.get()
    assert (row.organisation, row.paragraph, row.paragraph_count, row.is_statement) == (
        agency,
        2,
        2,
        True,
    )
    page = _page(client, article)
    statement = re.search(r'<blockquote class="statement".*?</blockquote>', page, re.S).group()
    assert statement.count("<p>") == 2
    assert f'<cite><a href="{agency.get_absolute_url()}">the agency said</a></cite>' in statement
    assert visible_text(page).count("publish the results") == 1


NO_SPEAKER = ["Officials described the talks as “constructive” without saying more."]


def test_a_quote_with_no_speaker_keeps_its_words_unmarked(client):
    quote = _quote(NO_SPEAKER, 1, "constructive", "")
    report = _import(NO_SPEAKER, [quote])

    assert not Quote.objects.exists()
    assert "<q" not in report.article.body
    assert any("names no speaker" in warning for warning in report.warnings)
    assert visible_text(_page(client, report.article)).count("constructive") == 1


SPOKESWOMAN = [
    "The ministry defended the decision.",
    "“The vaccine supply is secure,” said Lina Haddad, a spokeswoman for the Ministry of Health.",
]


def test_a_person_who_speaks_for_an_organisation(client):
    ministry = make_organisation(name="Ministry of Health")
    quote = _quote(
        SPOKESWOMAN,
        2,
        "The vaccine supply is secure",
        "Lina Haddad",
        attribution="said Lina Haddad, a spokeswoman for the Ministry of Health",
        is_person=True,
        speaker_role="a spokeswoman for the Ministry of Health",
        speaker_organisation="Ministry of Health",
    )
    article = _import(SPOKESWOMAN, [quote]).article

    haddad = Person.objects.get()
    assert (haddad.organisation, haddad.role) == (
        ministry,
        "a spokeswoman for the Ministry of Health",
    )
    assert article.quotes.get().person == haddad
    person_page = client.get(haddad.get_absolute_url()).content.decode()
    assert "The vaccine supply is secure" in person_page
    assert ministry.get_absolute_url() in person_page
    ministry_page = client.get(ministry.get_absolute_url()).content.decode()
    assert "The vaccine supply is secure" in ministry_page


def test_an_importer_who_may_not_add_people_gets_a_free_text_source():
    quote = _quote(SPOKESWOMAN, 2, "The vaccine supply is secure", "Lina Haddad", is_person=True)
    report = _import(SPOKESWOMAN, [quote], permissions=ImportPermissions(may_add_person=False))

    assert not Person.objects.exists()
    assert report.article.quotes.get().source == "Lina Haddad"
    assert any("you may not add people" in warning for warning in report.warnings)


def test_importing_the_same_page_again_changes_nothing():
    quotes = [_quote(TWO_SPEAKERS, 2, "nothing is certain yet", "a police spokesman")]
    _import(TWO_SPEAKERS, quotes)
    again = _import(TWO_SPEAKERS, quotes)
    assert not again.created
    assert not [change for change in again.changes if "quote" in change or "article" in change]
    assert Quote.objects.count() == 1


# --- The one sanitiser -------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "Plain text.\n\nTwo paragraphs.",
        '<p>A <a href="https://example.org/">link</a>, <em>em</em>, <strong>bold</strong></p>',
        "<h2>Head</h2><ul><li>one</li></ul><blockquote><p>quoted</p></blockquote>",
        '<p><q data-quote="a1" data-source="an official" data-attribution="he said">x</q></p>',
        '<p onclick="x">loose <script>alert(1)</script><q>not a mark</q></p> text',
    ],
)
def test_cleaning_clean_html_changes_nothing(html):
    once = clean_body(html)
    assert clean_body(once) == once


def test_the_sanitiser_keeps_the_contract_and_nothing_else():
    body = clean_body(
        '<div><p style="x">Hi <img src=x onerror=alert(1)><a href="javascript:alert(1)">j</a>'
        '<a href="/people/x/" title="t">ok</a></p></div><h1>Big</h1>'
        "<table><tr><td>t</td></tr></table>"
        '<p><q data-quote="BAD" data-person="1">upper key</q> '
        '<q data-quote="k" data-person="01x" data-organisation="2" data-source="  a   b ">'
        '<q data-quote="inner" data-source="x">nested</q></q></p>'
    )
    assert "<img" not in body and "javascript" not in body and "style" not in body
    assert "<h1" not in body and "<table" not in body and "<div" not in body
    assert 'title="t"' not in body and 'href="/people/x/"' in body
    assert 'data-quote="BAD"' not in body and "upper key" in body
    mark = re.search(r"<q [^>]*>nested</q>", body).group()
    assert 'data-quote="k"' in mark and 'data-organisation="2"' in mark
    assert 'data-source="a b"' in mark and "data-person" not in mark  # two speakers: see clean()
    assert [block[:3] for block in split_blocks(body)] == ["<p>", "<p>", "<p>"]


def test_marks_are_read_in_body_order_with_their_paragraphs():
    body = clean_body(
        '<p>Intro.</p><p>“<q data-quote="b" data-person="7">First</q>,” she said. '
        '“<q data-quote="b" data-person="7">Second.</q>”</p>'
        '<p><q data-quote="a" data-organisation="3">All of it.</q></p>'
    )
    marks = read_marks(body)
    assert marks.problems == []
    assert [(m.key, m.paragraph, m.text, m.is_statement) for m in marks.marks] == [
        ("b", 2, "First … Second.", False),
        ("a", 3, "All of it.", True),
    ]
    assert (marks.person_ids, marks.organisation_ids) == ({7}, {3})


def test_the_page_renders_the_body_without_cleaning_it_again(client, monkeypatch):
    article = make_article(paragraphs=["One.", "Two."])
    from articles.rendering import html as rendering_html

    def refuse(*args):
        raise AssertionError("cleaned on a reader's request")

    monkeypatch.setattr(rendering_html, "clean_body", refuse)
    monkeypatch.setattr(rendering_html, "_BODY_CLEANER", None)  # any .clean() would fail
    assert "<p>Two.</p>" in _page(client, article)


def test_an_organisation_named_in_a_mark_must_exist_for_the_index():
    article = make_article(paragraphs=["Words."])
    article.body = '<p><q data-quote="a" data-organisation="424242">Words</q>.</p>'
    article.save()
    from django.core.exceptions import ValidationError

    from articles import services

    with pytest.raises(ValidationError, match="does not exist"):
        services.article_index_quotes(article=article)
    assert not Organisation.objects.exists() and not Quote.objects.exists()
