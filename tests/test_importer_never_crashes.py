"""Whatever it is given, the importer answers a ParsedArticle or its own clear error."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.importer import ArticleImportError, parse, parse_bytes

from .conftest import SEED_FILE

SEED = SEED_FILE.read_text(encoding="utf-8")
# Pieces of real pages, so generated text reaches the quote and bar parsers too.
PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "“",
        "”",
        '"',
        "‘",
        "’",
        ",” the coalition said.",
        " said John Smith, a spokesman.",
        "The ministry said: ",
        "according to NATO, ",
        "0 $\n2,500 $\n5,000 $\n671 $\nMARCH 2021\n\n",
        "FILE – In this photo, ",
        "Do you like this content? Consider helping us!",
        "We will stay.",
        "he said.",
        # Shapes the quote parser reads (issue 17), so fuzzing reaches its rules.
        "Jane Smith, a spokeswoman for the ministry, said ",
        ",” Smith said. ",
        " the statement reads.",
        "Monday's statement read: “",
        "quoted a deputy minister as saying “",
        "” ― Maria Lopez",
        " said Prime Minister Ana Ruiz (D-Ohio), the head of the group, ",
        "\x1b",
    ]
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parses_or_refuses(call, value):
    try:
        article = call(value)
    except ArticleImportError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert article.headline
    assert article.paragraphs
    for quote in article.quotes:
        assert 1 <= quote.paragraph <= len(article.paragraphs)
        assert quote.paragraph + quote.paragraph_count - 1 <= len(article.paragraphs)
        assert quote.speaker
        assert not (quote.is_person and quote.is_organisation)
        for number, start, end in quote.spans:
            assert quote.paragraph <= number < quote.paragraph + quote.paragraph_count
            assert 0 <= start < end <= len(article.paragraphs[number - 1])
    # Marks do not nest: no two runs share a character.
    runs = sorted((n, s, e) for quote in article.quotes for n, s, e in quote.spans)
    for (n1, _, e1), (n2, s2, _) in zip(runs, runs[1:], strict=False):
        assert n1 != n2 or e1 <= s2


@SETTINGS
@given(st.text())
def test_it_never_raises_anything_else_on_arbitrary_text(text):
    _parses_or_refuses(parse, text)


@SETTINGS
@given(st.binary())
def test_it_never_raises_anything_else_on_arbitrary_bytes(data):
    _parses_or_refuses(parse_bytes, data)


@SETTINGS
@given(st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=40))
def test_it_never_raises_anything_else_on_page_like_text(pieces):
    _parses_or_refuses(parse, "".join(pieces))


@SETTINGS
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED)), st.text(max_size=10))
def test_it_never_raises_anything_else_on_a_damaged_seed(start, end, insert):
    _parses_or_refuses(parse, SEED[:start] + insert + SEED[end:])
