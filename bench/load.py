"""Load with nothing lost: readers, editors and staff at once against gunicorn, then a
check that every acknowledged edit and donation is in the database.

Run by hand from the project root:

    .venv/bin/python bench/load.py                      # SQLite in a temp directory
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/newsroom_load

It builds a fresh database (a temp SQLite file, or the named PostgreSQL database, created
here and dropped at the end), loads the seed fixtures and a small generate_demo set,
starts gunicorn on a free port of 127.0.0.1, and for --seconds sends --readers readers to
the article, front, organisation and search pages while --editors editors save articles
through the admin change form and --staff staff record donations through the admin add
form, each as fast as the site answers. It prints a table of requests per second, p50/p99
latency and errors per kind, then the checks: every acknowledged edit is in the
database, and the appeal's raised amount is exactly 671 $ plus every acknowledged
donation. Exits non-zero when anything was lost or any request failed.
"""

import argparse
import os
import sys
import urllib.error
import urllib.request

from harness import (
    PrivateRedis,
    check_nothing_lost,
    check_readers_see_edits,
    error_summary,
    fresh_database,
    gunicorn,
    prepare_site,
    print_table,
    run_locust,
    scratch_directory,
    site_env,
    task_worker,
)

READER_KINDS = ["article", "front", "organisation", "search"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=64)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--demo-articles", type=int, default=300)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database to create and drop (its name must start with newsroom_)",
    )
    parser.add_argument(
        "--cache",
        choices=["files", "redis"],
        default="files",
        help="files: the default without REDIS_URL, a file cache shared by the workers, "
        "as `make serve`; redis: a private redis-server",
    )
    parser.add_argument(
        "--page-cache-seconds", type=int, default=600, help="0 sends every read to the DB"
    )
    parser.add_argument("--search-path", default="/search/?q={q}")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 3600:
        sys.exit("--seconds must be between 1 and 3600")

    with scratch_directory() as scratch, fresh_database(args.database_url, scratch) as url:
        redis = PrivateRedis(scratch) if args.cache == "redis" else None
        if redis:
            redis.start()
        try:
            env = site_env(
                url,
                scratch,
                redis_url=redis.url if redis else "",
                page_cache_seconds=args.page_cache_seconds,
            )
            print("Building the site…", file=sys.stderr)
            site = prepare_site(
                env, demo_articles=args.demo_articles, editors=args.editors, staff=args.staff
            )
            with (
                gunicorn(site, args.workers, scratch / "gunicorn.log"),
                task_worker(site, scratch / "worker.log"),
            ):
                site.search_path = _search_path(site, args.search_path)
                site.reader_kinds = READER_KINDS
                print(f"Running Locust for {args.seconds} s…", file=sys.stderr)
                results, acks = run_locust(
                    site, seconds=args.seconds, readers=args.readers, scratch=scratch
                )
                stale, views = check_readers_see_edits(site, acks)
            log = (scratch / "gunicorn.log").read_text(errors="replace")
        finally:
            if redis:
                redis.stop()
        ok, report = check_nothing_lost(acks)

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n### {database}, {args.cache} cache (page cache {args.page_cache_seconds} s), "
        f"gunicorn {args.workers} workers, {args.readers} readers + {args.editors} editors "
        f"+ {args.staff} staff, {args.seconds} s\n"
    )
    print_table(results, args.seconds)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    errors = sum(not r.ok for r in results)
    hits = sum(r.cache == "HIT" for r in results)
    reads = sum(r.kind in READER_KINDS for r in results)
    print()
    print(f"- search pages: `{site.search_path}`; machine load average at the end: {load}")
    print(f"- reader pages served from the page cache: {hits / max(reads, 1):.0%}")
    for line in report:
        print(f"- {line}")
    print(
        f"- views of an article just after its acknowledged save that still showed the "
        f"old headline (goal 0): {stale} of {views}"
    )
    for detail, count in error_summary(results):
        print(f"- error: {detail} × {count}")
    if "Internal Server Error" in log:
        print(f"- gunicorn logged {log.count('Internal Server Error')} server errors; last lines:")
        print("\n".join("    " + line for line in log.strip().splitlines()[-8:]))
    sys.exit(0 if ok and errors == 0 else 1)


def _search_path(site, wanted):
    """The reader search page, or the front page with ?q= on a branch without search."""
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{site.port}{wanted.format(q='Daesh')}")
    except urllib.error.HTTPError:
        return "/?q={q}"
    return wanted


if __name__ == "__main__":
    main()
