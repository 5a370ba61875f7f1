"""Direct quotes and their speakers, measured on PolNeAR: real 2016 US news, every
attribution annotated by hand (Newell, Margolin & Ruths, LREC 2018).

The measure is issue 17's, so figures compare:
- gold quotes: each run of text between double quotation marks (“…” or "…"; a run ends
  at its closing mark or at the end of its paragraph) of 4 or more words whose words all
  lie inside an attribution's Content span, with that attribution's Source span (the
  smallest such Content when attributions nest);
- a found quote matches a gold one when it holds at least 80 % of the gold one's words;
  it is right (precision) when at least 80 % of its own words stand between quotation
  marks on the page;
- speaker accuracy, on the matched gold quotes whose Source is a name and not a pronoun:
  right when at least half of the Source's words, less the, a, of, for, in, on, and, to,
  at, appear among the words of the speaker the quote was given (its name, role and
  organisation).
Words are runs of letters and digits (an apostrophe inside one keeps it whole), compared
by their place on the page; for the speaker, case-folded and without a possessive 's.

The corpus is copyrighted news: it stays in ../shared and nothing of it is written here.

    .venv/bin/python bench/quotes_eval.py --split dev [--half A|B] [--show-misses N]
"""

import argparse
import bisect
import hashlib
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.importer import ArticleImportError, parse  # noqa: E402
from articles.quote_text import SPLIT_QUOTE_JOINER  # noqa: E402

CORPUS = Path("shared") / "corpora" / "polnear"
MIN_GOLD_WORDS = 4
MATCH_SHARE = 0.8
SPEAKER_SHARE = 0.5
STOP_WORDS = {"the", "a", "of", "for", "in", "on", "and", "to", "at"}
PRONOUNS = {
    "he", "she", "they", "it", "who", "i", "we", "you", "him", "her", "them", "his",
    "its", "their", "which", "that", "this", "one", "whom",
}  # fmt: skip
GOALS = {"precision": 0.95, "recall": 0.90, "speakers": 0.95}
ANCHORS = (
    "anchors: BBC Citron speaker F1 0.82 (PARC 3.0); Guardian spaCy model text, verb and "
    "speaker all right in 0.89 of quotes; goals P ≥ 0.95, R ≥ 0.90, speakers ≥ 0.95"
)
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_OPENING = {"“": "”", '"': '"'}


def corpus_dir(given=None):
    """../shared/corpora/polnear beside the repository (or beside a parent of it, for a
    worktree kept one level further down), unless given."""
    if given is not None:
        if not (given / "train").is_dir() and not (given / "dev").is_dir():
            sys.exit(f"PolNeAR not found in {given}")
        return given
    for parent in ROOT.parents:
        if (parent / CORPUS).is_dir():
            return parent / CORPUS
    sys.exit(f"PolNeAR not found: no {CORPUS} beside {ROOT} or any folder above it")


# --- The gold ----------------------------------------------------------------------------


def read_annotations(path):
    """The attributions of one .ann file as (content ranges, source ranges)."""
    spans, events = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T") and line.count("\t") >= 2:
            name, kind_and_ranges, _ = line.split("\t", 2)
            kind, ranges = kind_and_ranges.split(" ", 1)
            spans[name] = (
                kind,
                [tuple(int(n) for n in part.split()) for part in ranges.split(";")],
            )
        elif line.startswith("E"):
            events.append(dict(role.split(":") for role in line.split("\t")[1].split()))
    attributions = []
    for event in events:
        if "Content" not in event or event["Content"] not in spans:
            continue
        source = spans.get(event.get("Source"), (None, []))[1]
        attributions.append((spans[event["Content"]][1], source))
    return attributions


def read_annotations_of_kind(path, kind):
    """The character ranges of one kind of span ("Cue", "Source") in an .ann file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T") and line.count("\t") >= 2:
            _, kind_and_ranges, _ = line.split("\t", 2)
            span_kind, ranges = kind_and_ranges.split(" ", 1)
            if span_kind == kind:
                for part in ranges.split(";"):
                    yield tuple(int(n) for n in part.split())


def quoted_runs(text):
    """Each run between double quotation marks as (start, end) of its words, marks
    outside; a paragraph's end closes a run left open."""
    runs = []
    for paragraph in re.finditer(r"[^\n]+", text):
        start, closing = None, None
        for index in range(paragraph.start(), paragraph.end()):
            character = text[index]
            if start is None and character in _OPENING:
                start, closing = index + 1, _OPENING[character]
            elif start is not None and character == closing:
                runs.append((start, index))
                start = None
        if start is not None:
            runs.append((start, paragraph.end()))
    return runs


