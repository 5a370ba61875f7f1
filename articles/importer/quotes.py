"""Finding the quoted statements in an article's paragraphs, and who made them.

Every run of words between double quotation marks is a candidate; a run becomes a
statement when the text around it says who spoke: an attribution after it (“…,” the
minister said), a lead-in before it in the same sentence (The ministry said: “…”; Smith
called the plan “…”), the paragraph before (“the ministry said:”), or the statement it
continues (a quote over several paragraphs, a split quote). The words that mark an
attribution are the cue words in `cue_words.txt`, learned from the Cue spans reporters'
attributions carry in PolNeAR's train split (bench/quote_lexicon.py, `make quote-lexicon`).
Who the speaker words stand for ("Smith", "she", "the commander", "the statement") is
resolved against the people the article introduced before (speakers.py: the cast).
"""

import itertools
import re
from dataclasses import dataclass, field

from ..quote_text import SPLIT_QUOTE_JOINER
from .cues import cues, first_cue
from .parsed import ParsedQuote
from .speakers import (
    DOCUMENT,
    LEADING_WORDS,
    Cast,
    Speaker,
    title_at,
    title_commas_outside,
    titles,
)

# A quoted statement has a few words at least; "No," he said is not one worth indexing.
MIN_STATEMENT_WORDS = 3
# Only so much text before or after a quote can be its attribution; bounding it keeps a
# pathological page (thousands of quotes, one endless sentence) linear.
_WINDOW = 400
_SUBJECT_MAX_WORDS = 40
_OPENING = "“"
_CLOSING = "”"
_STRAIGHT = '"'
_MARKS = re.compile(r"[“”\"]")
_LETTERS = re.compile(r"\w")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "maj", "col", "lt", "sgt", "capt", "sen", "rep", "gov",
    "prof", "st", "jr", "sr", "adm", "cmdr", "brig", "no", "vs", "jan", "feb", "mar", "apr",
    "aug", "sept", "sep", "oct", "nov", "dec", "inc", "ltd", "co", "corp", "del", "rev",
    "calif", "fla", "ky", "mass", "mich", "minn", "ohio", "pa", "tenn", "tex", "va", "wash",
    "wis", "ariz", "colo", "conn", "ill", "ind", "kan", "md", "mo", "nev", "okla", "ore",
}  # fmt: skip
_PRONOUN_SUBJECTS = {"he", "she", "they", "it", "we", "i", "that", "which", "who"}
_CONJUNCTIONS = {"and", "but", "or", "then", "so", "nor", "yet", "while", "which", "that", "as"}
# Verbs that introduce the speaker after them: “…,” said Jane Smith.
_SPEECH_VERBS = {
    "said", "says", "added", "adds", "asked", "asks", "wrote", "writes", "continued",
    "replied", "explained", "tweeted", "noted", "warned", "declared", "stated", "told",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?]+[”\"]?(?=\s+[A-Z“\"‘(]|\s*$)")
_QUOTED_AS_SAYING = re.compile(
    r"\bquot(?:ed|es|ing)\s+(?P<speaker>[^“”\"]{2,150}?)\s+as\s+"
    r"(?:saying|telling|writing|arguing|asking|warning)\b"
)
_DASH_NAME = re.compile(r"(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*")
_AFTER_A_NAME = re.compile(
    r"\s+(?:in|during|at|after|before|while|when|to|on|as|last|earlier|later|this|today"
    r"|yesterday|tonight)\b"
)
_ADVERBS = {
    "now", "then", "also", "later", "still", "again", "once", "often", "always", "never",
    "repeatedly", "recently", "previously", "earlier", "even", "just", "only", "has", "had",
    "have", "later,", "has,",
}  # fmt: skip
_AUXILIARIES = {
    "is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could",
    "may", "might", "should", "must", "does", "did", "says", "backs", "supports",
}  # fmt: skip
# Words that open a clause other than the quote's attribution: “…” until Haley said.
_SUBORDINATE_OPENINGS = {
    "until", "unless", "because", "since", "although", "though", "whereas", "if", "when",
    "whenever", "before", "after", "between", "whom", "whose", "than", "once", "of", "for",
    "to", "with", "from", "about", "against", "over", "into",
}  # fmt: skip
_CLAUSE_BREAK = re.compile(
    r"[,;]\s+(?:and|but|while|whereas|so)\s+(?:[A-Z]|(?:he|she|they|it|we|i|the|a|an)\b)"
)
_SUBORDINATE_CLAUSE = re.compile(
    r"(?:After|When|As|While|Although|Though|Because|Since|Before|Until|Once|If|Whereas"
    r"|Asked|Pressed|Questioned|Reached|Speaking|Responding)\s"
)
_LONE_PARTICIPLE = re.compile(r"(?:^|(?<=[.!?”\"]\s))\s*[A-Z][a-z]+ing\s*[,:]\s*$")
_MONTH = re.compile(r"(?:Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)\.?")
_LEADING_ADVERBS = {"even", "also", "but", "and", "so", "then", "now", "still", "yet"}
_APPOSITIVE = re.compile(r"(?:a|an|the|who|whose|[A-Z][\w.-]*\.?$)\b")
# Words after a subject that open when or where, not more of the subject.
_PLACE_AND_TIME = {"on", "in", "at", "during", "after", "before", "with", "to", "from", "by"}
_COMMON_PAST_TENSES = {"took", "gave", "made", "went", "wrote", "told", "said", "put", "sent"}
# Capitalised words that open a sentence without naming anyone.
_NOT_A_SUBJECT_OPENING = {
    "to", "of", "more", "most", "when", "here", "there", "not", "even",
    "then", "do", "but", "and", "so", "specifically", "this", "that", "these", "those",
    "it", "its", "his", "her", "their", "our", "my", "what", "how", "why", "who", "many",
    "some", "all", "few", "one", "no", "each", "every", "only", "just", "if", "in", "on",
}  # fmt: skip
_NAME_SAID = re.compile(
    r"\s*(?P<name>(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)\s+(?:said|says|added|wrote|tweeted)\s*"
)
_THAT_CLAUSE = re.compile(r"\b[a-z]+(?:ed|s)\s+(?:\w+\s+){0,3}?that\s*$")
_NAMES_FOLLOW = re.compile(r"(?:the\s+|a\s+)?[A-Z]")
_PARTICIPLE_OPENING = re.compile(r"[A-Z][a-z]+ing\s+[a-z]")
_LEADING_ADVERBIALS = {
    "in", "on", "at", "after", "before", "during", "asked", "when", "while", "earlier",
    "later", "meanwhile", "however", "but", "and", "still", "also", "yet", "instead",
    "today", "yesterday", "last", "as", "for", "with", "by", "from", "since", "under",
    "although", "though", "if", "because", "then", "now", "so", "separately", "previously",
    "again", "similarly", "indeed", "recalling", "speaking", "writing", "responding",
    "of", "to", "here", "there", "even", "not", "specifically", "despite", "amid", "like",
    "unlike", "alongside", "beyond", "besides", "without", "within", "through", "over",
}  # fmt: skip
# Words a speaker's name or description never opens on, lower-case as they stand.
_NOT_A_SPEAKER_START = {"for", "that", "to", "of", "in", "on", "at", "about", "from", "than"}
# “…,” Toomey fumed / Oliver barked / Trump went on: verbs the lexicon is too small for.
_UNLISTED_SUBJECT_WORDS = 5
_UNLISTED_VERBS = {"went", "shot", "cut", "chimed", "fired", "snapped", "shrugged"}
_UNLISTED_DESCRIPTIONS = {"angry", "flabbergasted", "visibly", "clearly", "former", "then"}
_SAID_OPENING = re.compile(r"(?:Said|Says|Added|Adds|Asked|Wrote|Writes)\s+(?P<speaker>.+)")
_NAME_WORD = re.compile(r"(?:[A-Z][\w'’.-]*|(?:[A-Z]\.)+)")
_NAME_AND_APPOSITIVE = re.compile(r"(?P<subject>[^,]{1,60},[^,]{1,200}),(?P<rest>[^,]*)$")
_OPEN_RELATIVE = re.compile(r",\s+(?:who|whose|which)\b[^,]*$")
_RELATIVE_CLAUSE = re.compile(r"\s(?:who|whose|that)\s")
_OPENING_MARK = re.compile(r"[“\"]")
_INLINE_TITLE = re.compile(r"(?<=\w )[“\"](?P<title>[^“”\"]{1,60}?)[”\"]")
_FINAL_VERBS = r"(?:said|says|added|adds|wrote|writes|explained|noted|argued|recalled|proclaimed)"
_RELATIVE_SUBJECT = re.compile(r",\s+(?:whom|which)\s+(?:he|she|they|we|i)\b[^,;:“”\"]{0,40}$")
_DESCRIBED = re.compile(r"(?:[Tt]he|[Hh]is|[Hh]er|[Ii]ts|[Tt]heir)\s+[a-z]")
_NOUN_AFTER = re.compile(r"(?:^|\s)(?:a|an|the|this|that|his|her|its|their|our|my)\s*$", re.I)
_INVERTED_VERB = re.compile(_FINAL_VERBS)  # "…, says Jane Smith, …": not "told", whom
_FINAL_ATTRIBUTION = re.compile(
    rf",\s+(?:{_FINAL_VERBS}\s+(?P<inverted>(?:[A-Z]|the\s|a\s|an\s)[^;:]+)|(?P<subject>[^,;:]+(?:,[^;:]+,)?)\s+"
    rf"{_FINAL_VERBS}(?:\s+(?:on|in|at|last|this)?\s*\w+day)?)\s*[.!?]?\s*$"
)
_ASKED_BY = re.compile(
    r"\b(?:was|were|been|being)\s+asked\s+by\s+(?P<speaker>[^,;:“”\"]{2,80}?)"
    r"(?=\s+(?:whether|if|about|why|how|what|when|to)\b|\s*[,:])"
)
_AS_IT_PUTS = re.compile(
    r"\b[Aa]s\s+(?P<speaker>[^,;:“”\"]{2,80}?(?:,[^,;:“”\"]{2,80},)?)\s+(?:puts?|wrote|writes"
    r"|noted|notes|said|says|explained|explains|reported|reports|observed|observes"
    r"|told\s+(?:the\s+)?(?:[A-Z][\w'’.-]*\s*){1,4})(?:\s+it)?\s*[,:]"
)
_ACCORDING_TO = re.compile(r"\baccording\s+to\s+(?P<speaker>[^“”\"]+?)\s*(?:[,.;:]|$)", re.I)


