"""Reading a plain-text page (wire copy, a scraped page, a press statement) as a ParsedArticle.

Parsing only, no database: `apply.article_import()` does the writing. The
page's shape, as in the seed: an optional donation bar (tick amounts, the raised amount,
the campaign month), the headline (scrapers often print it twice), an optional byline and
photo caption, the body paragraphs separated by blank lines, an optional closing appeal.
"""

import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

from .parsed import ArticleImportError, ParsedAppeal, ParsedArticle
from .quotes import find_quotes

# A news page is a few tens of kilobytes; anything far larger is not one, and reading it
# whole would tie up a worker. Checked before reading (a file) or parsing (pasted text).
MAX_BYTES = 2 * 1024 * 1024
HEADLINE_MAX_CHARS = 300  # Article.headline's max_length
HEADLINE_MAX_WORDS = 30

# --- Reading ---------------------------------------------------------------------------

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP or Word document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Word or Excel document",
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def parse_file(path, *, max_bytes=MAX_BYTES):
    path = Path(path)
    try:
        # Refused on its size alone, so a 50 MB file costs no reading at all.
        check_size(path.stat().st_size, max_bytes)
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as error:
        raise ArticleImportError(f"cannot read the file: {error.strerror or error}") from error
    return parse_bytes(data, max_bytes=max_bytes)


def parse_bytes(data, *, max_bytes=MAX_BYTES):
    return parse(decode(data, max_bytes=max_bytes), max_bytes=max_bytes)


def check_size(size, max_bytes=MAX_BYTES):
    if size > max_bytes:
        raise ArticleImportError(
            f"the file is {_megabytes(size)}; pages up to {_megabytes(max_bytes)} can be imported"
        )


def decode(data, *, max_bytes=MAX_BYTES):
    check_size(len(data), max_bytes)
    if not data.strip():
        raise ArticleImportError("the file is empty")
    if data.startswith(_UTF16_BOMS):
        raise ArticleImportError("the file is UTF-16 text; save it as UTF-8 and try again")
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ArticleImportError(f"the file is {kind}, not plain text")
    if b"\x00" in data[:65536]:
        raise ArticleImportError("the file is binary, not plain text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleImportError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
            f"{error.start}); save it as UTF-8 and try again"
        ) from error


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f} MB"


# --- Parsing ---------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab and newline aside
# Real copy may carry a few stray control characters; a binary file holds many.
_STRAY_CONTROLS = 10
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_AMOUNT = re.compile(
    r"(?P<before>[$€£])?\s?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"\s?(?P<after>[$€£])?"
)
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP"}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_CAMPAIGN_MONTH = re.compile(r"(?P<month>[A-Za-z]{3,9})\.?\s+(?P<year>(?:19|20)\d\d)")
_BYLINE = re.compile(r"By\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|de|van|al-\w+)){0,6}")
_CAPTION = re.compile(
    r"(?:\(?FILE\)?\s*[-–—:]|In this\b.{0,300}?\b(?:photo|image|picture|handout)\b"
    r"|(?:Photo|Image|Picture|Pictured|Caption)\s*:)",
    re.IGNORECASE | re.DOTALL,
)
_CAPTION_CREDIT = re.compile(
    r"\s*\((?P<credit>[^()]{0,80}\b(?:Photo|Image|Picture)\b[^()]{0,80})\)\s*$"
)
# The site asking its readers, not an article mentioning donations: "Readers can donate
# to the Red Crescent" is a paragraph of the story.
_APPEAL = re.compile(
    r"\b(?:consider (?:helping|supporting|donating to) us|support us|help us|donate to us"
    r"|support our (?:work|journalism|reporting)|become a (?:supporter|patron|member))\b",
    re.IGNORECASE,
)
_APPEAL_MAX_CHARS = 300