def words_in(words, ranges):
    """The words (by start offset, `words` in page order) that start inside the ranges."""
    starts = words.starts
    return {
        starts[i]
        for a, b in ranges
        for i in range(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b))
    }


class Words(list):
    """The page's words as (start, end), with their starts for bisecting."""

    def __init__(self, text):
        super().__init__((m.start(), m.end()) for m in _WORD.finditer(text))
        self.starts = [start for start, _ in self]


@dataclass
class Gold:
    words: set  # start offsets of its words
    source: str


def gold_quotes(text, words, attributions):
    gold = []
    for start, end in quoted_runs(text):
        run = words_in(words, [(start, end)])
        if len(run) < MIN_GOLD_WORDS:
            continue
        holders = [
            (sum(b - a for a, b in content), source)
            for content, source in attributions
            if run <= words_in(words, content)
        ]
        if holders:
            _, source = min(holders)
            gold.append(Gold(run, " ".join(text[a:b] for a, b in source)))
    return gold


# --- What the parser found ---------------------------------------------------------------


def paragraph_offsets(text, article):
    """Where each parsed paragraph's characters stand in the text: the parser only
    gathers whitespace, so the nth non-space character is the same in both."""
    visible = [index for index, character in enumerate(text) if not character.isspace()]
    offsets, seen = [], len("".join(article.headline.split()))
    for paragraph in article.paragraphs:
        places, at = [], seen
        for character in paragraph:
            if character.isspace():
                places.append(None)
            else:
                places.append(visible[at] if at < len(visible) else len(text))
                at += 1
        offsets.append(places)
        seen = at
    return offsets


def quote_ranges(article, quote, offsets):
    spans = quote.spans or list(_located_spans(article, quote))
    ranges = []
    for number, start, end in spans:
        places = [p for p in offsets[number - 1][start:end] if p is not None]
        if places:
            ranges.append((places[0], places[-1] + 1))
    return ranges


def _located_spans(article, quote):
    """For a parser that gives no spans: its text found in its paragraphs, as the writer
    falls back to doing."""
    parts = quote.text.split("\n\n")
    for number, text in enumerate(parts, start=quote.paragraph):
        if number > len(article.paragraphs):
            break
        paragraph, at = article.paragraphs[number - 1], 0
        for part in text.split(SPLIT_QUOTE_JOINER):
            start = paragraph.find(part, at)
            if start >= 0:
                yield number, start, start + len(part)
                at = start + len(part)


def speaker_words(quote):
    return _normalised(f"{quote.speaker} {quote.speaker_role} {quote.speaker_organisation}")


def _normalised(text):
    return {re.sub(r"['’]s$", "", word.casefold()) for word in _WORD.findall(text)}


def is_name(source):
    words = _WORD.findall(source)
    return bool(words) and not (len(words) == 1 and words[0].casefold() in PRONOUNS)


def speaker_right(source, quote):
    wanted = _normalised(source) - STOP_WORDS
    return bool(wanted) and len(wanted & speaker_words(quote)) >= SPEAKER_SHARE * len(wanted)


# --- Scoring -------------------------------------------------------------------------------


@dataclass
class Score:
    found: int = 0
    right: int = 0
    gold: int = 0
    matched: int = 0
    named: int = 0
    named_right: int = 0
    articles: int = 0
    failed: list = field(default_factory=list)

    def add(self, other):
        for name in ("found", "right", "gold", "matched", "named", "named_right", "articles"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed += other.failed

    @property
    def precision(self):
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self):
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self):
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speakers(self):
        return self.named_right / self.named if self.named else 1.0