@dataclass
class _Run:
    number: int  # the paragraph, from 1
    start: int  # index of the opening mark
    end: int  # index just past the closing mark (or the paragraph's end)
    text: str  # between the marks
    closed: bool

    @property
    def span(self):
        """(paragraph, start, end) of its words: marks, spaces and the comma that belongs
        to the attribution left outside."""
        trimmed = _trim(self.text)
        start = self.start + 1 + len(self.text) - len(self.text.lstrip())
        return self.number, start, start + len(trimmed)


@dataclass
class _Statement:
    runs: list
    speaker: Speaker | None = None
    attribution: str = ""
    # Where the attribution came from: after or before the first run, or elsewhere.
    attributed_by: str = ""
    # Told to the cast as soon as its speaker is known, so that "He added" later in the
    # same paragraph means this speaker rather than the paragraph before's.
    recorded: bool = False
    last_number: int = field(init=False)

    def __post_init__(self):
        self.last_number = self.runs[-1].number

    def add(self, run):
        self.runs.append(run)
        self.last_number = run.number

    def as_quote(self):
        first = self.runs[0].number
        paragraphs = {}
        for run in self.runs:
            paragraphs.setdefault(run.number, []).append(_trim(run.text))
        text = "\n\n".join(SPLIT_QUOTE_JOINER.join(parts) for parts in paragraphs.values())
        speaker = self.speaker
        return ParsedQuote(
            paragraph=first,
            paragraph_count=self.last_number - first + 1,
            text=text,
            speaker=speaker.name,
            is_organisation=speaker.is_organisation,
            attribution=self.attribution,
            spans=tuple(run.span for run in self.runs if _trim(run.text)),
            is_person=speaker.is_person,
            speaker_role=speaker.role,
            speaker_organisation=speaker.organisation,
        )


def find_quotes(paragraphs):
    """The attributed statements in the body, in order; a paragraph may hold several."""
    cast = Cast(paragraphs)
    statements = []
    open_statement = None  # a statement whose last run reached its paragraph's end open
    for number, paragraph in enumerate(paragraphs, start=1):
        cast.reach(number)
        runs = _runs(number, paragraph)
        masked = _masked(paragraph, runs)
        found = []
        if open_statement is not None:
            if runs and runs[0].start == 0 and number == open_statement.last_number + 1:
                run = runs.pop(0)
                open_statement.add(run)
                if open_statement.speaker is None:
                    _attribute(
                        open_statement, paragraph, run, None, runs[0] if runs else None, cast
                    )
                if not run.closed:
                    continue  # it runs on into the next paragraph
                found.append(open_statement)
            elif open_statement.speaker is not None:
                statements.append(open_statement)
            open_statement = None
        for index, run in enumerate(runs):
            before = runs[index - 1] if index else None
            after = runs[index + 1] if index + 1 < len(runs) else None
            if (
                found
                and before is not None
                and _continues_split(paragraph, before, run, after, found[-1])
            ):
                found[-1].add(run)
                if not run.closed:
                    open_statement = found.pop()
                continue
            if not run.closed and run.start == 0 and number < len(paragraphs):
                # Press style: a statement over several paragraphs opens a mark at the
                # start of each and closes it only at its end.
                statement = _Statement([run])
                if not _attribute(statement, paragraph, run, before, after, cast):
                    statement.speaker = _unattributed(
                        paragraphs, number, run, statements, found, cast
                    )
                _record(statement, number, cast)
                open_statement = statement
                break
            if len(run.text.split()) < _min_words(paragraph, run):
                continue
            if found and before is not None and _in_attribution(paragraph, run, found[-1]):
                continue  # “…,” wrote the authors of the “Growth Plan,”: a title they wrote
            statement = _Statement([run])
            if not _attribute(statement, paragraph, run, before, after, cast, masked):
                statement.speaker = (
                    _same_sentence_speaker(paragraph, before, run, found)
                    or _said_at_sentence_end(masked, run, cast)
                    or _named_earlier_in_paragraph(masked, before, run, cast, found)
                    or _subject_of_sentence(masked, before, run, cast)
                    or _described_or_unattributed(
                        paragraphs, number, run, statements, found, cast, masked
                    )
                )
                if statement.speaker is None:
                    continue
            _record(statement, number, cast)
            if not run.closed and number < len(paragraphs):
                open_statement = statement
                break
            found.append(statement)
        for statement in found:
            if statement.speaker is not None:
                statements.append(statement)
                _record(statement, number, cast)
    if open_statement is not None and open_statement.speaker is not None:
        statements.append(open_statement)
    statements.sort(key=lambda s: (s.runs[0].number, s.runs[0].start))
    return [statement.as_quote() for statement in statements]


