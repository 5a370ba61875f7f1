"""Every reader page and the admin at two data sizes on PostgreSQL, side by side in one run.

Run by hand from the project root, on databases built beforehand (each with migrate, the
seed fixtures and generate_demo; see bench/README.md, "A million articles"):

    .venv/bin/python bench/scale_bench.py \
        postgres://postgres@127.0.0.1:5432/newsroom_bench_10k \
        postgres://postgres@127.0.0.1:5432/newsroom_bench_1m

Two measures:
1. Server time per page: each page rendered in a loop by Django's test client inside one
   process (page cache off, so every request runs the view and its queries), the best of
   several rounds, the rounds alternating between the databases so a slow spell on the
   machine falls on both. The ratio of the large database's time to the small one's is
   what the issue bounds (1.3x).
2. Search under load: gunicorn (4 workers) on each database and wrk at 16 connections
   on the search pages, with the 95th percentile of latency (wrk's Lua summary).

It prints Markdown tables. Nothing is written to the databases but the `bench` superuser.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import harness  # bench/ is on sys.path when run as a script
from harness import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SCRATCH = Path(tempfile.mkdtemp(prefix="newsroom-scale-"))
SEED_SLUG = "us-forces-closing-some-bases-in-iraq-following-rocket-attacks-on-camp-taji"

# Which pages: the busiest organisation and topic, the newest full month, and an article
# of the generated data are looked up in each database (`_pages`), so each size is
# measured on its own heaviest case.
PAGES_SCRIPT = """
import json
from datetime import timedelta
from django.contrib.auth.models import User
from django.db.models import Count
from django.utils import timezone
from articles.models import Article, Organisation, TopicTag
User.objects.filter(username="bench").exists() or User.objects.create_superuser(
    "bench", "", "bench-password-1234")
org = Organisation.objects.annotate(n=Count("articles")).order_by("-n").first()
tag = TopicTag.objects.annotate(n=Count("tagged_articles")).order_by("-n").first()
last_month = timezone.now().replace(day=1) - timedelta(days=1)
newest = Article.objects.published().order_by("-published_at").first()
print(json.dumps({
    "front": "/",
    "front, page 50": "/?page=50",
    "article (seed)": "/articles/@SEED@/",
    "article (generated)": newest.get_absolute_url(),
    "month archive": last_month.strftime("/%Y/%m/"),
    # A month of the 10k set holds about 150 articles: page 7 is its deepest full page
    # (its "page 8" holds 9 articles and "page 50" shows that last page), so page 7
    # compares the two sizes at one depth with as many articles shown.
    "month archive, page 7": last_month.strftime("/%Y/%m/?page=7"),
    "month archive, page 50": last_month.strftime("/%Y/%m/?page=50"),
    "topic": f"/topics/{tag.slug}/",
    "organisation": f"/organisations/{org.slug}/",
    "search, an alias (Daesh)": "/search/?q=Daesh",
    "search, a common word": "/search/?q=ceasefire",
    "search, two words": "/search/?q=ceasefire+convoy",
    "admin changelist": "/admin/articles/article/",
    "admin search": "/admin/articles/article/?q=ceasefire",
}))
""".replace("@SEED@", SEED_SLUG)

TIMER_SCRIPT = """
import json, time
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

settings.PAGE_CACHE_SECONDS = 0
pages, requests = json.loads({arguments!r})
reader, staff = Client(), Client()
staff.force_login(User.objects.get(username="bench"))
out = {{}}
for name, url in pages.items():
    client = staff if url.startswith("/admin/") else reader
    status = client.get(url).status_code  # warm: connection, templates, URL cache
    assert status == 200, (url, status)
    start = time.perf_counter()
    for _ in range(requests):
        client.get(url)
    out[name] = (time.perf_counter() - start) / requests * 1000
