"""Faults under load: PostgreSQL restarted, or Redis stopped and started again, while
readers, editors and staff use the site. Prints how long requests failed, whether the
site recovered by itself, and whether any acknowledged edit or donation was lost.

Run by hand from the project root:

    .venv/bin/python bench/faults.py postgres   # restarts the machine's PostgreSQL cluster
    .venv/bin/python bench/faults.py redis      # a private redis-server, killed and restarted

`postgres` restarts the whole local cluster with pg_ctlcluster, so every other user of it
sees the restart too: run it only when that is acceptable. The site runs on its own
database (--database-url, created here and dropped at the end) with the page cache off,
so that every reader request needs the database. `redis` starts its own redis-server on
a free port (the shared one is never touched), uses it as the site's cache with the page
cache on, kills it, and starts it again on the same port.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import (
    PrivateRedis,
    check_nothing_lost,
    error_summary,
    fresh_database,
    gunicorn,
    percentile,
    prepare_site,
    print_table,
    run_locust,
    scratch_directory,
    site_env,
    task_worker,
)

READER_KINDS = ["article", "front", "organisation"]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/newsroom_faults"


def restart_postgresql():
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Fault:
    """Calls `inject` once at `at` seconds and `repair` (if any) at `repair_at`."""

    def __init__(self, at, inject, repair=None, repair_at=None):
        self.at, self.inject, self.repair, self.repair_at = at, inject, repair, repair_at
        self.injected = self.repaired = None  # seconds since start, when done
        self.took = None  # seconds inject() took

    def __call__(self, elapsed):
        if self.injected is None and elapsed >= self.at:
            self.injected = elapsed
            started = time.monotonic()
            self.inject()
            self.took = time.monotonic() - started
        if self.repair and self.repaired is None and elapsed >= self.repair_at:
            self.repaired = elapsed
            self.repair()


def timeline(results, width=2):
    """Requests by start time, `width` seconds a row: how many worked and how many failed."""
    end = max((r.started for r in results), default=0)
    print("\n| from s | ok | failed | p99 ms |\n| ---: | ---: | ---: | ---: |")
    for start in range(0, int(end) + 1, width):
        rows = [r for r in results if start <= r.started < start + width]
        failed = sum(not r.ok for r in rows)
        p99 = percentile([r.seconds * 1000 for r in rows], 0.99)
        print(f"| {start} | {len(rows) - failed} | {failed} | {p99:,.0f} |")


def outage(results, fault_start):
    failures = [r for r in results if not r.ok]
    if not failures:
        return "no request failed"
    first = min(r.started for r in failures)
    last = max(r.started + r.seconds for r in failures)
    after = [r for r in results if r.started > last]
    recovered = after and all(r.ok for r in after)
    return (
        f"{len(failures)} requests failed, between {first:.1f} s and {last:.1f} s "
        f"({last - first:.1f} s; the fault began at {fault_start:.1f} s); "
        + (
            f"then {len(after)} requests all succeeded: recovered by itself"
            if recovered
            else "NOT RECOVERED"
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=["postgres", "redis"])
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--fault-at", type=float, default=10)
    parser.add_argument("--down-for", type=float, default=10, help="redis: seconds stopped")
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"postgres: default {DEFAULT_DATABASE}; redis: default a temp SQLite file",
    )
    args = parser.parse_args()
    if not 5 <= args.seconds <= 600 or not 0 < args.fault_at < args.seconds:
        sys.exit("--seconds must be 5–600 and --fault-at inside the run")
    database_url = args.database_url
    if args.fault == "postgres":
        database_url = database_url or DEFAULT_DATABASE
        if not database_url.startswith("postgres"):
            sys.exit("the postgres fault needs a PostgreSQL --database-url")

    with scratch_directory() as scratch, fresh_database(database_url, scratch) as url:
        redis = None
        if args.fault == "redis":
            redis = PrivateRedis(scratch)
            redis.start()
            fault = Fault(args.fault_at, redis.stop, redis.start, args.fault_at + args.down_for)
        else:
            fault = Fault(args.fault_at, restart_postgresql)
        try:
            env = site_env(
                url,
                scratch,
                redis_url=redis.url if redis else "",
                # Redis: pages cached in it; PostgreSQL: every read must reach the database.
                page_cache_seconds=600 if redis else 0,
            )
            print("Building the site…", file=sys.stderr)
            site = prepare_site(env, demo_articles=200, editors=args.editors, staff=args.staff)
            with (
                gunicorn(site, args.workers, scratch / "gunicorn.log"),
                task_worker(site, scratch / "worker.log"),
            ):
                site.reader_kinds = READER_KINDS
                print(f"Running Locust for {args.seconds} s…", file=sys.stderr)
                results, acks = run_locust(
                    site, seconds=args.seconds, readers=args.readers, scratch=scratch, during=fault
                )
            log = Path(scratch / "gunicorn.log").read_text(errors="replace")
        finally:
            if redis:
                redis.stop()
        ok, report = check_nothing_lost(acks)

    print(
        f"\n### {args.fault} fault: gunicorn {args.workers} workers, {args.readers} readers "
        f"+ {args.editors} editors + {args.staff} staff, {args.seconds} s"
    )
    if redis:
        print(
            f"\nRedis killed at {fault.injected:.1f} s, started again at {fault.repaired:.1f} s."
        )
        reads = [r for r in results if r.kind in READER_KINDS]
        for label, lo, hi in (
            ("before", 0, fault.injected),
            ("while down", fault.injected, fault.repaired),
            ("after", fault.repaired, args.seconds),
        ):
            rows = [r for r in reads if lo <= r.started < hi]
            hits = sum(r.cache == "HIT" for r in rows)
            p50 = percentile([r.seconds * 1000 for r in rows], 0.5)
            print(
                f"- reader pages {label}: {len(rows)}, {hits / max(len(rows), 1):.0%} from "
                f"the cache, p50 {p50:,.0f} ms, failed {sum(not r.ok for r in rows)}"
            )
    else:
        print(f"\nPostgreSQL restart began at {fault.injected:.1f} s and took {fault.took:.1f} s.")
    timeline(results)
    print()
    print_table(results, args.seconds)
    print(f"\n- {outage(results, fault.injected)}")
    for line in report:
        print(f"- {line}")
    for detail, count in error_summary(results):
        print(f"- error: {detail} × {count}")
    print(
        f"- gunicorn's log: {log.count('Exception ignored')} cache errors logged by "
        f"django_redis, {log.count('Internal Server Error')} server errors"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