def _in_attribution(paragraph, run, statement):
    """Whether a quoted run stands inside the attribution of the statement before it."""
    last = statement.runs[-1]
    if statement.attributed_by != "after" or last.number != run.number:
        return False
    at = paragraph.find(statement.attribution, last.end) if statement.attribution else -1
    return 0 <= at <= run.start and run.end <= at + len(statement.attribution) + 1


def _record(statement, number, cast):
    if statement.speaker is not None and not statement.recorded:
        statement.recorded = True
        cast.spoke(statement.speaker, statement.attribution, number)


def _min_words(paragraph, run):
    """A statement opens its sentence ("We will win," he said) and has a few words; words
    quoted inside a sentence (called the vote “a red line”) need a few more to count."""
    before = paragraph[max(0, run.start - 3) : run.start].rstrip()
    opens_sentence = not before or before[-1] in '.!?:;,—–-”"'
    return MIN_STATEMENT_WORDS if opens_sentence else MIN_STATEMENT_WORDS + 1


def _same_sentence_speaker(paragraph, before, run, found):
    """Smith urged voters to “go to your place and vote” and then “go pick some other
    place”: a second quote in the sentence of an attributed one is the same speaker's."""
    if before is None or not found or found[-1].runs[-1] is not before:
        return None
    if before.text.rstrip().endswith((".", "!", "?")):
        return None
    gap = paragraph[before.end : run.start]
    if any(not _is_abbreviation(gap, m.start()) for m in _SENTENCE_END.finditer(gap)):
        return None
    return found[-1].speaker


def _named_earlier_in_paragraph(masked, before, run, cast, found=()):
    """ "Robinson said. Bystrom agreed. “…”", "“Fine,” Trump said. “And much tougher…”":
    a quote opening its own sentence with no attribution is the one whom the sentences
    before it in its paragraph last named speaking, rather than whoever was quoted last."""
    start = before.end if before is not None else 0
    text = masked[max(start, run.start - _WINDOW) : run.start]
    # "Smith stated that… . Adding, “…”": a participle alone goes on with the sentence's
    # speaker before it, which may hold a quote of its own.
    if (without := _LONE_PARTICIPLE.sub("", text)) != text and not without.strip():
        without = _LONE_PARTICIPLE.sub("", masked[max(0, run.start - _WINDOW) : run.start])
    text = without
    if text.strip() and text.rstrip()[-1] not in '.!?”"':
        return None  # the quote continues a sentence, whose lead-in was read already
    last = found[-1] if found else None
    follows_last = last is not None and last.runs[-1].number == run.number
    if follows_last and last.attributed_by == "after":
        # “…,” Trump told reporters, referring to bruises that Fields showed. “…”: the
        # sentence after a quote is its attribution, and names no one new.
        text = masked[last.runs[-1].end : run.start]
    sentences = [text]
    while (cut := _last_sentence(sentences[0])) and cut != sentences[0]:
        sentences[:1] = [sentences[0][: len(sentences[0]) - len(cut)], cut]
    if follows_last and last.attributed_by == "after":
        sentences = sentences[1:]
    for sentence in reversed(sentences):
        if named := _lead_in_named(sentence, list(cues(sentence)), cast):
            return named[1]
    return last.speaker if follows_last else None


def _said_at_sentence_end(masked, run, cast):
    """The promise to “take our country back” appeals to voters who…, said Jane Smith, a
    demographer: an attribution closing the sentence is every quote's in it."""
    sentence = _first_sentence(masked[run.end : run.end + _WINDOW * 2])
    if not (match := _FINAL_ATTRIBUTION.search(sentence)):
        return None
    who = match["inverted"] or match["subject"]
    if re.search(r"[“”\"]", who) or len(who.split()) > 20:
        return None
    return cast.resolve(_object(who) if match["inverted"] else who)


def _unattributed(paragraphs, number, run, statements, found, cast):
    """Who says a quote with no attribution of its own, when the text around it tells:
    the lead-in paragraph before it ("the ministry said:"), the statement in the paragraph
    before that it goes on with, someone the paragraph before shows speaking."""
    paragraph = paragraphs[number - 1]
    whole = (
        run.start == 0 and not paragraph[run.end :].strip(" .,;")
        if run.end + 4 > len(paragraph)
        else False
    )
    if whole and number > 1:
        before = paragraphs[number - 2]
        if before.rstrip().endswith(":") and (lead_in := _lead_in(before, len(before), cast)):
            return lead_in[1]
    last = found[-1] if found else (statements[-1] if statements else None)
    if last is not None and last.last_number >= number - 1:
        return last.speaker
    if number > 1 and (speaker := cast.named_speaking_in(number - 1)):
        return speaker
    return None


