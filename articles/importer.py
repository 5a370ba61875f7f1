"""A plain-text page (wire copy, a scraped page, a press statement) as a ParsedArticle.

Parsing only, no database: `articles.services.article_import()` does the writing. The
page's shape, as in the seed: an optional donation bar (tick amounts, the raised amount,
the campaign month), the headline (scrapers often print it twice), an optional byline and
photo caption, the body paragraphs separated by blank lines, an optional closing appeal.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

# A news page is a few tens of kilobytes; anything far larger is not one, and reading it
# whole would tie up a worker. Checked before reading (a file) or parsing (pasted text).
MAX_BYTES = 2 * 1024 * 1024
HEADLINE_MAX_CHARS = 300  # Article.headline's max_length
HEADLINE_MAX_WORDS = 30
# A quoted statement has a few words at least; "No," he said is not one worth indexing.
MIN_STATEMENT_WORDS = 3
# Joins the parts of a split quote; Quote.matches_body() looks for each part in turn.
SPLIT_QUOTE_JOINER = " … "


class ArticleImportError(ValueError):
    """Why a page cannot be imported, in one line an editor can act on.

    A ValueError rather than an ImportError: Python raises ImportError for modules that
    fail to load, and a handler for one must never swallow the other.
    """


# --- Result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuote:
    paragraph: int  # 1-based, as Quote.paragraph
    paragraph_count: int
    text: str  # without quotation marks; " … " joins the parts of a split quote
    speaker: str  # an organisation's or a person's name, or an unnamed source
    is_organisation: bool  # the importer's guess; a known name or alias overrides it
    attribution: str  # as written, "" when the statement continues the previous one


@dataclass(frozen=True)
class ParsedAppeal:
    ticks: tuple  # Decimal amounts labelling the bar, from zero to the goal
    raised: Decimal
    campaign_month: date
    currency: str
    currency_symbol: str
    symbol_after_amount: bool

    @property
    def goal(self):
        return self.ticks[-1]


@dataclass(frozen=True)
class ParsedArticle:
    headline: str
    paragraphs: tuple
    byline: str = ""
    caption: str = ""
    credit: str = ""
    quotes: tuple = ()
    appeal: ParsedAppeal | None = None
    appeal_message: str = ""

    @property
    def body(self):
        return "\n\n".join(self.paragraphs)

    @property
    def fingerprint(self):
        """The same story gives the same fingerprint, however its whitespace or case."""
        words = " ".join(f"{self.headline}\n{self.body}".split()).casefold()
        return hashlib.sha256(words.encode()).hexdigest()


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
_APPEAL = re.compile(
    r"\b(?:consider (?:helping|supporting|donating)|support (?:us|our)|help us|donate"
    r"|chip in|make a (?:donation|contribution)|become a (?:supporter|patron|member))\b",
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
    if match := _CONTROL.search(text):
        raise ArticleImportError(
            f"the text holds a control character (U+{ord(match.group()):04X}); "
            "it looks like a binary file, not plain text"
        )
    return text.replace("\u00ad", "").replace("\ufeff", "")


def _check_headline(line):
    if not any(character.isalpha() for character in line):
        raise ArticleImportError(f"no headline: the page starts with “{_shorten(line)}”")
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


# --- Quotes ----------------------------------------------------------------------------

_VERBS = (
    r"said|says|added|adds|stated|states|told|tells|wrote|writes|announced|warned|warns"
    r"|claimed|claims|insisted|insists|noted|notes|explained|declared|tweeted|posted"
    r"|continued|replied|responded|stressed|emphasised|emphasized|urged|argued|argues"
    r"|asked|confirmed|admitted|recalled|concluded|commented|remarked|reported"
)
# “…,” the coalition said in a statement.   “…?” asked the minister.
_SPEAKER_THEN_VERB = re.compile(
    rf"\s*,?\s*(?P<attribution>(?P<speaker>[^“”\"\n]{{1,150}}?)\s+(?:{_VERBS})\b"
    r"[^“”\"]{0,200}?)\s*(?:[.!?;]\s|[.!?;]?$|,\s*(?=[“\"])|\.(?=[“\"]))"
)
_VERB_THEN_SPEAKER = re.compile(
    rf"\s*,?\s*(?P<attribution>(?:{_VERBS})\s+(?P<speaker>[^“”\"\n]{{1,150}}?))"
    r"\s*(?:[.!?;]\s|[.!?;]?$|,\s*(?=[“\"])|\.(?=[“\"]))"
)
_ACCORDING_TO = re.compile(
    r"\s*,?\s*(?P<attribution>according to\s+(?P<speaker>[^“”\"\n]{1,150}?))"
    r"\s*(?:[.!?;]\s|[.!?;]?$|,\s*(?=[“\"]))",
    re.IGNORECASE,
)
# The ministry said in a statement: “…”   According to the ministry, “…”
_LEAD_IN = re.compile(
    rf"(?P<attribution>(?P<speaker>[^“”\"]{{1,150}}?)\s+(?:{_VERBS})\b[^“”\":]{{0,80}}?)"
    r"\s*[:,]\s*$"
)
_LEAD_IN_ACCORDING = re.compile(
    r"(?P<attribution>according to\s+(?P<speaker>[^“”\":,]{1,150}?))\s*[:,]\s*$",
    re.IGNORECASE,
)
# A paragraph that opens on someone speaking: "Local engineer Omar al-Jubouri, who leads
# a volunteer group, said it had cleared…"
_SUBJECT_SAYS = re.compile(
    rf"(?P<speaker>[A-Z][^.,;:“”\"]{{0,80}}?)(?:,[^,.;:“”\"]{{1,80}},)?\s+(?:{_VERBS})\b"
)
_OPENING = "“"
_CLOSING = "”"
_STRAIGHT = '"'
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "maj", "col", "lt", "sgt", "capt", "sen", "rep", "gov",
    "prof", "st", "jr", "sr", "adm", "cmdr", "brig", "no", "vs", "jan", "feb", "mar", "apr",
    "aug", "sept", "sep", "oct", "nov", "dec", "inc", "ltd", "co", "corp",
}  # fmt: skip


@dataclass
class _Segment:
    start: int  # index of the opening mark
    end: int  # index just past the closing mark (or the paragraph's end)
    text: str
    closed: bool


@dataclass
class _Statement:
    paragraph: int
    parts: list  # per paragraph, the list of quoted parts
    attribution: str = ""
    speaker: tuple | None = None  # (name, is_organisation)

    def as_quote(self):
        texts = [SPLIT_QUOTE_JOINER.join(_trim(part) for part in parts) for parts in self.parts]
        return ParsedQuote(
            paragraph=self.paragraph,
            paragraph_count=len(self.parts),
            text="\n\n".join(texts),
            speaker=self.speaker[0],
            is_organisation=self.speaker[1],
            attribution=self.attribution,
        )


def find_quotes(paragraphs):
    """The attributed statements in the body, one per starting paragraph."""
    statements = []
    previous = None  # the statement that ended in the paragraph before, if any
    last_speaker = None
    open_statement = None
    for number, paragraph in enumerate(paragraphs, start=1):
        # Whom "he" or "the ministry" means: someone the paragraph before shows speaking
        # ("Omar al-Jubouri, who leads the group, said it had…"), else the last speaker.
        named_before = None
        if number > 1 and previous is None:
            named_before = _speaker_named_in(paragraphs[number - 2], last_speaker)
        context = named_before or last_speaker
        segments = _segments(paragraph)
        found = []
        if open_statement is not None:
            if segments and segments[0].start == 0:
                segment = segments.pop(0)
                open_statement.parts.append([segment.text])
                if not segment.closed:
                    continue  # the statement runs on into the next paragraph
                if open_statement.speaker is None:
                    _attribute_after(open_statement, paragraph, segment, context)
            if open_statement.speaker is not None:
                found.append(open_statement)
            open_statement = None

        for index, segment in enumerate(segments):
            if found and _continues_split_quote(paragraph, segments, index, found[-1]):
                found[-1].parts[-1].append(segment.text)
                continue
            statement = _Statement(number, [[segment.text]])
            if not segment.closed:
                # Press style: a statement over several paragraphs closes its quotation
                # mark only at the end, and opens one at the start of each paragraph.
                if not _attribute_before(statement, paragraph, segment, context):
                    if segment.start == 0:
                        statement.speaker = _unattributed_speaker(
                            paragraphs, number, previous, named_before, context, statement
                        )
                open_statement = statement
                break
            if len(segment.text.split()) < MIN_STATEMENT_WORDS:
                continue
            if _attribute_after(statement, paragraph, segment, context) or (
                _attribute_before(statement, paragraph, segment, context)
            ):
                found.append(statement)
            elif _is_whole_paragraph(paragraph, segment):
                statement.speaker = _unattributed_speaker(
                    paragraphs, number, previous, named_before, context, statement
                )
                found.append(statement)

        found = [s for s in found if s.speaker is not None]
        statements.extend(found)
        if found:
            previous = found[-1]
            last_speaker = previous.speaker
        else:
            previous = None
    if open_statement is not None and open_statement.speaker is not None:
        statements.append(open_statement)
    return [statement.as_quote() for statement in statements]


def _unattributed_speaker(paragraphs, number, previous, named_before, context, statement):
    """Who says a quoted paragraph with no attribution of its own, if anyone clearly does:
    the lead-in before it ("the ministry said:"), the statement it continues, or the
    speaker the paragraph before reports ("She said the house was rebuilt.")."""
    if lead_in := _lead_in_of(paragraphs, number, context):
        statement.attribution, speaker = lead_in
        return speaker
    if _continues(previous, paragraphs, number):
        return previous.speaker
    return named_before


def _speaker_named_in(paragraph, context):
    if match := _SUBJECT_SAYS.match(paragraph):
        speaker = classify_speaker(_subject(match["speaker"]), context)
        # A lone capitalised first word is as likely "Reporters" as a name.
        if speaker and " " not in speaker[0] and paragraph.startswith(speaker[0]):
            return None
        return speaker
    return None


def _segments(paragraph):
    """The double-quoted spans of a paragraph; single quotes are scare quotes or nested."""
    segments, start, closing = [], None, None
    for index, character in enumerate(paragraph):
        if start is None:
            if character == _OPENING:
                start, closing = index, _CLOSING
            elif character == _STRAIGHT:
                start, closing = index, _STRAIGHT
        elif character == closing:
            segments.append(_Segment(start, index + 1, paragraph[start + 1 : index], True))
            start = None
    if start is not None:
        segments.append(_Segment(start, len(paragraph), paragraph[start + 1 :], False))
    return [s for s in segments if s.text.strip()]


def _trim(text):
    # The comma before the closing mark belongs to the attribution that follows.
    return text.strip().removesuffix(",").rstrip()


def _attribute_after(statement, paragraph, segment, last_speaker):
    before = paragraph[: segment.start].rstrip()
    if before and before[-1] not in '.!?:;”"—–-':
        return False  # a phrase quoted mid-sentence, not a statement
    text = segment.text.rstrip()
    after = paragraph[segment.end :]
    ends_clause = text.endswith((",", "?", "!", "—", "–")) or after.startswith(",")
    lower_case_follows = after.strip()[:1].islower()
    if not (ends_clause or lower_case_follows):
        return False
    for pattern in (_ACCORDING_TO, _VERB_THEN_SPEAKER, _SPEAKER_THEN_VERB):
        if match := pattern.match(after):
            phrase = _subject(match["speaker"], first=pattern is not _SPEAKER_THEN_VERB)
            speaker = classify_speaker(phrase, last_speaker)
            if speaker is not None:
                statement.attribution = match["attribution"].strip().rstrip(",")
                statement.speaker = speaker
                return True
    return False


def _attribute_before(statement, paragraph, segment, last_speaker):
    # Only the last few hundred characters can hold the lead-in; bounding them keeps the
    # search linear on a pathological page.
    lead_in = _lead_in(paragraph[max(0, segment.start - 400) : segment.start], last_speaker)
    if lead_in is None:
        return False
    statement.attribution, statement.speaker = lead_in
    return True


def _lead_in(text, last_speaker):
    sentence = _last_sentence(text)
    for pattern in (_LEAD_IN_ACCORDING, _LEAD_IN):
        if match := pattern.search(sentence):
            phrase = _subject(match["speaker"])
            speaker = classify_speaker(phrase, last_speaker)
            if speaker is not None:
                attribution = match["attribution"]
                if pattern is _LEAD_IN:
                    attribution = attribution[attribution.find(phrase) :]
                return attribution.strip(), speaker
    return None


def _lead_in_of(paragraphs, number, last_speaker):
    """A paragraph that ends "the ministry said:" attributes the quoted one after it."""
    if number < 2:
        return None
    before = paragraphs[number - 2]
    if not before.endswith(":") or _segments(before):
        return None
    return _lead_in(before[-400:], last_speaker)


def _continues(previous, paragraphs, number):
    return previous is not None and previous.paragraph + len(previous.parts) == number


def _continues_split_quote(paragraph, segments, index, statement):
    # “We will leave,” the minister said. “But not yet.”  One statement in two parts.
    if index == 0 or not statement.attribution:
        return False
    gap = paragraph[segments[index - 1].end : segments[index].start].strip(" ,.;:—–-")
    return gap == statement.attribution.strip(" ,.")


def _is_whole_paragraph(paragraph, segment):
    return segment.start == 0 and not paragraph[segment.end :].strip(" .,;")


def _last_sentence(text):
    """The text after the last sentence end, abbreviations ("U.S.", "Gen.") aside."""
    start = 0
    for match in re.finditer(r"[.!?]\s+(?=[A-Z“\"])", text):
        word = re.search(r"([A-Za-z]+)$", text[: match.start()])
        if match.group().startswith(".") and word:
            if word[1].lower() in _ABBREVIATIONS or len(word[1]) == 1:
                continue
        start = match.end()
    return text[start:]


def _subject(phrase, *, first=False):
    """ "In a statement, the ministry" → "the ministry"; "John Smith, a spokesman" → "John
    Smith": the clause that names the speaker, not the adverbial or the description."""
    parts = [part.strip() for part in phrase.split(",") if part.strip()]
    if not parts:
        return phrase
    if first:  # said John Smith, a spokesman for the group
        return parts[0]
    for part in reversed(parts):
        if not re.match(r"(?:a|an)\s", part):
            return part
    return parts[-1]


