"""Finding the attributed statements in an article's paragraphs."""

import re
from dataclasses import dataclass

from ..quote_text import SPLIT_QUOTE_JOINER
from .parsed import ParsedQuote
from .speakers import classify_speaker

# A quoted statement has a few words at least; "No," he said is not one worth indexing.
MIN_STATEMENT_WORDS = 3

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
# The verb is searched for first, and the speaker taken before it: a pattern starting
# with the speaker would be tried at every position of a long sentence.
_LEAD_IN_VERB = re.compile(rf"\s(?:{_VERBS})\b[^“”\":]{{0,80}}?\s*[:,]\s*$")
_LEAD_IN_ACCORDING = re.compile(
    r"(?P<attribution>according to\s+(?P<speaker>[^“”\":,]{1,150}?))\s*[:,]\s*$",
    re.IGNORECASE,
)
# A paragraph that opens on someone speaking: "Local engineer Omar al-Jubouri, who leads
# a volunteer group, said it had cleared…"
_SUBJECT_SAYS = re.compile(
    rf"(?P<speaker>[A-Z][^.,;:“”\"]{{0,80}}?)(?:,[^,.;:“”\"]{{1,80}},)?\s+(?:{_VERBS})\b"
)
_ATTRIBUTION_WINDOW = 600  # more than the longest speaker, verb and tail the patterns take
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
    parts: list  # per paragraph, the list of quoted segments
    attribution: str = ""
    speaker: tuple | None = None  # (name, is_organisation)

    def as_quote(self):
        spans = [
            span
            for number, segments in enumerate(self.parts, start=self.paragraph)
            for segment in segments
            if (span := _span(number, segment))
        ]
        texts = [
            SPLIT_QUOTE_JOINER.join(_trim(segment.text) for segment in segments)
            for segments in self.parts
        ]
        return ParsedQuote(
            paragraph=self.paragraph,
            paragraph_count=len(self.parts),
            text="\n\n".join(texts),
            speaker=self.speaker[0],
            is_organisation=self.speaker[1],
            attribution=self.attribution,
            spans=tuple(spans),
        )


def _span(number, segment):
    """(paragraph, start, end) of a segment's words: the quotation marks, the spaces inside
    them and the comma that belongs to the attribution left outside."""
    trimmed = _trim(segment.text)
    if not trimmed:
        return None
    start = segment.start + 1 + len(segment.text) - len(segment.text.lstrip())
    return number, start, start + len(trimmed)


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
                open_statement.parts.append([segment])
                if not segment.closed:
                    continue  # the statement runs on into the next paragraph
                if open_statement.speaker is None:
                    _attribute_after(open_statement, paragraph, segment, context)
            if open_statement.speaker is not None:
                found.append(open_statement)
            open_statement = None

        for index, segment in enumerate(segments):
            if found and _continues_split_quote(paragraph, segments, index, found[-1]):
                found[-1].parts[-1].append(segment)
                continue
            statement = _Statement(number, [[segment]])
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
    # Windows, not the rest of the paragraph: a page of thousands of quotes must not cost
    # thousands of copies of it. An attribution is far shorter than the window.
    before = paragraph[max(0, segment.start - 10) : segment.start].rstrip()
    if before and before[-1] not in '.!?:;”"—–-':
        return False  # a phrase quoted mid-sentence, not a statement
    text = segment.text.rstrip()
    after = paragraph[segment.end : segment.end + _ATTRIBUTION_WINDOW]
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
    if not text.rstrip().endswith((":", ",")):
        return None  # both shapes end so; a cheap test before the searches
    sentence = _last_sentence(text)
    if match := _LEAD_IN_ACCORDING.search(sentence):
        speaker = classify_speaker(_subject(match["speaker"]), last_speaker)
        return speaker and (match["attribution"].strip(), speaker)
    if match := _LEAD_IN_VERB.search(sentence):
        # The speaker is what comes before the verb in this sentence, after any quote.
        head = sentence[: match.start()]
        head = head[max(head.rfind(mark) for mark in '“”"') + 1 :][-150:]
        phrase = _subject(head)
        speaker = classify_speaker(phrase, last_speaker)
        if phrase and speaker is not None:
            attribution = sentence[sentence.rfind(phrase, 0, match.start()) : match.end()]
            return attribution.strip().rstrip(":,").strip(), speaker
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
        word = re.search(r"([A-Za-z]+)$", text[max(0, match.start() - 20) : match.start()])
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