def _attribute(statement, paragraph, run, before, after, cast, masked=None):
    """Sets the statement's speaker from the attribution after the run or the lead-in
    before it, in the run's sentence; False when neither names anyone."""
    text = run.text.rstrip()
    ends_sentence = text.endswith(".") and not text.endswith("..")
    tail_end = after.start if after is not None else len(paragraph)
    if after is not None and _inline_title(paragraph, after):
        # “…,” said Jane Smith, author of “The Long Road,” a history of…: a title quoted
        # inside the attribution does not end it.
        next_mark = _OPENING_MARK.search(paragraph, after.end)
        tail_end = next_mark.start() if next_mark else len(paragraph)
    tail = paragraph[run.end : min(tail_end, run.end + _WINDOW)]
    lead_text = paragraph[max(0, run.start - _WINDOW) : run.start]
    hands_over = lead_text.rstrip().endswith((",", ":")) and not text.endswith(",")
    if (hands_over or _THAT_CLAUSE.search(lead_text)) and masked is not None:
        # Clinton replied to Mills with, “Why now?” Mills wrote back…: a lead-in that
        # hands over to the quote is its attribution, whatever follows (unless the quote
        # closes on a comma, handing over to an attribution of its own). Trump claimed
        # that “…,” a prosecutor said…: a quote reported with "that" is the reporter's.
        lead_in = _lead_in(masked, run.start, cast)
        if lead_in is None or not _names_someone(lead_in[1]):
            sentence = _last_sentence(masked[max(0, run.start - _WINDOW) : run.start])
            lead_in = _named_subject(sentence, cast) if sentence.strip() else None
        if lead_in and _names_someone(lead_in[1]):
            at = masked.rfind(lead_in[0], 0, run.start)
            statement.attribution = paragraph[at : at + len(lead_in[0])] if at >= 0 else ""
            statement.speaker, statement.attributed_by = lead_in[1], "before"
            return True
    if ends_sentence and (match := _NAME_SAID.fullmatch(_first_sentence(tail))):
        # “…we will win.” Trump said. A full stop typed for the comma: a name and its
        # verb alone after the quote are its attribution still.
        if (speaker := cast.resolve(match["name"])) is not None and _is_named(speaker):
            statement.attribution, statement.speaker = match.group().strip(), speaker
            statement.attributed_by = "after"
            return True
    if not ends_sentence or tail.lstrip()[:1].islower() or tail.lstrip()[:1] in "―—–":
        embedded = bool(_last_sentence(lead_text).strip())
        if found := _attribution_after(tail, cast, embedded):
            if found[0].split()[0].lower() in _PRONOUN_SUBJECTS and masked is not None:
                # Tyler said the campaign would show voters “…,” he said: the pronoun
                # is the one the sentence named speaking before the quote.
                found = _lead_in_named_before(masked, paragraph, run.start, cast) or found
            if embedded and not _is_named(found[1]) and not text.endswith((",", "?", "!")):
                # Smith told reporters there are “…” provisions in the bill approved…:
                # the clause after names no one, the lead-in does.
                lead_in = _lead_in(masked if masked is not None else paragraph, run.start, cast)
                found = lead_in if lead_in and _names_someone(lead_in[1]) else found
            statement.attribution, statement.speaker = found
            statement.attributed_by = "after"
            return True
    if text.endswith((",", "?", "!")) and (found := _unlisted_verb_after(tail, cast)):
        statement.attribution, statement.speaker = found
        statement.attributed_by = "after"
        return True
    head_start = before.end if before is not None else 0
    if (
        before is not None
        and (title := title_at(paragraph, before.start))
        and (title.end() == before.end)
    ):
        head_start = 0  # “Going Viral” in the subject: its sentence is the lead-in still
    found = _lead_in(paragraph, run.start, cast, head_start)
    if (found is None or not _names_someone(found[1])) and before is not None and masked:
        # Smith called the plan “a mess” and “a gift to our rivals”: the first words
        # quoted were too few to be a statement, and the sentence's speaker stands
        # before them. Quoted words are masked so that none is read as a cue.
        if (whole := _lead_in(masked, run.start, cast)) and (
            found is None or _names_someone(whole[1])
        ):
            at = masked.rfind(whole[0], 0, run.start)
            found = (paragraph[at : at + len(whole[0])] if at >= 0 else "", whole[1])
    if found:
        statement.attribution, statement.speaker = found
        statement.attributed_by = "before"
        return True
    return False


def _inline_title(paragraph, run):
    """A few quoted words inside a phrase ("author of “The Long Road”"), not a quote."""
    before = paragraph[: run.start]
    return (
        run.closed
        and len(run.text.split()) <= 5
        and before.endswith(" ")
        and before.rstrip()[-1:].isalpha()
        and before.split()[-1][:1].islower()  # not "Obama “opted for”": someone speaking
    )


def _masked(paragraph, runs):
    """The paragraph with the letters of its quoted words masked, marks and stops kept."""
    if not runs:
        return paragraph
    parts, at = [], 0
    for run in runs:
        parts += [
            paragraph[at : run.start + 1],
            _LETTERS.sub("x", paragraph[run.start + 1 : run.end]),
        ]
        at = run.end
    return "".join([*parts, paragraph[at:]])


def _is_a_source(phrase):
    """Whether the words after "according to" name someone or some record ("the Times",
    "officials", "a transcript"), not a plan or a schedule."""
    words = phrase.split()
    return bool(words) and (
        words[0][:1].isupper() or words[0] in ("the", "a", "an") or words[0].endswith("s")
    )


def _attribution_after(tail, cast, embedded=False):
    """“…,” the minister said on Monday.  “…,” said Jane Smith, a spokeswoman.  “…,”
    according to the ministry.  The tail runs to the end of its sentence. In “…,” Smith
    said, according to Reuters, the words are Smith's: Reuters reported them (PolNeAR's
    annotators credit the outer source; an editor credits the speaker)."""
    clause = _first_sentence(tail)
    stripped = clause.strip(" ,;—–-")
    if not stripped:
        return None
    if tail.lstrip()[:1] in "―—–" and (match := _DASH_NAME.match(tail.lstrip(" ―—–-"))):
        # A reader's or interviewee's words signed with a dash: “…” ― Jane Smith
        speaker = cast.resolve(match.group())
        return speaker and (match.group(), speaker)
    if (match := _ACCORDING_TO.match(stripped)) and _is_a_source(match["speaker"]):
        speaker = cast.resolve(match["speaker"])
        return speaker and (stripped[: match.end("speaker")], speaker)
    cue = first_cue(stripped)
    if cue is not None and _OPEN_RELATIVE.search(stripped[: cue.start()]):
        # “…,” Cruz, who has proposed repealing it, said: the verb of the relative
        # clause is not the attribution's (unless the clause never closes).
        later = (
            c
            for c in cues(stripped, cue.end())
            if not _OPEN_RELATIVE.search(stripped[: c.start()])
        )
        cue = next(later, cue)
    if cue is None or _NOUN_AFTER.search(stripped[: cue.start()]):
        return None  # “…,” a reference to the drones: a noun, not a verb of saying
    if cue.group() == "according":
        # “…,” even in the worst storms, according to the Tribune: its source follows.
        match = _ACCORDING_TO.match(stripped, cue.start())
        if match is None or not _is_a_source(match["speaker"]):
            return None
        speaker = cast.resolve(match["speaker"])
        return speaker and (stripped[: match.end("speaker")], speaker)
    subject = stripped[: cue.start()].strip(" ,")
    if subject and subject.split()[0].endswith("ing") and subject[:1].islower():
        return None  # “…,” drawing jeers and chants: a participle's, not a speaker
    rest = stripped[cue.end() :].lstrip()
    if (
        subject
        and subject.split()[0] in _NOT_A_SPEAKER_START
        and cue.group() in _SPEECH_VERBS
        and rest[:1].isupper()
    ):
        # “…” for the union, said Jane Smith: the words after the quote end its sentence,
        # and the speaker follows the verb.
        subject = ""
    if not subject:
        if cue.group().endswith("ing"):
            # “…,” referencing the exiles in the city: a participle shares the subject of
            # the sentence's main clause, which stands before the quote.
            return None
        if cue.group() not in _SPEECH_VERBS and not (
            rest[:1].isupper() or rest.startswith("the ")
        ):
            return None
        # “…,” said Jane Smith, a spokeswoman for the ministry.
        speaker = cast.resolve(_object(stripped[cue.end() :]))
        return speaker and (stripped.rstrip(" .,;"), speaker)
    if len(subject.split()) > _SUBJECT_MAX_WORDS or subject.split()[0] in _CONJUNCTIONS:
        # “…” and called on its supporters: the quote is the object of a verb before it.
        return None
    if embedded and (
        subject.split()[0].lower() in _SUBORDINATE_OPENINGS or _CLAUSE_BREAK.search(subject)
    ):
        # Sims said he was “on the fence” until Haley said…, Cruz would make sand “glow in
        # the dark,” for instance, and Trump vowed…: a quote inside a sentence is its
        # lead-in's, and a cue after it the verb of another clause.
        return None
    if match := _QUOTED_AS_SAYING.search(stripped):
        # “…,” the newspaper quoted a deputy minister as saying.
        speaker = cast.resolve(match["speaker"])
        return speaker and (stripped.rstrip(" .,;"), speaker)
    speaker = cast.resolve(subject)
    if speaker is None:
        return None
    end = cue.end()
    return stripped[:end].strip(), speaker


