"""The speaker misses of one PolNeAR split, by shape, with the words around each quote, to
find the attribution shapes the parser reads wrong. Printed to the terminal only: the
corpus is copyrighted news and nothing of it is written here. Work from train's misses;
the test split is never read.

    .venv/bin/python bench/quote_misses.py --split train [--half A] [--shape SHAPE] [--context 300]
"""

import argparse
import re
from collections import Counter, defaultdict

import quotes_eval as qe

DOCUMENT_WORDS = re.compile(
    r"\b(?:statement|letter|report|memo|release|email|post|tweet|note|filing|ad|complaint"
    r"|lawsuit|document|video|message|website|site|transcript|editorial|poll|survey|study"
    r"|petition|account|headline|passage|piece|summary|sign|book|excerpts?)\b",
    re.IGNORECASE,
)


def shape(source, quote):
    """A rough name for why the speaker was counted wrong."""
    gold = qe._normalised(source) - qe.STOP_WORDS
    given = qe.speaker_words(quote)
    name = qe._normalised(quote.speaker)
    if len(gold) <= 1 and source.strip().casefold() in {"said", "asked", "according to", "o"}:
        return "annotation"
    if DOCUMENT_WORDS.search(source):
        return "document"
    if gold & name:
        return "description"  # the right person, too little of how the Source names them
    if gold & given:
        return "partly"
    if not quote.is_person and not quote.is_organisation and quote.speaker[:1].islower():
        return "unnamed"  # given a lower-case phrase: often a clause, not a speaker
    return "other-person"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "train"), default="train")
    parser.add_argument("--shape", help="only this shape")
    parser.add_argument("--half", choices=("A", "B"), help="only this half of the split")
    parser.add_argument("--context", type=int, default=300, metavar="CHARS")
    options = parser.parse_args()
    if options.split == "dev":
        print("(dev: look at its figures, not its misses, when changing rules)")
    split_dir = qe.corpus_dir() / options.split

    counts, shown = Counter(), defaultdict(list)
    for name, text, annotations in qe.articles(split_dir, options.half):
        words = qe.Words(text)
        gold = qe.gold_quotes(text, words, qe.read_annotations(annotations))
        try:
            article = qe.parse(text)
        except qe.ArticleImportError:
            continue
        offsets = qe.paragraph_offsets(text, article)
        found = [
            (quote, qe.words_in(words, qe.quote_ranges(article, quote, offsets)))
            for quote in article.quotes
        ]
        for item in gold:
            best, quote = max(
                ((len(item.words & w), q) for q, w in found), key=lambda o: o[0], default=(0, None)
            )
            if best < qe.MATCH_SHARE * len(item.words) or not qe.is_name(item.source):
                continue
            if qe.speaker_right(item.source, quote):
                continue
            kind = shape(item.source, quote)
            counts[kind] += 1
            if options.shape in (None, kind):
                first = min(item.words)
                around = text[max(0, first - options.context) : first + options.context]
                given = " / ".join(
                    filter(None, (quote.speaker, quote.speaker_role, quote.speaker_organisation))
                )
                shown[kind].append(
                    f"{name}\n  gold:  {item.source!r}\n  given: {given!r}"
                    f"  (by {quote.attribution!r})\n  text:  " + " ".join(around.split())
                )
    for kind, lines in shown.items():
        print(f"=== {kind} ({counts[kind]})")
        for line in lines:
            print(line)
    print(", ".join(f"{kind} {count}" for kind, count in counts.most_common()))


if __name__ == "__main__":
    main()
