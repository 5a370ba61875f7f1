"""The quoted runs the parser hands the writer: (paragraph, start, end) offsets into the
parsed paragraphs, quotation marks and the attribution's comma outside."""

from articles.importer import parse

from .conftest import SEED_FILE


def _page(*paragraphs):
    return "\n\n".join(["Troops Leave Northern Base", *paragraphs])


def _runs(article, quote):
    return [
        (number, article.paragraphs[number - 1][start:end]) for number, start, end in quote.spans
    ]


def test_each_part_of_a_split_quote_is_a_run_of_its_own():
    article = parse(
        _page("“We are leaving the base,” Defence Minister Ana Ruiz said. “But not yet.”")
    )
    (quote,) = article.quotes
    assert _runs(article, quote) == [(1, "We are leaving the base"), (1, "But not yet.")]


def test_a_statement_over_paragraphs_has_a_run_in_each():
    article = parse(
        _page(
            "Officials gave no timetable.",
            "“We have decided to move our advisers to larger bases.",
            "“This decision was taken with our partners,” the Coalition said.",
        )
    )
    (quote,) = article.quotes
    assert _runs(article, quote) == [
        (2, "We have decided to move our advisers to larger bases."),
        (3, "This decision was taken with our partners"),
    ]


def test_the_seed_statement_s_runs_are_its_quoted_words():
    article = parse(SEED_FILE.read_text(encoding="utf-8"))
    first, second = article.quotes
    assert [number for number, _ in _runs(article, first)] == [3]
    assert _runs(article, first)[0][1].endswith("from other Iraqi military bases")
    assert _runs(article, second)[0][1].endswith("for the troop movements.")
    for quote in article.quotes:
        for number, start, end in quote.spans:
            paragraph = article.paragraphs[number - 1]
            assert paragraph[start - 1] in '“"' and paragraph[end] in '”",'