def _unlisted_verb_after(tail, cast):
    """“…,” Toomey fumed.  “…,” an angry Hollande retaliated.  A quote that closes on a
    comma goes on into its attribution, whatever the verb: one too rare for the lexicon
    still has the speaker as its subject, a few words at most."""
    words = _first_sentence(tail).strip(" ,").split()
    if len(words) > 1 and words[0].endswith("ed") and _NAMES_FOLLOW.match(" ".join(words[1:3])):
        # “…,” opined the Plain Dealer's editors / opined Cleveland's Plain Dealer
        speaker = cast.resolve(_object(" ".join(words[1:])))
        if speaker is not None and _is_named(speaker):
            return " ".join(words).rstrip(" ,."), speaker
    for index, word in enumerate(words[: _UNLISTED_SUBJECT_WORDS + 1]):
        if word[:1].isupper() or word in ("the", "a", "an"):
            continue
        if index and (word.endswith("ed") or word in _UNLISTED_VERBS):
            subject = " ".join(words[:index])
            speaker = cast.resolve(subject)
            if speaker is not None and (speaker.is_person or speaker.is_organisation):
                return " ".join(words[: index + 1]).rstrip(" ,"), speaker
            if speaker is not None and subject.split()[0] in ("the", "a", "an"):
                return " ".join(words[: index + 1]).rstrip(" ,"), speaker
        if index and word not in _UNLISTED_DESCRIPTIONS:
            return None
    return None


def _lead_in(text, end, cast, start=0):
    """(attribution, speaker) from the sentence before a quote: "The ministry said: “",
    "Smith called the plan “", "According to Smith, “", "quoted a minister as saying “"."""
    window = text[max(start, end - _WINDOW) : end]
    sentence = _last_sentence(window)
    if not sentence.strip():
        return None
    if match := _ACCORDING_TO.search(sentence):
        if (speaker := cast.resolve(match["speaker"])) is not None:
            named = (
                None
                if _is_named(speaker)
                else _lead_in_named(sentence, list(cues(sentence)), cast)
            )
            if named and _names_someone(named[1]):
                return named  # "Smith said that according to its count, …"
            return match.group().strip(" ,:"), speaker
    if (match := _AS_IT_PUTS.search(sentence)) and (speaker := cast.resolve(match["speaker"])):
        # "As the Post's Jane Smith put it, the bill…: “": the speaker of the sentence
        return match.group().strip(" ,:"), speaker
    if (match := _ASKED_BY.search(sentence)) and (speaker := cast.resolve(match["speaker"])):
        # "Rubio was asked by moderator Gerard Baker whether…": the one asking
        return match.group().strip(" ,:"), speaker
    if match := _QUOTED_AS_SAYING.search(sentence):
        # The newspaper quoted a deputy minister as saying “…”
        if (speaker := cast.resolve(match["speaker"])) is not None:
            return sentence.strip(" ,:"), speaker
    if found := _named_before_colon(sentence.strip(), cast):
        return found
    found_cues = list(cues(sentence))
    for index in range(len(found_cues) - 1, -1, -1):
        cue = found_cues[index]
        if _participle_after_a_clause(sentence, cue):
            if index and _follows(sentence, found_cues[index - 1], cue):
                continue  # "Spicer said on Monday, adding, “": the cue before's subject
            # "Smith took to Twitter, writing: “": a participle's subject is its main
            # clause's.
            if found := _named_subject(sentence[: cue.start()], cast, named=False):
                return sentence.strip(" ,:"), found[1]
            continue
        if _not_the_quotes_cue(sentence, cue):
            continue
        if found := _parenthetical(sentence, cue, text[end + 1 : end + 3].lstrip(), cast):
            return found
        if index and _RELATIVE_SUBJECT.search(sentence[: cue.start()]):
            # "Cross said his options are a vote for Smith, whom he called “…”": the
            # relative clause's pronoun is the one the sentence named speaking, not the
            # name before it, which the verb is about.
            named = _lead_in_named(sentence, found_cues[:index], cast)
            if named and _is_named(named[1]):
                return named
        subject = _clause_before(sentence[: cue.start()])
        if len(subject.split()) == 2 and subject.split()[0] in ("whom", "who", "which"):
            subject = subject.split()[1]  # "Clinton, whom he called “"
        inverted = (
            sentence[: cue.start()].rstrip().endswith(",")
            and "," not in subject
            and _is_adverbial(subject)
        )
        if not subject or cue.group() in _SPEECH_VERBS and inverted:
            # Said the minister: “…”; In other words, explained the moderator: “…”
            if cue.group() in _SPEECH_VERBS:
                speaker = cast.resolve(_object(sentence[cue.end() :]))
                if speaker is not None:
                    return sentence.strip(" ,:"), speaker
            continue
        if subject.split()[0].lower() in _PRONOUN_SUBJECTS and index:
            # "Sanders said that he was hoping for a turnout that “…”": the pronoun
            # is the sentence's speaker, named before it.
            if named := _lead_in_named(sentence, found_cues[:index], cast):
                return named
        speaker = cast.resolve(subject)
        if speaker is not None:
            if not _is_named(speaker) and index:
                # "Rhodes noted that U.S. officials have been talking… and “…”": the
                # one named reporting it, not those in what is reported.
                named = _lead_in_named(sentence, found_cues[:index], cast)
                if named and _names_someone(named[1]):
                    return named
                if reporter := _reporter_before(sentence, found_cues[:index], cast):
                    return reporter
            attribution = sentence[sentence.rfind(subject, 0, cue.start()) :].strip()
            return attribution.rstrip(" ,:").removesuffix(" that").strip(), speaker
    return _lead_in_without_cue(sentence, cast)


