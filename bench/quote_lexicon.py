"""Regenerates articles/importer/cue_words.txt, the words reporters use to attribute
speech, from the Cue spans of PolNeAR's train split (`make quote-lexicon`).

A word goes in when annotators marked it part of a Cue often enough (MIN_CUES times) and
when it is mostly a cue where it occurs (MIN_CUE_SHARE of its occurrences in the text):
"said" is, "to" and "the" are not. Only the words and their counts are written, none of
the corpus' text. The dev split is never read, so the evaluation on it stays fair.

    .venv/bin/python bench/quote_lexicon.py
"""

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.quotes_eval import corpus_dir, read_annotations_of_kind  # noqa: E402

LEXICON = ROOT / "articles" / "importer" / "cue_words.txt"
MIN_CUES = 4
MIN_CUE_SHARE = 0.3
_WORD = re.compile(r"[a-z]+")


# Verbs whose past or third person the suffixes below miss.
IRREGULAR = {"said", "say", "says", "told", "tell", "tells", "wrote", "write", "writes",
             "spoke", "read", "reads", "found", "sought", "shown"}  # fmt: skip


def _is_verb_form(word, candidates):
    """A verb, as far as its form tells: "noted", "noting", "notes", or a stem whose
    inflections are cues too ("note"). Adverbs ("publicly") and nouns ("statement") the
    annotators included in Cue spans are left out."""
    if word in IRREGULAR:
        return True
    if word.endswith("ly"):
        return False
    if word.endswith(("ed", "ing")):
        return True
    stem = word[:-1] if word.endswith("s") else word
    return any(
        f"{stem}{ending}" in candidates
        for ending in ("ed", "d", "ing", "s")
        if f"{stem}{ending}" != word
    )


def main():
    split = corpus_dir() / "train"
    in_cues, in_text = Counter(), Counter()
    for path in sorted((split / "text").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        in_text.update(_WORD.findall(text.lower()))
        for annotations in sorted((split / "attributions").glob(f"{path.stem}_*.ann"))[:1]:
            for start, end in read_annotations_of_kind(annotations, "Cue"):
                in_cues.update(_WORD.findall(text[start:end].lower()))
    candidates = {
        word
        for word, count in in_cues.items()
        if count >= MIN_CUES and count >= MIN_CUE_SHARE * in_text[word] and len(word) > 1
    }
    words = sorted(word for word in candidates if _is_verb_form(word, candidates))
    LEXICON.write_text(
        "# Attribution cue words learned from PolNeAR train's Cue spans by "
        "bench/quote_lexicon.py\n# (make quote-lexicon): word, times in a Cue, "
        "share of its occurrences that were a Cue.\n"
        + "".join(f"{w}\t{in_cues[w]}\t{in_cues[w] / in_text[w]:.2f}\n" for w in words),
        encoding="utf-8",
    )
    print(f"{len(words)} cue words written to {LEXICON.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
