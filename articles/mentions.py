"""Which organisations a text names, by their names and aliases.

Pure: built from (organisation id, names) pairs, no database. One Aho–Corasick automaton
holds every name, so a scan costs the same whether there are ten organisations or ten
thousand. `articles.services.organisation_matcher()` keeps one built for the database.
"""

import bisect
import re
from dataclasses import dataclass

import ahocorasick

_RUNS_OF_SPACE = re.compile(r"\s{2,}")
_ONE_SPACE = str.maketrans(dict.fromkeys("\t\n\r\f\v\u00a0\u2028\u2029", " ") | {"’": "'"})


@dataclass(frozen=True)
class Mention:
    start: int  # offsets into the text given to find()
    end: int
    organisation_id: int
    name: str  # the name or alias it matched, as the organisation spells it


class MentionMatcher:
    """Finds names case-insensitively, across line breaks and before possessives, never
    inside another word, and prefers the longest name where two overlap."""

    def __init__(self, organisations):
        """`organisations`: (id, names) pairs. A name two organisations share goes to the
        first one given."""
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        for organisation_id, names in organisations:
            for name in names:
                key = _fold(name)
                if key.strip() and key not in self._automaton:
                    self._automaton.add_word(key, (len(key), organisation_id, name))
                    self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def find(self, text):
        """The mentions in `text`, in order, none overlapping."""
        if not self.size or not text:
            return []
        folded, to_original = _fold_with_offsets(text)
        candidates = []
        for last, (length, organisation_id, name) in self._automaton.iter(folded):
            start, end = last - length + 1, last + 1
            if _is_word_edge(folded, start - 1) and _is_word_edge(folded, end):
                candidates.append((start, -length, organisation_id, name))
        # Leftmost first, and at one place the longest: "Iraqi Popular Mobilization Units"
        # wins over "Iraqi", and nothing inside a match is counted again.
        candidates.sort()
        mentions, taken_to = [], 0
        for start, negative_length, organisation_id, name in candidates:
            if start < taken_to:
                continue
            end = start - negative_length
            mentions.append(
                Mention(to_original(start), to_original(end - 1) + 1, organisation_id, name)
            )
            taken_to = end
        return mentions

    def organisation_ids(self, text):
        return {mention.organisation_id for mention in self.find(text)}


def _fold(text):
    return " ".join(text.translate(_ONE_SPACE).split()).lower()


def _is_word_edge(text, index):
    return index < 0 or index >= len(text) or not (text[index].isalnum() or text[index] == "_")


def _fold_with_offsets(text):
    """The text lower-cased with each run of whitespace as one space, and a function
    mapping an offset in it back to the original text."""
    spaced = text.translate(_ONE_SPACE)
    lowered = spaced.lower()
    if len(lowered) != len(spaced):
        # A few characters ("İ") grow when lower-cased; keep those as they are so that
        # offsets still line up.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in spaced)
    breaks, shifts, pieces, position, removed = [], [], [], 0, 0
    for run in _RUNS_OF_SPACE.finditer(lowered):
        pieces.append(lowered[position : run.start() + 1])
        removed += len(run.group()) - 1
        breaks.append(run.start() + 1 - (removed - len(run.group()) + 1))
        shifts.append(removed)
        position = run.end()
    if not breaks:
        return lowered, lambda offset: offset
    pieces.append(lowered[position:])

    def to_original(offset):
        index = bisect.bisect_right(breaks, offset) - 1
        return offset + (shifts[index] if index >= 0 else 0)

    return "".join(pieces), to_original