def _parenthetical(sentence, cue, quoted, cast):
    """ "The plan, Smith said, is “…”", "The mayor, an aide said, “is confident”", "The
    paradox, says Jane Smith, a historian, is that it was “…”": an attribution set off by
    commas inside the sentence it reports, which goes on after it. (Not "Jane Smith, a
    spokeswoman, said, “We…”": a statement of its own follows that one's comma.)"""
    before, after = sentence[: cue.start()], sentence[cue.end() :]
    head = _OPENING_MARK.split(after, maxsplit=1)[0]  # up to a quote earlier in the sentence
    if "," not in head:
        return None
    rest = after[head.rfind(",") + 1 :]
    # (A quote's words masked as "xxx" show no case: it must start with a lower-case word.)
    if not (rest.strip() or quoted[:1].islower() and quoted[:1] != "x"):
        return None
    if after.startswith(",") and "," in before:
        # The subject between the commas, then the verb: "…, an aide said, …"
        opening, subject = before.rsplit(",", 1)
        subject = subject.strip()
        if not opening.strip() or not 0 < len(subject.split()) <= 6 or head.count(",") > 1:
            return None
        if re.search(r"[“”\"]", subject) or _is_adverbial(subject):
            return None
        speaker = cast.resolve(subject)
        return speaker and (f"{subject} {cue.group()}", speaker)
    if before.rstrip().endswith(",") and _INVERTED_VERB.fullmatch(cue.group()):
        # The verb, then who: "…, says Jane Smith, a historian, …"
        words = head[: head.rfind(",")]
        if not words.strip() or not words.lstrip()[:1].isupper() or re.search(r"[“”\"]", words):
            return None
        speaker = cast.resolve(_object(words))
        return speaker and (f"{cue.group()}{words}", speaker)
    return None


def _reporter_before(sentence, found_cues, cast):
    """ "The judge pointed to a case to say that courts must weigh “…”": a cue reporting a
    "that" clause makes what follows it reported, and the one reporting is the subject of
    its clause (of the main clause, for an infinitive), named or not."""
    for cue in found_cues:
        if not re.match(r"\s+that\b", sentence[cue.end() :]):
            continue
        before = sentence[: cue.start()]
        if before.rstrip().endswith(" to"):
            subject = _opening_subject(_last_sentence(before))  # "The judge pointed … to say"
        else:
            subject = _clause_before(before)
        if subject and (speaker := cast.resolve(subject)) is not None:
            attribution = sentence[sentence.rfind(subject, 0, cue.start()) : cue.end()]
            return attribution.strip(), speaker
        return None
    return None


def _is_named(speaker):
    return speaker.is_person or speaker.is_organisation


def _names_someone(speaker):
    """Whether a speaker is named surely enough to prefer: not one capitalised word that
    only opens a sentence ("In", "Specifically")."""
    name = speaker.name.split()
    if (
        len(name) == 1
        and name[0].lower() in _NOT_A_SUBJECT_OPENING | _LEADING_ADVERBIALS | LEADING_WORDS
    ):
        return False
    return _is_named(speaker)


def _participle_after_a_clause(sentence, cue):
    """ "…wasn't a problem, noting that “", "…for president while adding “": a participle
    after a comma or a subordinator, whose subject is the main clause's, not the words
    before it."""
    before = sentence[: cue.start()].rstrip()
    if not cue.group().endswith("ing"):
        return False
    return before.endswith(",") or before.endswith((" while", " before", " after", " by"))


def _follows(sentence, earlier, cue):
    """Whether only a few words of when and where stand between two cues."""
    between = sentence[earlier.end() : cue.start()].strip(" ,")
    return len(between.split()) <= 4 and not re.search(r"[“”\"]", between)


def _not_the_quotes_cue(sentence, cue):
    """ "After Brown criticized him, Clinton shot back, “": a cue in a subordinate clause
    the sentence has left is not the quote's."""
    sentence = sentence.lstrip()
    opening = _SUBORDINATE_CLAUSE.match(sentence) or _PARTICIPLE_OPENING.match(sentence)
    if opening is None or "," in sentence[: cue.start()]:
        return False
    rest = sentence[cue.end() :]
    if "," not in rest or not rest[rest.index(",") + 1 :].strip():
        return False
    # "As Politico reported, “…”" is an attribution; "As Brown spoke, the NRA…" is not.
    return opening.group().strip() != "As" or bool(rest[: rest.index(",")].strip())


def _subject_of_sentence(masked, before, run, cast):
    """ "Former Gov. Mike Huckabee is labeling the order “…”", "Sanders also pledged to
    “…”": a quote inside a sentence with no cue word is the words of the sentence's
    subject, when that is someone named, whatever the verb."""
    # The whole sentence, quotes before this one masked: "Clinton supports “…,” opposes “…”"
    sentence = _last_sentence(masked[max(0, run.start - _WINDOW) : run.start])
    if not sentence.strip():
        return None
    found = _named_subject(sentence, cast) or _document_subject(sentence, cast)
    return found and found[1]


def _described_or_unattributed(paragraphs, number, run, statements, found, cast, masked):
    speaker = _unattributed(paragraphs, number, run, statements, found, cast)
    return speaker and (_described_subject(masked, run, cast) or speaker)


def _described_subject(masked, run, cast):
    """ "The Christian leader further related that…“…”", "His campaign protested that
    … “…”": a subject described rather than named is the quote's, as a named one is."""
    sentence = _last_sentence(masked[max(0, run.start - _WINDOW) : run.start])
    found = _named_subject(sentence, cast, named=False) if sentence.strip() else None
    if found is None or not _DESCRIBED.match(found[0]):
        return None
    return found[1]


def _document_subject(sentence, cast):
    """ "The complaint alleged that the party “…”", "One such document includes a clause
    that “…”": a sentence whose subject is a document quotes it (its issuer's words, when
    the text shows who issued one of its kind)."""
    parts = [part.strip() for part in re.split(r",|\s[—–-]\s|:", sentence)]
    while len(parts) > 1 and _is_adverbial(parts[0]):
        parts.pop(0)
    subject = _words_before_verb(parts[0].split(), named=False, plurals=True)
    phrase = " ".join(subject or [])
    if not phrase or not DOCUMENT.fullmatch(phrase):
        return None
    speaker = cast.resolve(phrase)
    return speaker and (phrase, speaker)


def _named_subject(sentence, cast, *, named=True):
    """(words, speaker) for the person or organisation a sentence opens on, past its
    adverbials ("On Monday,", "Taking it in,", "After Brown spoke,"), or None; someone
    named only, unless `named` is False ("A campaign official later said…")."""
    parts = [part.strip() for part in re.split(r",|\s[—–-]\s|:", sentence)]
    while len(parts) > 1 and _is_adverbial(parts[0]):
        parts.pop(0)
    words = parts[0].split()
    if len(words) > 1 and words[0] in ("He", "She", "he", "she"):
        speaker = cast.resolve(words[0])
        return speaker and (words[0], speaker)
    if (
        named
        and words[:1] == ["The"]
        and (whole := _words_before_verb(words, named=False, plurals=True))
    ):
        # "The Sanders campaign projects": a body, named with its lower-case noun
        body = cast.resolve(" ".join(whole)) if any(w[:1].isupper() for w in whole[1:]) else None
        if body is not None and body.is_organisation and len(whole) < len(words):
            return " ".join(whole), body
    subject = _words_before_verb(words, named=named)
    if subject is None:
        return None
    if len(subject) == len(words):
        # "Jane Smith, a spokeswoman for the ministry, who…, told…": the descriptions
        # between the name and its verb say who she is.
        for part in parts[1:]:
            first = part.split()[0] if part else ""
            if first[:1].islower() and _is_verb_like(first, plurals=True):
                break
            if not first:
                return None  # no verb after it: a heading or a name alone
            subject.append(f", {part}")
        else:
            return None
    phrase = " ".join(subject).replace(" ,", ",")
    if re.search(r"[“”\"]", phrase):
        return None  # "Trump's “excesses” are": words quoted, not someone
    speaker = cast.resolve(phrase)
    if speaker is None:
        return None
    if not named:
        return phrase, speaker
    if not (speaker.is_person or speaker.is_organisation):
        return None
    name = speaker.name.split()
    capitals = [word for word in name if len(word) > 1 and word.isupper()]
    if len(name) < 2 and not capitals:
        return None  # "Guns are", "Specifically": one capital opening the sentence
    if len(capitals) > 1 or re.search(r"['’]s\s[a-z]", phrase) and speaker.is_organisation:
        return None  # a heading in capitals; "Trump's attacks stand out": a thing
    return phrase, speaker