def score_article(name, text, annotations, misses):
    score = Score(articles=1)
    words = Words(text)
    gold = gold_quotes(text, words, read_annotations(annotations))
    score.gold = len(gold)
    try:
        article = parse(text)
    except ArticleImportError as error:
        score.failed.append(f"{name}: {error}")
        return score
    offsets = paragraph_offsets(text, article)
    between_marks = words_in(words, quoted_runs(text))
    found = [
        (quote, words_in(words, quote_ranges(article, quote, offsets))) for quote in article.quotes
    ]
    for quote, quote_words in found:
        score.found += 1
        if quote_words and len(quote_words & between_marks) >= MATCH_SHARE * len(quote_words):
            score.right += 1
        else:
            misses.append(("wrong", name, quote.text[:160], quote.speaker))
    for item in gold:
        overlaps = [(len(item.words & w), quote) for quote, w in found]
        best, quote = max(overlaps, key=lambda o: o[0], default=(0, None))
        if best < MATCH_SHARE * len(item.words):
            misses.append(("missed", name, _text_of(text, item.words)[:160], item.source))
            continue
        score.matched += 1
        if is_name(item.source):
            score.named += 1
            if speaker_right(item.source, quote):
                score.named_right += 1
            else:
                speaker = " / ".join(
                    filter(None, (quote.speaker, quote.speaker_role, quote.speaker_organisation))
                )
                misses.append(("speaker", name, f"{item.source!r} → {speaker!r}", ""))
    return score


def _text_of(text, starts):
    first, last = min(starts), max(starts)
    return text[first : text.find(" ", last) if text.find(" ", last) > 0 else len(text)]


def half_of(name):
    """ "A" or "B": a stable half of a split, by a hash of the article's file name, to
    find rules on one half's misses and check them on the other's figures."""
    return "AB"[hashlib.sha256(name.encode()).digest()[0] % 2]


def articles(split_dir, half=None):
    annotations = defaultdict(list)
    for path in (split_dir / "attributions").glob("*.ann"):
        annotations[path.stem.rsplit("_", 1)[0]].append(path)
    for text_path in sorted((split_dir / "text").glob("*.txt")):
        files = sorted(annotations.get(text_path.stem, []))
        if half is not None and half_of(text_path.stem) != half:
            continue
        if files:  # the first annotator's file in name order
            yield text_path.stem, text_path.read_text(encoding="utf-8"), files[0]


def parse_times(texts, words=2000, rounds=20):
    """Milliseconds to parse a 2,000-word article made of whole corpus articles: the
    median CPU time (what the parser costs, whatever else the machine runs) and the median
    time on the clock."""
    page, count = [], 0
    for text in texts:
        page.append(text if not page else text.split("\n", 1)[-1])
        count += len(text.split())
        if count >= words:
            break
    page = "\n\n".join(page)
    clock, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        parse(page)
        clock.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return len(page.split()), statistics.median(cpu), statistics.median(clock)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--half", choices=("A", "B"), help="only this half of the split")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    parser.add_argument("--corpus", type=Path, help="PolNeAR's folder, if not in ../shared")
    options = parser.parse_args()
    split_dir = corpus_dir(options.corpus) / options.split

    by_publisher, misses, texts = defaultdict(Score), [], []
    for name, text, annotations in articles(split_dir, options.half):
        texts.append(text)
        by_publisher[name.split("_", 1)[0]].add(score_article(name, text, annotations, misses))
    overall = Score()
    for score in by_publisher.values():
        overall.add(score)

    split = options.split + (f" half {options.half}" if options.half else "")
    print(f"PolNeAR {split}: {overall.articles} articles, {overall.gold} gold quotes")
    print(
        f"{'publisher':<20}{'gold':>6}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}{'named':>7}{'speakers':>10}"
    )
    rows = sorted(by_publisher.items()) + [("overall", overall)]
    for publisher, s in rows:
        print(
            f"{publisher:<20}{s.gold:>6}{s.found:>7}{s.precision:>7.3f}{s.recall:>7.3f}"
            f"{s.f1:>7.3f}{s.named:>7}{s.speakers:>10.3f}"
        )
    print(ANCHORS)
    print(f"articles that fail to import: {len(overall.failed)} of {overall.articles}")
    for line in overall.failed:
        print(f"  {line}")
    words, cpu, clock = parse_times(texts)
    print(f"parse time of a {words}-word page: {cpu:.1f} ms CPU, {clock:.1f} ms on the clock")
    for kind, name, what, who in misses[: options.show_misses]:
        print(f"[{kind}] {name}: {what} | {who}")


if __name__ == "__main__":
    main()
