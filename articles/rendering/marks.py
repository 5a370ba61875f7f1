"""The quote marks of a stored body, read into what the Quote index holds.

Pure (no ORM): the index service, the article's validation, the data migration and
the renderer read marks the same way. See README, "How the content is modelled".
"""

import html
import re
from dataclasses import dataclass, field

from ..quote_text import SPLIT_QUOTE_JOINER
from .html import SANITISED_TAG, attributes_of, plain_text, split_blocks, tag_of

# Between the paragraphs of a statement's words in Quote.text.
PARAGRAPH_JOINER = "\n\n"
_SPEAKERS = {"data-person": "person", "data-organisation": "organisation", "data-source": "source"}
# What may stand beside a whole-paragraph statement's words: quotation marks,
# punctuation and spaces (“…,” and the like).
_NOT_WORDS = re.compile(r"[\W_]*")


@dataclass
class QuoteMark:
    """One quote as its marks in the body say it: the fields of its Quote row."""

    key: str
    speaker: tuple  # ("person", pk) | ("organisation", pk) | ("source", text)
    attribution: str = ""
    runs: list = field(default_factory=list)  # (paragraph number, words)
    position: int = 0
    is_statement: bool = False

    @property
    def paragraph(self):
        return self.runs[0][0]

    @property
    def paragraph_count(self):
        return self.runs[-1][0] - self.paragraph + 1

    @property
    def text(self):
        paragraphs = {}
        for number, words in self.runs:
            paragraphs.setdefault(number, []).append(words)
        return PARAGRAPH_JOINER.join(SPLIT_QUOTE_JOINER.join(w) for w in paragraphs.values())

    def row_fields(self):
        """The Quote columns this mark sets (speaker included)."""
        kind, value = self.speaker
        return {
            "key": self.key,
            "person_id": value if kind == "person" else None,
            "organisation_id": value if kind == "organisation" else None,
            "source": value if kind == "source" else "",
            "attribution": self.attribution,
            "text": self.text,
            "paragraph": self.paragraph,
            "paragraph_count": self.paragraph_count,
            "is_statement": self.is_statement,
            "position": self.position,
        }


@dataclass
class BodyMarks:
    marks: list
    problems: list  # one sentence each, for the editor

    @property
    def person_ids(self):
        return {m.speaker[1] for m in self.marks if m.speaker[0] == "person"}

    @property
    def organisation_ids(self):
        return {m.speaker[1] for m in self.marks if m.speaker[0] == "organisation"}


def read_marks(body):
    """The body's quotes, in the order they start, and what is wrong with their marks."""
    blocks = split_blocks(body)
    marks, problems = {}, []
    outside = {}  # paragraph number → its text outside marks, per key: "" or text
    for number, block in enumerate(blocks, start=1):
        for attributes, words, others in _runs(block):
            key = attributes["data-quote"]
            words = html.unescape(words)
            speakers = [
                (kind, _speaker_value(kind, attributes[name]))
                for name, kind in _SPEAKERS.items()
                if name in attributes
            ]
            if len(speakers) != 1:
                problems.append(
                    f"The quote “{_short(words)}” in paragraph {number} "
                    + (
                        "has no speaker: say who said it."
                        if not speakers
                        else "names more than one speaker: keep one."
                    )
                )
                continue
            mark = marks.get(key)
            attribution = html.unescape(attributes.get("data-attribution", ""))
            if mark is None:
                mark = marks[key] = QuoteMark(key, speakers[0], attribution, position=len(marks))
            elif mark.speaker != speakers[0]:
                problems.append(
                    f"The parts of one quote (“{_short(words)}”) name different speakers."
                )
                continue
            mark.attribution = mark.attribution or attribution
            mark.runs.append((number, words))
            outside.setdefault((key, number), []).append(others)
    for mark in marks.values():
        mark.is_statement = _is_statement(mark, blocks, outside)
    return BodyMarks(list(marks.values()), problems)


def _runs(block):
    """Each mark in `block`: its attributes, its words (escaped), and the block's text
    outside this mark's runs once the last run is read (else None)."""
    pieces = SANITISED_TAG.split(block)
    runs, open_mark, words, outside = [], None, [], []
    for piece in pieces:
        tag = tag_of(piece) if piece else None
        if tag and tag[1] == "q":
            if tag[0]:
                runs.append([open_mark, "".join(words)])
                open_mark, words = None, []
            else:
                open_mark = attributes_of(piece)
            continue
        if tag is None and piece:
            (words if open_mark is not None else outside).append(piece)
    # Text outside every mark of the block, for the whole-paragraph test.
    text_outside = html.unescape("".join(outside))
    return [(attributes, plain_text(w), text_outside) for attributes, w in runs]


def _is_statement(mark, blocks, outside):
    """Whether the mark covers whole <p> paragraphs, all of them its own: beside its
    words only quotation marks, punctuation and its attribution."""
    attribution = mark.attribution
    for number in range(mark.paragraph, mark.paragraph + mark.paragraph_count):
        block = blocks[number - 1]
        if not block.startswith("<p>") or (mark.key, number) not in outside:
            return False
        keys_here = {a["data-quote"] for a, _, _ in _runs(block)}
        if keys_here != {mark.key}:
            return False
        rest = outside[(mark.key, number)][-1]
        if attribution and attribution in rest:
            rest = rest.replace(attribution, "", 1)
            attribution = ""
        if not _NOT_WORDS.fullmatch(rest):
            return False
    return True


def _speaker_value(kind, value):
    return int(value) if kind != "source" else html.unescape(value)


def _short(words):
    words = " ".join(words.split())
    return words if len(words) <= 40 else f"{words[:40]}…"
