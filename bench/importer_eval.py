"""Precision and recall of the importer over the hand-labelled pages in tests/data/.

Each page NAME.txt has its expected reading in NAME.json: headline, paragraph count,
whether it has a caption, the appeal figures, the quotes (paragraph, speaker, text) and
the organisations it names. tests/data/organisations.json stands for the organisations
staff already know. Speakers are compared after resolving names and aliases, as
article_import() does; organisations are what article_import() would link.

    .venv/bin/python bench/importer_eval.py
"""

import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.importer import parse_file  # noqa: E402
from articles.mentions import MentionMatcher  # noqa: E402

DATA = ROOT / "tests" / "data"
GOAL = 0.95


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, expected, found):
        self.true_positives += len(expected & found)
        self.false_positives += len(found - expected)
        self.false_negatives += len(expected - found)

    @property
    def precision(self):
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self):
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


@dataclass
class Evaluation:
    pages: int
    scores: dict  # "quotes", "speakers", "organisations" → Score
    structure_errors: list  # "page: what differs"
    misses: list  # "page: expected or found item", for reading by hand


def evaluate(data=DATA):
    known = json.loads((data / "organisations.json").read_text(encoding="utf-8"))
    # Known organisations are identified by their names here, so a resolved speaker and
    # a linked organisation are both compared as names.
    known = [(row["name"], [row["name"], *row["aliases"]]) for row in known]
    known_matcher = MentionMatcher(known)
    scores = {name: Score() for name in ("quotes", "speakers", "organisations")}
    structure_errors, misses, pages = [], [], 0
    for page in sorted(data.glob("*.txt")):
        expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        parsed = parse_file(page)
        pages += 1
        structure_errors += [f"{page.name}: {e}" for e in _structure(parsed, expected)]

        speakers = {q.speaker: _resolve(q.speaker, known_matcher) for q in parsed.quotes}
        found = {
            "quotes": {(q.paragraph, _norm(q.text)) for q in parsed.quotes},
            "speakers": {(q.paragraph, _norm(speakers[q.speaker])) for q in parsed.quotes},
            "organisations": _organisations(parsed, known, known_matcher, speakers),
        }
        wanted = {
            "quotes": {(q["paragraph"], _norm(q["text"])) for q in expected["quotes"]},
            "speakers": {(q["paragraph"], _norm(q["speaker"])) for q in expected["quotes"]},
            "organisations": set(expected["organisations"]),
        }
        for name, score in scores.items():
            score.add(wanted[name], found[name])
            misses += [f"{page.name}: {name} missed {item}" for item in wanted[name] - found[name]]
            misses += [f"{page.name}: {name} extra {item}" for item in found[name] - wanted[name]]
    return Evaluation(pages, scores, structure_errors, misses)


def _structure(parsed, expected):
    if parsed.headline != expected["headline"]:
        yield f"headline {parsed.headline!r}"
    if len(parsed.paragraphs) != expected["paragraphs"]:
        yield f"{len(parsed.paragraphs)} paragraphs, not {expected['paragraphs']}"
    if bool(parsed.caption) != expected["caption"]:
        yield f"caption {parsed.caption!r}"
    appeal = parsed.appeal and {
        "goal": str(parsed.appeal.goal),
        "raised": str(parsed.appeal.raised),
        "month": parsed.appeal.campaign_month.isoformat(),
        "ticks": len(parsed.appeal.ticks),
    }
    wanted = expected["appeal"] and {
        **expected["appeal"],
        "goal": str(Decimal(expected["appeal"]["goal"])),
        "raised": str(Decimal(expected["appeal"]["raised"])),
    }
    if appeal != wanted:
        yield f"appeal {appeal}"


def _resolve(speaker, matcher):
    """The known organisation a speaker is, by name or alias, else the speaker as given."""
    mentions = matcher.find(speaker)
    if len(mentions) == 1 and (mentions[0].start, mentions[0].end) == (0, len(speaker)):
        return mentions[0].organisation_id
    return speaker


def _organisations(parsed, known, known_matcher, speakers):
    # Speakers the importer takes for organisations and nobody knows are created, then
    # found in the text like the others.
    created = {
        q.speaker for q in parsed.quotes if q.is_organisation and speakers[q.speaker] == q.speaker
    }
    matcher = MentionMatcher([*known, *((name, [name]) for name in sorted(created))])
    text = "\n\n".join([parsed.headline, parsed.caption, parsed.body])
    return matcher.organisation_ids(text)


def _norm(text):
    text = text.replace("’", "'").replace("“", "").replace("”", "").replace('"', "")
    return " ".join(text.split()).casefold().rstrip(".,")


def main():
    evaluation = evaluate()
    print(f"Importer evaluation over {evaluation.pages} pages in {DATA.relative_to(ROOT)}/")
    print(f"{'':15} {'precision':>9} {'recall':>9}   (goal {GOAL:.2f})")
    for name, score in evaluation.scores.items():
        print(f"{name:15} {score.precision:9.3f} {score.recall:9.3f}")
    for line in evaluation.structure_errors + evaluation.misses:
        print(f"  {line}")
    scores = evaluation.scores.values()
    passed = not evaluation.structure_errors and all(
        min(s.precision, s.recall) >= GOAL for s in scores
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