# --- Speakers --------------------------------------------------------------------------

_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}
_TITLES = {
    "minister", "spokesman", "spokeswoman", "spokesperson", "president", "secretary",
    "general", "gen.", "colonel", "col.", "commander", "chief", "director", "ambassador",
    "official", "officer", "senator", "sen.", "governor", "mayor", "lieutenant", "lt.",
    "major", "maj.", "captain", "capt.", "sergeant", "sgt.", "admiral", "adm.", "leader",
    "chairman", "chairwoman", "deputy", "mr.", "mrs.", "ms.", "dr.", "prof.", "professor",
    "analyst", "researcher", "correspondent", "resident", "witness", "doctor", "lawyer",
    "activist", "king", "queen", "prince", "sheikh", "cleric", "ayatollah", "lawmaker",
    "envoy", "adviser", "advisor", "coordinator", "founder", "executive", "manager",
    "editor", "mp", "rep.", "premier", "speaker", "head", "member", "father", "imam",
    # British style writes these without the full stop.
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "maj", "capt", "sgt", "prof", "rep",
}  # fmt: skip
_ORGANISATION_WORDS = {
    "ministry", "department", "forces", "force", "army", "navy", "coalition", "council",
    "group", "agency", "office", "committee", "organisation", "organization", "union",
    "party", "front", "brigade", "brigades", "movement", "government", "command", "corps",
    "units", "unit", "association", "institute", "bank", "fund", "police", "militia",
    "network", "centre", "center", "commission", "authority", "embassy", "pentagon",
    "parliament", "assembly", "court", "federation", "alliance", "mission", "company",
    "corporation", "university", "foundation", "service", "guard", "guards", "watch",
    "nations", "bureau", "administration", "cabinet", "presidency", "kremlin", "board",
    "crescent", "cross", "observatory", "directorate", "secretariat", "hezbollah",
    "hamas", "taliban", "reuters", "times", "press", "media", "ngo", "charity",
}  # fmt: skip
_NAME_PARTICLES = re.compile(r"(?:al|el|bin|ibn|abu|de|da|del|der|van|von|du|le|la)(?:-\w.*)?")
_SPOKESPERSON_FOR = re.compile(
    r"(?:a|an|the)\s+(?:\w+\s+){0,2}?(?:spokes(?:man|woman|person)|statement|representative)"
    r"\s+(?:for|from|of)\s+(?P<organisation>.+)",
    re.IGNORECASE,
)
_SPOKESPERSON_NAMED = re.compile(
    r"(?:the\s+)?(?P<organisation>.+?)\s+spokes(?:man|woman|person)(?:\s+(?P<name>.+))?"
)