def _words_before_verb(words, *, named=True, plurals=None):
    """The words of a clause before its verb, ending on a name ("Republican candidate
    Donald Trump quickly took…" → its first four), or None when they name no one."""
    subject = []
    while len(words) > 1 and words[0].lower() in _LEADING_ADVERBS:
        words = words[1:]  # "Even a top strategist said", "But Smith called"
    for word in words:
        described = subject and subject[-1] in ("A", "An", "The", "a", "an", "the")
        if (
            word[:1].islower()
            and not described
            and (
                _is_verb_like(word, named if plurals is None else plurals)
                or word in _PLACE_AND_TIME
            )
        ):
            break  # not "A flabbergasted Noah": a description after its article
        subject.append(word)
    if named:
        while subject and not _NAME_WORD.fullmatch(subject[-1].rstrip(",")):
            subject.pop()
    if not subject or named and subject[0].lower() in _NOT_A_SUBJECT_OPENING:
        return None
    if subject[-1].endswith(("’s", "'s")):
        return None  # "Bill Clinton’s stock answer": whose, not who
    return subject


def _is_verb_like(word, plurals=True):
    """Whether a lower-case word after a subject is likely its verb (or an adverb before
    it). With `plurals`, any word in -s: "The campaign projects"; without, "Hundreds of
    demonstrators marched" keeps its noun."""
    word = word.strip(",.;:")
    return (
        word in _AUXILIARIES
        or word in _ADVERBS
        or word in _COMMON_PAST_TENSES
        or word.endswith(("ed", "ly"))
        or (plurals and word.endswith("s") and not word.endswith(("ss", "us", "is")))
    )


def _is_adverbial(part):
    words = part.split()
    if not words:
        return True
    if words[0].isupper() and len(words[0]) > 2 or _MONTH.fullmatch(words[0]):
        return True  # a dateline: "WASHINGTON", "Dec. 8 (UPI)"
    if _SUBORDINATE_CLAUSE.match(part):
        return True
    # "Taking it in", "Reached by reporters", "Less than an hour later"
    if len(words) > 1 and words[0].endswith(("ing", "ed")) and words[1][:1].islower():
        return True
    if words[-1].lower() in ("later", "earlier", "ago", "afterward", "afterwards"):
        return True
    return words[0].lower() in _LEADING_ADVERBIALS | LEADING_WORDS


def _named_before_colon(stripped, cast):
    """ "…, to which O'Malley interjected:", "…, and then Wallnau continues:": the name just
    before the verb of the clause that hands over to the quote."""
    if not stripped.endswith(":"):
        return None
    words = re.split(r"[,;—–]|\s-\s", stripped[:-1])[-1].split()
    if len(words) > 2 and words[-1][:1].islower() and words[-1].endswith(("ed", "es", "ues")):
        name = list(itertools.takewhile(_NAME_WORD.fullmatch, reversed(words[:-1])))[::-1]
        if name and words[0][:1].islower():
            speaker = cast.resolve(" ".join(name))
            if speaker is not None and speaker.is_person and len(speaker.name.split()) > 1:
                return stripped.rstrip(" :"), speaker
    return None


def _lead_in_without_cue(sentence, cast):
    """ "Said Comey, “…”" (the cue word capitalised, so no cue), "Donald Trump: “…”",
    "Scarborough engaged: “…”": a lead-in the cue words miss, naming a person."""
    stripped = sentence.strip()
    if match := _SAID_OPENING.match(stripped):
        speaker = cast.resolve(_object(match["speaker"]))
        return speaker and (stripped.rstrip(" ,:"), speaker)
    if not stripped.endswith(":"):
        return None
    words = re.split(r"[,;—–]|\s-\s", stripped[:-1])[-1].split()
    if found := _named_before_colon(stripped, cast):
        return found
    if words and (words[-1].endswith("ed") and not words[-1][:1].isupper()):
        words = words[:-1]  # "Scarborough engaged:"
        if 1 < len(words) <= 4 and words[0] in ("the", "a", "an", "The", "A", "An"):
            # "the Christie supporter retorted:": someone unnamed, described (a capital
            # inside names whom they support, not an organisation speaking)
            described = " ".join([words[0].lower(), *words[1:]])
            if any(word[:1].isupper() for word in words[1:]):
                return stripped.rstrip(" :"), Speaker(described)
            speaker = cast.resolve(described)
            return speaker and (stripped.rstrip(" :"), speaker)
    if not words or not all(_NAME_WORD.fullmatch(word) for word in words[-2:]):
        return None
    if len(words) > 8:
        # "…doesn't surprise Republican pollster Daron Shaw:": the name before the colon
        name = list(itertools.takewhile(_NAME_WORD.fullmatch, reversed(words)))[::-1]
        words = name if 2 <= len(name) <= 4 else []
    if len(words) > 4 and not re.match(r"(?:[Ff]ormer|[A-Z][\w.-]*)$", words[0]):
        return None  # "Former secretary of state Jane Smith:" but not a clause ending on a name
    speaker = cast.resolve(" ".join(words))
    if speaker is not None and speaker.is_person:
        return stripped.rstrip(" :"), speaker
    return None


def _lead_in_named_before(masked, paragraph, end, cast):
    """The named speaker of the sentence before `end`, with the words that name them."""
    sentence = _last_sentence(masked[max(0, end - _WINDOW) : end])
    if not sentence.strip():
        return None
    # "Fallon fired back: “…,” he wrote": the sentence's subject, whatever its verb
    found = _lead_in_named(sentence, list(cues(sentence)), cast) or _named_subject(sentence, cast)
    if not found:
        return None
    at = masked.rfind(found[0], 0, end)
    return (paragraph[at : at + len(found[0])] if at >= 0 else "", found[1])


