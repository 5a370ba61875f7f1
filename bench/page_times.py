"""Time per uncached page at 1k and 100k articles, in one process, with no HTTP server.

Run by hand from the project root:

    .venv/bin/python bench/page_times.py                 # 1k and 100k articles
    .venv/bin/python bench/page_times.py --sizes 1000 --requests 100

`http_bench.py` measures what readers get through gunicorn, but on a shared 2-core machine
its figures move by a fifth from one minute to the next, which is as large as the 1.2x
the data-size goal allows. This script asks only how a page's own work grows with the
data: it builds the same data sets, renders each page (page cache off) in a loop inside
one Django process, and keeps the best of several rounds, which a slow spell on the
machine cannot lower. It prints milliseconds per page at each size and their ratio.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from http_bench import PAGES, build_database, busy_pages, json_from_shell

TIMER = """
import json, time
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

settings.PAGE_CACHE_SECONDS = 0
pages, requests, rounds = json.loads({arguments!r})
reader, staff = Client(), Client()
staff.force_login(User.objects.get(username="bench"))
out = {{}}
for name, url in pages.items():
    client = staff if url.startswith("/admin/") else reader
    assert client.get(url).status_code == 200, url
    best = None
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            client.get(url)
        elapsed = (time.perf_counter() - start) / requests
        best = elapsed if best is None else min(best, elapsed)
    out[name] = best * 1000
print(json.dumps(out))
"""


def time_pages(database, requests, rounds):
    script = TIMER.format(arguments=json.dumps([PAGES, requests, rounds]))
    return json_from_shell(database, script)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=200, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page; best is kept")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    times = {}
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as scratch:
        for size in sizes:
            print(f"Building {size:,} articles…", file=sys.stderr)
            database = build_database(Path(scratch), size)
            busy_pages(database)  # the busiest organisation and topic of this data set
            times[size] = time_pages(database, args.requests, args.rounds)
    print(f"\n| page | {' | '.join(f'{size:,} articles, ms' for size in sizes)} | ratio |")
    print(f"| --- | {' | '.join('---:' for _ in sizes)} | ---: |")
    for name in PAGES:
        cells = " | ".join(f"{times[size][name]:.2f}" for size in sizes)
        ratio = times[sizes[-1]][name] / times[sizes[0]][name]
        print(f"| {name} | {cells} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