print(json.dumps(out))
"""

# wrk prints no 95th percentile by itself; this summary does (in microseconds).
WRK_SUMMARY = """
done = function(summary, latency, requests)
  io.write(string.format("P95 %d\\nP50 %d\\nREQS %d\\nERRS %d\\n", latency:percentile(95),
    latency:percentile(50), summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def site_env(database_url):
    # harness's settings for a bench site, with the test client's host allowed.
    env = harness.site_env(database_url, SCRATCH, page_cache_seconds=0)
    env["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    return env


def shell_json(database_url, script):
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=site_env(database_url),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"manage.py shell failed on {database_url}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def server_times(databases, requests, rounds):
    """Milliseconds per page per database: the best round of each."""
    pages = {url: shell_json(url, PAGES_SCRIPT) for url in databases}
    best = {url: {} for url in databases}
    for round_number in range(rounds):
        for url in databases:
            arguments = json.dumps([pages[url], requests])
            times = shell_json(url, TIMER_SCRIPT.format(arguments=arguments))
            for name, ms in times.items():
                best[url][name] = min(ms, best[url].get(name, ms))
            print(f"round {round_number + 1}/{rounds} {url}: done", file=sys.stderr)
    return pages, best


@contextmanager
def gunicorn(database_url, workers):
    port = free_port()
    env = site_env(database_url)
    process = subprocess.Popen(
        [GUNICORN, "newsroom.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def search_load(database_url, paths, duration, connections, workers):
    rows = {}
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SUMMARY)
        script.flush()
        with gunicorn(database_url, workers) as port:
            for name, path in paths.items():
                url = f"http://127.0.0.1:{port}{path}"
                warm = ["wrk", "-t2", f"-c{connections}", "-d2s", url]
                subprocess.run(warm, capture_output=True, check=True)
                command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", script.name]
                output = subprocess.run(
                    [*command, url], capture_output=True, text=True, check=True
                ).stdout
                figures = dict(re.findall(r"^(P95|P50|REQS|ERRS) (\d+)$", output, re.M))
                rows[name] = {
                    "p50": int(figures["P50"]) / 1000,
                    "p95": int(figures["P95"]) / 1000,
                    "rps": int(figures["REQS"]) / duration,
                    "errors": int(figures["ERRS"]),
                }
    return rows


def article_count(database_url):
    return shell_json(
        database_url,
        "import json; from articles.models import Article; "
        "print(json.dumps(Article.objects.count()))",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small", help="DATABASE_URL of the small data set")
    parser.add_argument("large", help="DATABASE_URL of the large data set")
    parser.add_argument("--requests", type=int, default=20, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per search")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--skip-load", action="store_true", help="server times only")
    args = parser.parse_args()
    databases = [args.small, args.large]
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=site_env(args.small),
        check=True,
    )
    sizes = {url: article_count(url) for url in databases}
    pages, times = server_times(databases, args.requests, args.rounds)

    print(
        f"\nPostgreSQL, {platform.node()}, {os.cpu_count()} cores; "
        f"{args.rounds} rounds of {args.requests} requests per page, best round kept.\n"
    )
    small, large = databases
    print(f"| page | {sizes[small]:,} articles, ms | {sizes[large]:,} articles, ms | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name in pages[small]:
        ratio = times[large][name] / times[small][name]
        print(f"| {name} | {times[small][name]:.1f} | {times[large][name]:.1f} | {ratio:.2f}× |")

    if args.skip_load:
        return
    searches = {name: path for name, path in pages[small].items() if name.startswith("search")}
    print(
        f"\nSearch under load: gunicorn {args.workers} workers, wrk 2 threads × "
        f"{args.connections} connections, {args.duration} s per page.\n"
    )
    print("| search | articles | req/s | p50 ms | p95 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for url in databases:
        rows = search_load(url, searches, args.duration, args.connections, args.workers)
        for name, row in rows.items():
            print(
                f"| {name} | {sizes[url]:,} | {row['rps']:.1f} | {row['p50']:.0f} "
                f"| {row['p95']:.0f} | {row['errors']} |"
            )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