def _lead_in_named(sentence, found_cues, cast):
    """The last of these cues whose subject names a person or an organisation."""
    for cue in reversed(found_cues):
        if _not_the_quotes_cue(sentence, cue):
            continue
        subject = _clause_before(sentence[: cue.start()])
        if not subject and cue.group() in _SPEECH_VERBS:
            # "“Safety,” said Grimm, a Trump supporter. “…”"
            speaker = cast.resolve(_object(sentence[cue.end() :]))
            if speaker is not None and _is_named(speaker):
                return sentence[cue.start() :].strip(" ,:."), speaker
        if subject and (speaker := cast.resolve(subject)) is not None:
            if speaker.is_person or speaker.is_organisation:
                attribution = sentence[sentence.rfind(subject, 0, cue.start()) :].strip()
                return attribution.rstrip(" ,:").removesuffix(" that").strip(), speaker
            return None
    return None


def _clause_before(text):
    """The subject before a cue verb: the text since the last clause break ("; ", " and ",
    a closing quotation mark), at most a sentence's subject long."""
    whole = text.rstrip()
    # A title quoted in the subject ("Hemsley, the co-author of “Going Viral,” said")
    # ends no clause, and its comma parts no description.
    text = title_commas_outside(whole)
    inside = [range(m.start(), m.end()) for m in titles(whole)]
    cut = max(
        (
            at
            for mark in ("; ", "”", '"', " — ", " – ", ": ")
            for at in _places(text, mark)
            if not any(at in title for title in inside)
        ),
        default=-1,
    )
    if cut >= 0:
        whole, text = whole[cut + 1 :], text[cut + 1 :]
    subject = _subject_in_clause(text)
    at = text.rfind(subject) if subject else -1
    return whole[at : at + len(subject)] if at >= 0 else subject


def _places(text, mark):
    at = text.find(mark)
    while at >= 0:
        yield at
        at = text.find(mark, at + 1)


def _subject_in_clause(text):
    first = text.split(",", 1)[0].split()
    if (
        (match := _NAME_AND_APPOSITIVE.match(text))
        and 0 < len(first) <= 5
        and not _is_adverbial(first[0])
        and all(_NAME_WORD.fullmatch(word) for word in first)
        and len(match["rest"].split()) <= 3
        and not any(word[:1].isupper() for word in match["rest"].split())
    ):
        # "Zimmerman, who identifies as Hispanic, told", "O'Malley, who signed gun laws as
        # governor, interjected to say": the conjunctions stand in what the text says
        # about the name.
        return match["subject"]
    for conjunction in (" and ", " but ", " while ", " when ", " because ", " as ", " that "):
        index = text.rfind(conjunction)
        rest = text[index + len(conjunction) :]
        if index < 0 or len(rest.split()) > 6 or rest.startswith("well"):
            continue  # "as well" is no conjunction
        if conjunction in (" and ", " but ") and set(rest.lower().split()) <= _ADVERBS:
            # "Massie backed Paul, but now said": the clause shares the sentence's subject.
            text = _opening_subject(text[:index])
            break
        # "Kurdish and Sunni blocs" is one subject; "… and she said" starts another.
        if conjunction != " and " or re.match(r"(?:he|she|they|it|we|i|the|a|an)\b", rest, re.I):
            text = rest
            break
    if "," in text.rstrip(" ,"):
        # "The two will meet next week, Spicer said": the name after the reported clause
        # (not "Jane Smith, of Sumter, South Carolina, said": a name and where from).
        first, last = text.split(",", 1)[0].split(), text.rstrip(" ,").rsplit(",", 1)[1].split()
        clause = any(w[:1].islower() and _is_verb_like(w, plurals=False) for w in first)
        if clause and 0 < len(last) <= 4 and all(_NAME_WORD.fullmatch(word) for word in last):
            text = " ".join(last)
    words = text.split()
    if not words or len(words) > _SUBJECT_MAX_WORDS:
        return ""
    return text.strip(" ,")


def _opening_subject(clause):
    """The words a clause opens on, up to its verb: "House Republican Thomas Massie" of
    "House Republican Thomas Massie used to back Paul"."""
    words = []
    for word in clause.split():
        if word[:1].islower() and (word.endswith("ed") or word in _AUXILIARIES):
            break
        words.append(word)
    return " ".join(words).strip(" ,")


def _object(text):
    """The speaker named after an inverted cue: "said Jane Smith, a spokeswoman, on
    Monday" → "Jane Smith, a spokeswoman"."""
    text = _INLINE_TITLE.sub(lambda m: m["title"], text)
    text = re.split(r"[:;“”\"]", text, maxsplit=1)[0]
    text = re.split(r"\s+(?:on|in|at|during|after|before|last|this)\s+[A-Z]?[a-z]*day\b", text)[0]
    name, comma, role = text.partition(",")
    if relative := _RELATIVE_CLAUSE.search(name):
        # "said a Mexican official who was not authorized to speak": who they are
        name, comma, role = name[: relative.start()], ",", name[relative.start() :] + comma + role
    # "said Robby Mook in a statement", "said Carly Fiorina during the debate": after a
    # name, such words open when and where it was said, not who said it.
    for match in _AFTER_A_NAME.finditer(name):
        if name[: match.start()].split()[-1:] and name[: match.start()].split()[-1][0].isupper():
            name = name[: match.start()]
            break
    return f"{name}{comma}{role}".strip(" ,.")


def _continues_split(paragraph, before, run, after, statement):
    """“We will,” he said, “fight on.”  One statement in two runs: the text between them
    is the first one's attribution, and the second has no attribution of its own."""
    if statement.runs[-1] is not before or statement.attributed_by != "after":
        return False
    gap = paragraph[before.end : run.start].strip(" ,.;:—–-")
    if gap != statement.attribution.strip(" ,.;:"):
        return False
    tail_end = after.start if after is not None else len(paragraph)
    tail = _first_sentence(paragraph[run.end : min(tail_end, run.end + _WINDOW)])
    return not (first_cue(tail) and tail.strip(" ,.")[:1].islower())


def _runs(number, paragraph):
    """The double-quoted runs of a paragraph; single quotes are scare quotes or nested."""
    runs, start, closing = [], None, None
    for mark in _MARKS.finditer(paragraph):
        index, character = mark.start(), mark.group()
        if start is None:
            if character != _CLOSING:
                start, closing = index, _CLOSING if character == _OPENING else _STRAIGHT
        elif character == closing:
            runs.append(_Run(number, start, index + 1, paragraph[start + 1 : index], True))
            start = None
    if start is not None:
        runs.append(_Run(number, start, len(paragraph), paragraph[start + 1 :], False))
    return [run for run in runs if _trim(run.text)]


def _trim(text):
    # The comma before the closing mark belongs to the attribution that follows.
    return text.strip().removesuffix(",").rstrip()


def _first_sentence(text):
    """The text up to its first sentence end, abbreviations ("Sen.", "D.C.") aside."""
    for match in _SENTENCE_END.finditer(text):
        if not _is_abbreviation(text, match.start()):
            return text[: match.start()]
    return text


def _last_sentence(text):
    """The text after the last sentence end, abbreviations ("U.S.", "Gen.") aside."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text) and not _is_abbreviation(text, match.start()):
            start = match.end()
    return text[start:]


def _is_abbreviation(text, index):
    if text[index] != ".":
        return False
    word = re.search(r"([A-Za-z]+)$", text[max(0, index - 20) : index])
    return bool(word) and (word[1].lower() in _ABBREVIATIONS or len(word[1]) == 1)
