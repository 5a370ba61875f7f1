"""The Content API's article list at 1k and 100k articles on PostgreSQL, in one process.

Run by hand from the project root, with the PostgreSQL server on 127.0.0.1:5432:

    .venv/bin/python bench/api_bench.py                   # 1k and 100k articles
    .venv/bin/python bench/api_bench.py --sizes 1000 --requests 50
    .venv/bin/python bench/api_bench.py --database mine --keep   # leave them for EXPLAIN
    .venv/bin/python bench/api_bench.py --database mine --reuse  # time them again

For each size it creates a database (`<--database>_<size>`, `h19api_bench_1000` … unless
told; dropping one left over, so never name one you keep anything in), migrates it,
loads the seed and `generate_demo`'s articles; then it times the list's requests through
Django's test client (no HTTP server, so a busy machine moves the figures less), round by
round, each size in turn, keeping each request's best round: the first page at 20 and
100 items, a page from the middle of the list by its cursor, a topic's page, and an
`updated_since` sync from the middle. It prints milliseconds and queries per request,
and the database's own time for the query reading the page of articles (EXPLAIN
ANALYZE, best of five), and drops the databases at the end unless `--keep`. With
`--reuse` it times databases a kept run left, migrated to this checkout: the same rows
before and after a change.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SERVER = "postgres://postgres@127.0.0.1:5432"

TIMER = """
import json, time
from urllib.parse import urlencode
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from articles.api.endpoints import NEWEST
from articles.models import Article, TopicTag

requests, rounds = json.loads({arguments!r})
articles = Article.objects.published().order_by(*NEWEST.order_by())
middle = articles[articles.count() // 2]
topic = TopicTag.objects.annotate(n=Count("tagged_articles")).order_by("-n").first()
since = middle.updated_at if middle.updated_at > middle.published_at else middle.published_at
urls = {{
    "first page, 20": "/api/v1/articles/",
    "first page, 100": "/api/v1/articles/?limit=100",
    "middle page by cursor, 20": "/api/v1/articles/?cursor=" + NEWEST.cursor_for(middle),
    "busiest topic, 20": f"/api/v1/articles/?topic={{topic.slug}}",
    "updated_since the middle, 20": "/api/v1/articles/?" + urlencode({{"updated_since": since}}),
}}
client = Client()
out = {{}}
for name, url in urls.items():
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)
    # The database's own time for the query that reads the page of articles, from its
    # plan run for real: what an index changes, and less moved by a busy CPU than the
    # request's time, most of which is Python turning rows into JSON.
    (page_query,) = [
        query["sql"] for query in queries
        if query["sql"].startswith('SELECT "articles_article"."id"') and " LIMIT " in query["sql"]
    ]
    query_ms = None
    for _ in range(5):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page_query)
            (plan,) = cursor.fetchone()
        plan = plan if isinstance(plan, list) else json.loads(plan)
        ms = plan[0]["Execution Time"]
        query_ms = ms if query_ms is None else min(query_ms, ms)
    best = None
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            client.get(url)
        elapsed = (time.perf_counter() - start) / requests
        best = elapsed if best is None else min(best, elapsed)
    out[name] = {{"ms": best * 1000, "queries": query_count, "query_ms": query_ms}}
print(json.dumps(out))
"""


def _env(cache_dir, database):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=f"{SERVER}/{database}",
        SECRET_KEY="bench-" + "x" * 50,
        DEBUG="0",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        ENV_FILE="",
        CACHE_DIR=str(cache_dir),
        # Every request here comes from one address: no rate limit in the way.
        API_ANONYMOUS_RATE_LIMIT="100000000",
    )
    return env


def _admin(sql):
    subprocess.run(
        ["psql", f"{SERVER}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
    )


def _exists(database):
    found = subprocess.run(
        [
            "psql",
            f"{SERVER}/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{database}'",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() == "1"


def _manage(env, *args, **options):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, **options)


def build(env, database, size, *, reuse):
    """Seed plus `generate_demo` up to `size` articles in a new `database`; with `reuse`,
    one left by an earlier run is only migrated to this checkout."""
    if not (reuse and _exists(database)):
        print(f"Building {size:,} articles in {database}…", file=sys.stderr)
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        _admin(f"CREATE DATABASE {database}")
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        _manage(
            env, "loaddata", "01_organisations", "02_appeals", "03_articles", "--verbosity", "0"
        )
        _manage(
            env,
            "generate_demo",
            "--articles",
            str(size - 1),
            "--organisations",
            str(max(size // 10, 10)),
            stdout=subprocess.DEVNULL,
        )
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(
        env,
        "shell",
        "-c",
        "from django.db import connection; connection.cursor().execute('ANALYZE')",
    )


def time_once(env, requests):
    """Milliseconds per request (the best of one round) and queries, per request kind."""
    script = TIMER.format(arguments=json.dumps([requests, 1]))
    result = _manage(env, "shell", "-c", script, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=100, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per request; best kept")
    parser.add_argument(
        "--database",
        default="h19api_bench",
        help="prefix of the PostgreSQL databases made, one per size (<prefix>_<size>); "
        "any of those names is dropped first",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases at the end")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the databases an earlier --keep left (migrated to this checkout)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    databases = {size: f"{args.database}_{size}" for size in sizes}
    results = {}
    with tempfile.TemporaryDirectory(prefix="newsroom-api-bench-") as scratch:
        envs = {size: _env(Path(scratch) / f"cache-{size}", databases[size]) for size in sizes}
        try:
            for size in sizes:
                build(envs[size], databases[size], size, reuse=args.reuse)
            # Round by round, each size in turn: a machine whose load changes meanwhile
            # moves every size's figures alike, and the ratio stays readable.
            for number in range(args.rounds):
                print(f"Round {number + 1} of {args.rounds}…", file=sys.stderr)
                for size in sizes:
                    for name, figures in time_once(envs[size], args.requests).items():
                        best = results.setdefault(size, {}).setdefault(name, figures)
                        for measure in ("ms", "query_ms"):
                            best[measure] = min(best[measure], figures[measure])
        finally:
            if not args.keep:
                for database in databases.values():
                    _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    names = list(results[sizes[0]])
    columns = " | ".join(f"{size:,}: request, ms | query, ms" for size in sizes)
    print(f"\n| request | {columns} | ratio (request) | ratio (query) | queries |")
    print(f"| --- | {' | '.join('---: | ---:' for _ in sizes)} | ---: | ---: | ---: |")
    for name in names:
        times = [results[size][name]["ms"] for size in sizes]
        query_times = [results[size][name]["query_ms"] for size in sizes]
        ratio = times[-1] / times[0] if times[0] else 0
        query_ratio = query_times[-1] / query_times[0] if query_times[0] else 0
        queries = "/".join(str(results[size][name]["queries"]) for size in sizes)
        cells = " | ".join(f"{ms:.1f} | {q:.2f}" for ms, q in zip(times, query_times, strict=True))
        print(f"| {name} | {cells} | {ratio:.2f} | {query_ratio:.2f} | {queries} |")


if __name__ == "__main__":
    main()
