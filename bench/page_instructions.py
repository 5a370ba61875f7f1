"""CPU instructions per uncached page request, counted under valgrind: a figure that
does not drift. Uncached as in http_bench.py: the page cache is off, the fragment cache
(the appeal box) on.

Run by hand from the project root (needs Debian's `valgrind` package):

    .venv/bin/python bench/page_instructions.py                  # 1k articles
    .venv/bin/python bench/page_instructions.py --sizes 1000,100000 --requests 20
    .venv/bin/python bench/page_instructions.py --database /tmp/bench-1000.sqlite3

`--database` measures an existing benchmark database (one `http_bench.py` or this script
built) instead of building one: the way to compare two versions of the code on exactly
the same rows, since each build names its demo rows afresh.

On this shared 2-core machine the same code gives req/s a fifth apart from one minute
to the next, and timings inside one process move almost as much, so a change that saves
5 % cannot be seen in either. The number of instructions a request executes is the same
from run to run to within 0.1 %. For each page this runs Django in one process under
cachegrind (no cache simulation): once warming every page and then requesting the page
`--requests` times, and once only warming; the difference divided by the requests is
the page's cost in instructions, with interpreter start-up and warm-up taken out.
The garbage collector is off while the page is requested: a full collection (some
100 M instructions) falls inside one version's requests and not the other's, which
moved the figure by up to 6 % between two versions of the code; and the hash seed is
fixed, so sets iterate in the same order every run.
It prints millions of instructions per request, and the ratio between sizes.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from http_bench import PAGES, PYTHON, ROOT, base_env, build_database, busy_pages, manage

# Run in `manage.py shell`: warm every page twice, then request one page `count` times.
REQUESTS = """
import gc
import json
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

settings.PAGE_CACHE_SECONDS = 0
pages, target, count = json.loads({arguments!r})
reader, staff = Client(), Client()
staff.force_login(User.objects.get(username="bench"))
def get(url):
    client = staff if url.startswith("/admin/") else reader
    assert client.get(url).status_code == 200, url
for url in pages.values():
    get(url)
    get(url)
gc.collect()
gc.disable()
for _ in range(count):
    get(pages[target])
"""


def instructions(database, target, count):
    env = base_env(database)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    env["PYTHONHASHSEED"] = "0"
    script = REQUESTS.format(arguments=json.dumps([PAGES, target, count]))
    result = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            script,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"I\s+refs:\s+([\d,]+)", result.stderr).group(1).replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--requests", type=int, default=20, help="requests of each page")
    parser.add_argument("--database", type=Path, help="an existing benchmark database")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("page_instructions: valgrind is not installed (apt-get install valgrind)")
    if args.database and not args.database.is_file():
        sys.exit(f"page_instructions: no database at {args.database}")
    sizes = ["given"] if args.database else [int(size) for size in args.sizes.split(",")]
    counts = {}
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as scratch:
        for size in sizes:
            if args.database:
                database = args.database.resolve()
                manage(base_env(database), "collectstatic", "--noinput", "--verbosity", "0")
            else:
                print(f"Building {size:,} articles…", file=sys.stderr)
                database = build_database(Path(scratch), size)
            busy_pages(database)
            # Counts do not depend on what else the machine runs, so use every core.
            with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
                baseline = pool.submit(instructions, database, "article", 0)
                runs = {
                    name: pool.submit(instructions, database, name, args.requests)
                    for name in PAGES
                }
                counts[size] = {
                    name: (run.result() - baseline.result()) / args.requests
                    for name, run in runs.items()
                }
    heads = [f"{size:,} articles" if size != "given" else args.database.name for size in sizes]
    print(f"\n| page | {' | '.join(f'{head}, M instr.' for head in heads)} |", end="")
    print(" ratio |" if len(sizes) > 1 else "")
    print(f"| --- | {' | '.join('---:' for _ in sizes)} |" + (" ---: |" if len(sizes) > 1 else ""))
    for name in PAGES:
        cells = " | ".join(f"{counts[size][name] / 1e6:.1f}" for size in sizes)
        ratio = (
            f" {counts[sizes[-1]][name] / counts[sizes[0]][name]:.2f}× |" if len(sizes) > 1 else ""
        )
        print(f"| {name} | {cells} |{ratio}")


if __name__ == "__main__":
    main()
