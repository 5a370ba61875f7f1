"""How fast mention detection is, on made-up data of the sizes issue 5 sets.

1. Scanning one article of --words words against --organisations organisations with
   --aliases aliases each (goal: under 5 ms).
2. `manage.py relink_mentions` over --articles articles of --article-words words, in a
   temporary SQLite database this script builds and deletes (the goal size is 100,000).

    .venv/bin/python bench/mentions_bench.py --articles 100000

Run by hand, not in the test suite. Prints a table; record the figures in bench/README.md.
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.mentions import MentionMatcher  # noqa: E402

SYLLABLES = "ka ri mo ta zan el bar qu sin dal ur fen hal iso nar tek vo lam shi rub".split()
KINDS = "Front Brigades Council Ministry Party Movement Forces Union Agency Society".split()
WORDS = (
    "the of and to in a said that on for was with forces government troops attack "
    "base officials statement city village border talks security minister people "
    "after before during week month year Monday Tuesday report group fighters rocket "
    "strike aid families military province capital withdrawal agreement parliament"
).split()


def _word(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def make_organisations(count, aliases, rng):
    names, rows = set(), []
    while len(rows) < count:
        first, second, kind = _word(rng), _word(rng), rng.choice(KINDS)
        name = f"{first} {second} {kind}"
        if name in names:
            continue
        names.add(name)
        others = [f"{first} {second}", f"{first}-{second}", f"{second} {kind} of {first}"]
        rows.append((len(rows) + 1, name, others[:aliases]))
    return rows


def make_text(words, organisations, mentions, rng):
    text = [rng.choice(WORDS) for _ in range(words)]
    for _ in range(mentions):
        _, name, aliases = rng.choice(organisations)
        text[rng.randrange(words)] = rng.choice([name, *aliases])
    # Paragraphs and hard line breaks, as real copy has them.
    return "".join(
        word + ("\n\n" if i % 60 == 59 else "\n" if i % 13 == 12 else " ")
        for i, word in enumerate(text)
    )


def bench_scan(args, organisations, rng):
    started = time.perf_counter()
    matcher = MentionMatcher((pk, [name, *aliases]) for pk, name, aliases in organisations)
    built = time.perf_counter() - started
    text = make_text(args.words, organisations, 40, rng)
    timings, cpu, found = [], [], 0
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = len(matcher.find(text))
        cpu.append(time.process_time() - started_cpu)
        timings.append(time.perf_counter() - started)
    scan = f"scan {args.words:,} words,"
    # Wall-clock time includes waiting for the CPU on a busy machine; CPU time is the
    # scan's own cost.
    return [
        ("names in the matcher", f"{matcher.size:,}"),
        ("build the matcher", f"{built * 1000:.0f} ms"),
        (f"{scan} median", _ms(statistics.median(timings))),
        (f"{scan} 99th percentile", _ms(statistics.quantiles(timings, n=100)[98])),
        (f"{scan} slowest of {args.repeat}", _ms(max(timings))),
        (f"{scan} CPU time, 99th percentile", _ms(statistics.quantiles(cpu, n=100)[98])),
        (f"{scan} CPU time, slowest", _ms(max(cpu))),
        ("mentions found", f"{found}"),
    ]


def _ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def bench_relink(args, organisations, rng):
    directory = tempfile.mkdtemp(prefix="newsroom-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article, Organisation

    try:
        call_command("migrate", verbosity=0)
        Organisation.objects.bulk_create(
            (
                Organisation(pk=pk, name=name, slug=f"org-{pk}", aliases="\n".join(aliases))
                for pk, name, aliases in organisations
            ),
            batch_size=2000,
        )
        started = time.perf_counter()
        for start in range(0, args.articles, 2000):
            Article.objects.bulk_create(
                Article(
                    headline=f"Story {n}",
                    slug=f"story-{n}",
                    body=make_text(args.article_words, organisations, 5, rng),
                )
                for n in range(start, min(start + 2000, args.articles))
            )
        filled = time.perf_counter() - started
        started = time.perf_counter()
        out = io.StringIO()
        call_command(
            "relink_mentions", batch_size=args.batch_size, stdout=out, stderr=io.StringIO()
        )
        relinked = time.perf_counter() - started
        links = Article.organisations.through.objects.count()
    finally:
        connection.close()
        for file in Path(directory).iterdir():
            file.unlink()
        os.rmdir(directory)
    return [
        (f"build {args.articles:,} articles of {args.article_words} words", f"{filled:.1f} s"),
        (f"relink_mentions, batches of {args.batch_size}", f"{relinked:.1f} s"),
        ("articles a second", f"{args.articles / relinked:,.0f}"),
        ("links written", f"{links:,}"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--aliases", type=int, default=3, choices=[0, 1, 2, 3])
    parser.add_argument("--words", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--article-words", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(5)
    organisations = make_organisations(args.organisations, args.aliases, rng)
    rows = bench_scan(args, organisations, rng)
    if args.articles:
        rows += bench_relink(args, organisations, rng)
    width = max(len(label) for label, _ in rows)
    sys.stdout.write(
        f"{args.organisations:,} organisations with {args.aliases} aliases each\n"
        + "".join(f"{label:<{width}}  {value:>10}\n" for label, value in rows)
    )


if __name__ == "__main__":
    main()
