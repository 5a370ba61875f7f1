"""Donations against the caches: article pages behind Varnish while donations arrive.

Run by hand from the project root (needs the Debian packages varnish and varnish-modules):

    .venv/bin/python bench/donation_bench.py                  # 2,000 articles, 10/s, 60 s
    .venv/bin/python bench/donation_bench.py --articles 200 --seconds 10

Builds a fresh SQLite site (the seed fixtures and `generate_demo`), starts gunicorn
(2 workers) and varnishd (deploy/varnish/default.vcl) on 127.0.0.1, and has every
article page fetched once through Varnish. Then, for the run: readers fetch random
article pages through Varnish while this process records donations through
`appeal_record_donation()` at the given rate, each purging what it changes (Django's
cache and Varnish, as in production). After each donation the next request of a random
article page must show the new total. It prints a table and exits non-zero when the
article pages' hit rate falls below 99 % or a page showed a total older than one that
had been recorded (and purged) before the request began.
"""

import argparse
import http.client
import os
import random
import re
import sys
import threading
import time
from decimal import Decimal

from harness import free_port, fresh_database, prepare_site, scratch_directory, site_env
from harness import gunicorn as start_gunicorn
from http_bench import varnish  # bench/ is on sys.path when run as a script

RAISED = re.compile(r'appeal-bar__raised"><strong>([^<]+)</strong>')
GOAL_HIT_RATE = 0.99


def _amount(text):
    return Decimal(text.replace(",", "").replace("$", "").strip())


class Reader:
    """One keep-alive connection to Varnish."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path):
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        found = RAISED.search(body)
        return (
            response.status,
            response.getheader("X-Varnish-Cache"),
            _amount(found[1]) if found else None,
        )


class Ledger:
    """The totals recorded so far, each with when its purge had finished."""

    def __init__(self, opening):
        self.lock = threading.Lock()
        self.totals = [(0.0, opening)]

    def add(self, at, total):
        with self.lock:
            self.totals.append((at, total))

    def settled_before(self, at):
        """The newest total whose donation had been recorded and purged before `at`."""
        with self.lock:
            return max(total for when, total in self.totals if when <= at)


def read(port, paths, stop, stats, ledger):
    reader = Reader(port)
    while not stop.is_set():
        began = time.monotonic()
        status, cache, shown = reader.get(random.choice(paths))
        stale = shown is None or shown < ledger.settled_before(began)
        with stats["lock"]:
            stats["requests"] += 1
            stats["hits"] += cache == "HIT"
            stats["errors"] += status != 200
            stats["stale"] += stale


def donate(port, paths, appeal, rate, seconds, stats, ledger):
    from articles import services
    from articles.models import DonationAppeal

    checker = Reader(port)
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        services.appeal_record_donation(appeal=appeal, amount=Decimal(random.randint(1, 50)))
        total = DonationAppeal.objects.with_raised().get(pk=appeal.pk).raised
        ledger.add(time.monotonic(), total)
        status, cache, shown = checker.get(random.choice(paths))
        with stats["lock"]:
            stats["donations"] += 1
            stats["checked"] += 1
            stats["requests"] += 1
            stats["hits"] += cache == "HIT"
            stats["errors"] += status != 200
            stats["wrong after donation"] += shown != total
    stats["donation seconds"] = time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=10, help="donations a second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=4, help="reader connections")
    args = parser.parse_args()
    with scratch_directory() as scratch, fresh_database("", scratch) as database:
        varnish_port = free_port()
        env = site_env(database, scratch)
        env["FRONTEND_CACHE_URLS"] = f"http://127.0.0.1:{varnish_port}/"
        env["FRAGMENT_CACHE_SECONDS"] = "600"
        print(f"building {args.articles:,} articles…", file=sys.stderr)
        site = prepare_site(env, demo_articles=args.articles, editors=0, staff=0)
        from articles.models import Article, DonationAppeal

        appeal = DonationAppeal.objects.current()
        # Every page must show the appeal this run gives to, or "the right total" is moot.
        others = Article.objects.published().exclude(appeal=None).exclude(appeal=appeal)
        assert not others.exists(), "some articles show another appeal"
        paths = [f"/articles/{slug}/" for slug in site.articles]
        with (
            start_gunicorn(site, 2, scratch / "gunicorn.log"),
            varnish(site.port, scratch, port=varnish_port),
        ):
            warm = Reader(varnish_port)
            for path in paths:
                assert warm.get(path)[0] == 200, path
            opening = DonationAppeal.objects.with_raised().get(pk=appeal.pk).raised
            ledger = Ledger(opening)
            stats = dict.fromkeys(
                ["requests", "hits", "errors", "stale", "donations", "checked"], 0
            )
            stats |= {"wrong after donation": 0, "lock": threading.Lock()}
            stop = threading.Event()
            readers = [
                threading.Thread(target=read, args=(varnish_port, paths, stop, stats, ledger))
                for _ in range(args.readers)
            ]
            for thread in readers:
                thread.start()
            began = time.monotonic()
            try:
                donate(varnish_port, paths, appeal, args.rate, args.seconds, stats, ledger)
            finally:
                stop.set()
                for thread in readers:
                    thread.join()
            elapsed = time.monotonic() - began
    hit_rate = stats["hits"] / stats["requests"]
    rows = [
        ("article pages", f"{args.articles:,}"),
        ("donations recorded", f"{stats['donations']:,} in {stats['donation seconds']:.1f} s"),
        ("article page requests through Varnish", f"{stats['requests']:,}"),
        ("requests a second", f"{stats['requests'] / elapsed:,.0f}"),
        ("Varnish hit rate of the article pages", f"{hit_rate:.2%}"),
        ("errors", f"{stats['errors']:,}"),
        ("pages checked right after a donation", f"{stats['checked']:,}"),
        ("of those, with a total other than the new one", f"{stats['wrong after donation']:,}"),
        ("pages older than a donation purged before their request", f"{stats['stale']:,}"),
        ("raised", f"{opening:,} $ → {ledger.totals[-1][1]:,} $"),
    ]
    print("| what | figure |\n| --- | ---: |")
    for what, figure in rows:
        print(f"| {what} | {figure} |")
    failed = (
        hit_rate < GOAL_HIT_RATE
        or stats["errors"]
        or stats["stale"]
        or stats["wrong after donation"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