def parse(text, *, max_bytes=MAX_BYTES):
    """The page as a ParsedArticle, or ArticleImportError saying what is wrong with it."""
    check_size(len(text), max_bytes)
    text = _clean(text)
    blocks = [
        lines
        for block in _BLANK_LINE.split(text)
        if (lines := [" ".join(line.split()) for line in block.split("\n") if line.strip()])
    ]
    if not blocks:
        raise ArticleImportError("the file is empty")

    appeal, blocks = _take_appeal_bar(blocks)
    if not blocks:
        raise ArticleImportError("no headline: the page holds only a donation bar")
    headline = blocks[0][0]
    _check_headline(headline)

    head = [[line] for line in blocks[0][1:]] + blocks[1:]
    byline, caption, credit = "", "", ""
    same_as_headline = headline.casefold()
    while head:
        line = " ".join(head[0])
        if line.casefold() == same_as_headline:
            pass  # the scraper printed the headline twice
        elif not byline and len(head[0]) == 1 and _BYLINE.fullmatch(line):
            byline = line.removeprefix("By").strip()
        elif not caption and (_CAPTION.match(line) or _CAPTION_CREDIT.search(line)):
            caption, credit = _split_credit(line)
        else:
            break
        head.pop(0)

    appeal_message = ""
    if head and _is_appeal_message(" ".join(head[-1])):
        appeal_message = " ".join(head.pop())
    paragraphs = _paragraphs(head)
    if not paragraphs:
        raise ArticleImportError(f"no body text under the headline “{_shorten(headline)}”")
    return ParsedArticle(
        headline=headline,
        paragraphs=tuple(paragraphs),
        byline=byline,
        caption=caption,
        credit=credit,
        quotes=tuple(find_quotes(paragraphs)),
        appeal=appeal,
        appeal_message=appeal_message,
    )


def _clean(text):
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text))
    controls = _CONTROL.findall(text)
    if len(controls) > max(_STRAY_CONTROLS, len(text) // 1000):
        raise ArticleImportError(
            f"the text holds {len(controls)} control characters (the first U+"
            f"{ord(controls[0]):04X}); it looks like a binary file, not plain text"
        )
    if controls:
        # A stray one in real copy (an escape pasted from a terminal, the U+0083 left of
        # a name mis-encoded twice, as in "FranÃ\u0083Â§ois") carries nothing to keep.
        text = _CONTROL.sub("", text)
    return text.replace("\u00ad", "").replace("\ufeff", "")


def _check_headline(line):
    if not any(character.isalpha() for character in line):
        raise ArticleImportError(f"no headline: the page starts with “{_shorten(line)}”")
    if _CAPTION.match(line):
        raise ArticleImportError(
            f"no headline: the page starts with a photo caption (“{_shorten(line)}”)"
        )
    if len(line) > HEADLINE_MAX_CHARS or len(line.split()) > HEADLINE_MAX_WORDS:
        raise ArticleImportError(
            f"no headline: the page starts with a paragraph (“{_shorten(line)}”); "
            "put the headline on its own line first"
        )


def _shorten(text, limit=60):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _paragraphs(blocks):
    if len(blocks) == 1 and len(blocks[0]) > 1:
        # Copy with no blank lines at all: one paragraph a line.
        return blocks[0]
    # Otherwise lines within a block are hard-wrapped text of one paragraph.
    return [" ".join(lines) for lines in blocks]


def _split_credit(caption):
    if match := _CAPTION_CREDIT.search(caption):
        return caption[: match.start()].rstrip(), match["credit"].strip()
    return caption, ""


def _is_appeal_message(text):
    return len(text) <= _APPEAL_MAX_CHARS and bool(_APPEAL.search(text))


# --- The donation bar ------------------------------------------------------------------


def _take_appeal_bar(blocks):
    """The appeal from the bar's lines at the top of the page, and the blocks after it.

    The bar prints its tick amounts (0 $, 2,500 $, 5,000 $), then the raised amount,
    then the campaign month. A bar that does not add up is dropped without an appeal.
    """
    amounts, month, taken = [], None, 0
    for lines in blocks:
        parsed = [_bar_line(line) for line in lines]
        if not all(parsed):
            break
        for kind, value in parsed:
            if kind == "month":
                month = value
            else:
                amounts.append(value)
        taken += 1
    rest = blocks[taken:]
    if month is None or len(amounts) < 3:
        return None, rest
    *ticks, (raised, symbol, after) = amounts
    values = [value for value, _, _ in ticks]
    if values[0] != 0 or any(b <= a for a, b in zip(values, values[1:], strict=False)):
        return None, rest
    appeal = ParsedAppeal(
        ticks=tuple(values),
        raised=raised,
        campaign_month=month,
        currency=_CURRENCIES[symbol],
        currency_symbol=symbol,
        symbol_after_amount=after,
    )
    return appeal, rest


def _bar_line(line):
    if match := _AMOUNT.fullmatch(line):
        if bool(match["before"]) != bool(match["after"]):
            symbol = match["before"] or match["after"]
            value = Decimal(match["number"].replace(",", ""))
            return "amount", (value, symbol, bool(match["after"]))
    if match := _CAMPAIGN_MONTH.fullmatch(line):
        if number := _MONTHS.get(match["month"].lower()):
            return "month", date(int(match["year"]), number, 1)
    return None