def classify_speaker(phrase, last_speaker=None):
    """(name, is_organisation) for the words that name who spoke, or None.

    Pronouns and bare references ("he", "the ministry") go back to the last speaker.
    """
    phrase = " ".join(phrase.split()).strip(" ,;:—–-")
    if not phrase or len(phrase.split()) > 12:
        return None
    lower = phrase.lower()
    bare = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
    if lower in _PRONOUNS:
        return last_speaker
    if lower.startswith("the ") and not any(c.isupper() for c in bare):
        # "the ministry" refers back; "the official" is a source left unnamed.
        if set(lower.split()) & _TITLES:
            return phrase, False
        return last_speaker
    if match := _SPOKESPERSON_FOR.fullmatch(phrase):
        speaker = classify_speaker(match["organisation"], last_speaker)
        return speaker and (speaker[0], True)
    if re.match(r"(?:a|an|one)\s", phrase, re.IGNORECASE):
        return phrase, False  # an unnamed source: "a senior US official"
    if (match := _SPOKESPERSON_NAMED.fullmatch(phrase)) and match["organisation"][:1].isupper():
        if match["name"]:
            return _known_person(
                _person_name(match["name"].split()) or match["name"], last_speaker
            )
        return classify_speaker(match["organisation"], last_speaker)
    tokens = bare.split()
    if tokens[-1].lower().strip(".,'’") in _ORGANISATION_WORDS and all(
        token[:1].isupper() for token in tokens
    ):
        return bare, True  # "the Imam Ali Brigades": a title inside an organisation's name
    titles = [i for i, token in enumerate(tokens) if token.lower() in _TITLES]
    if titles:
        name = _person_name(tokens[titles[-1] + 1 :])
        return _known_person(name, last_speaker) if name else (phrase, False)
    if _looks_like_organisation(phrase, tokens):
        return bare, True
    if name := _trailing_name(tokens):  # "Local engineer Omar al-Jubouri"
        return _known_person(name, last_speaker)
    return None


def _known_person(name, last_speaker):
    # "Kirby added" after "Pentagon press secretary John Kirby told reporters".
    if last_speaker and not last_speaker[1] and last_speaker[0].endswith(f" {name}"):
        return last_speaker
    return name, False


def _looks_like_organisation(phrase, tokens):
    if phrase.lower().startswith("the "):
        return True
    words = {token.lower().strip(".,'’") for token in tokens}
    if words & _ORGANISATION_WORDS:
        return True
    return any(len(token) > 1 and token.isupper() for token in tokens)


def _trailing_name(tokens):
    name = []
    for token in reversed(tokens):
        if token[:1].isupper() or _NAME_PARTICLES.fullmatch(token):
            name.insert(0, token)
        else:
            break
    while name and not name[0][:1].isupper():
        name.pop(0)
    return " ".join(name).strip(" ,")


def _person_name(tokens):
    name = []
    for token in tokens:
        if token[:1].isupper() or (name and _NAME_PARTICLES.fullmatch(token)):
            name.append(token)
        else:
            break
    return " ".join(name).strip(" ,")
