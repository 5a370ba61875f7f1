"""HTTP benchmark: Newsroom's reader pages under wrk, uncached, with Django's page cache,
and through Varnish, beside nginx serving a saved copy of the article page (the ceiling).

Run by hand from the project root (needs the Debian packages wrk, varnish,
varnish-modules and nginx-light):

    .venv/bin/python bench/http_bench.py                 # 1k and 100k articles
    .venv/bin/python bench/http_bench.py --sizes 1000 --duration 5 --rounds 1

For each data set size it builds a fresh SQLite database with `generate_demo` plus the
seed fixtures, starts gunicorn (2 workers) on 127.0.0.1, and measures every page with
`wrk --latency` at 16 connections: uncached (page cache off; the appeal box every page
shares still comes from its fragment cache), the article with nothing cached at all,
Django's page cache, and Varnish. It prints one table per size and the ratio of each
figure to nginx's, and the resident memory of a gunicorn worker. Each round also
measures the issue's yardstick, a two-byte Django view (`bench/two_bytes.py`), and the
tables scale Django's figures by it to the speed of the machine the goals were set on.
Nothing leaves the loopback interface; every server it starts is stopped at the end.
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from harness import free_port, wait_for  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
BENCH = ROOT / "bench"
# The issue's yardstick: "a Django view that returns two bytes from no database reaches
# about 4,300 here". bench/two_bytes.py is that view, measured in every run.
REFERENCE = "two-byte Django view"
REFERENCE_RPS = 4300
# "uncached" is the "Django alone, page cache off"; the appeal box every page
# shares still comes from its fragment cache. This mode turns that off too, for the
# article page: what a request costs with nothing cached at all.
NOTHING_CACHED = "nothing cached"
SEED_SLUG = "us-forces-closing-some-bases-in-iraq-following-rocket-attacks-on-camp-taji"

PAGES = {
    "article": f"/articles/{SEED_SLUG}/",
    "front": "/",
    "month archive": "/2021/03/",
    "organisation": "/organisations/us-led-coalition/",
    "topic tag": "/topics/iraq/",
    "search": "/search/?q=Daesh",
    "admin changelist": "/admin/articles/article/",
}


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def base_env(database):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="bench-" + "x" * 50,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        ENV_FILE="",
        # Each database its own cache: fragments and version tokens are keyed by names
        # (`appeal-box:1`) that every database built from the seed shares.
        CACHE_DIR=str(database.parent / f"cache-{database.stem}"),
    )
    return env


def build_database(directory, size):
    database = directory / f"bench-{size}.sqlite3"
    env = base_env(database)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")  # WhiteNoise's manifest
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "loaddata", "01_organisations", "02_appeals", "03_articles", "--verbosity", "0")
    manage(
        env,
        "generate_demo",
        "--articles",
        str(max(size - 1, 0)),
        "--organisations",
        str(max(size // 10, 10)),
    )
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.filter(username='bench').exists() or "
            "User.objects.create_superuser('bench', '', 'bench-password-1234')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return database


def staff_cookie(port):
    """Log in through the admin form, as an editor would, and return the cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"http://127.0.0.1:{port}/admin/login/"
    page = opener.open(login).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {
            "username": "bench",
            "password": "bench-password-1234",
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        }
    ).encode()
    opener.open(urllib.request.Request(login, data=data, headers={"Referer": login}))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@contextmanager
def gunicorn(database, page_cache, app="newsroom.wsgi:application", cwd=ROOT, fragments=True):
    port = free_port()
    env = base_env(database)
    env["PAGE_CACHE_SECONDS"] = "600" if page_cache else "0"
    env["FRAGMENT_CACHE_SECONDS"] = "600" if fragments else "0"
    process = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        env=env,
    )
    try:
        wait_for(port)
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@contextmanager
def varnish(backend_port, scratch, port=None):
    port = port or free_port()
    vcl = scratch / "bench.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    process = subprocess.Popen(
        [
            "varnishd",
            "-F",
            "-j",
            "none",
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(vcl),
            "-n",
            str(scratch / "varnish"),
            "-s",
            "malloc,256m",
            "-T",
            "none",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def nginx(html, scratch):
    port = free_port()
    root = scratch / "www"
    root.mkdir(exist_ok=True)
    (root / "index.html").write_bytes(html)
    conf = scratch / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 2;
daemon off;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/nginx-body;
    proxy_temp_path {scratch}/nginx-proxy;
    fastcgi_temp_path {scratch}/nginx-fastcgi;
    uwsgi_temp_path {scratch}/nginx-uwsgi;
    scgi_temp_path {scratch}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ default_type text/html; try_files /index.html =404; }}
    }}
}}
"""
    )
    process = subprocess.Popen(["nginx", "-c", str(conf)])
    try:
        wait_for(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_wrk(url, duration, connections=16, cookie=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", output))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50": to_ms(latency.get("50", "0ms")),
        "p99": to_ms(latency.get("99", "0ms")),
        "errors": int(errors.group(1)) if errors else 0,
    }


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def queries_per_page(database):
    """SQL queries each page runs when it is not cached, counted with the test client."""
    script = (
        "from django.conf import settings; settings.PAGE_CACHE_SECONDS = 0\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from django.contrib.auth.models import User\n"
        "import json\n"
        f"pages = {PAGES!r}\n"
        "out = {}\n"
        "for name, url in pages.items():\n"
        "    client = Client()\n"
        "    if url.startswith('/admin/'):\n"
        "        client.force_login(User.objects.get(username='bench'))\n"
        "    client.get(url)\n"
        "    with CaptureQueriesContext(connection) as ctx:\n"
        "        status = client.get(url).status_code\n"
        "    out[name] = len(ctx) if status == 200 else None\n"
        "settings.FRAGMENT_CACHE_SECONDS = 0\n"
        "with CaptureQueriesContext(connection) as ctx:\n"
        "    Client().get(pages['article'])\n"
        f"out[{NOTHING_CACHED!r}] = len(ctx)\n"
        "print(json.dumps(out))\n"
    )
    return json_from_shell(database, script)


def json_from_shell(database, script):
    """Run `script` in `manage.py shell` on `database` (test client allowed) and return
    the JSON it prints last."""
    env = base_env(database)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def worker_rss_mb(process):
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes) if sizes else 0.0


def busy_pages(database):
    """Point the organisation and topic pages at the busiest ones of the demo data."""
    script = (
        "from django.db.models import Count\n"
        "from articles.models import Organisation, TopicTag\n"
        "org = Organisation.objects.annotate(n=Count('articles')).order_by('-n').first()\n"
        "tag = TopicTag.objects.annotate(n=Count('tagged_articles')).order_by('-n').first()\n"
        "print(org.slug, tag.slug)\n"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=base_env(database),
        check=True,
        capture_output=True,
        text=True,
    )
    organisation, topic = result.stdout.split()[-2:]
    PAGES["organisation"] = f"/organisations/{organisation}/"
    PAGES["topic tag"] = f"/topics/{topic}/"


def median_run(runs):
    """The run with the median req/s: on a shared machine one slow spell should not
    decide a page's figure (or a 1k-to-100k ratio)."""
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


def measure(size, database, scratch, duration, rounds):
    busy_pages(database)
    rows = {}
    queries = queries_per_page(database)
    reference_app = gunicorn(database, page_cache=False, app="two_bytes:application", cwd=BENCH)
    with gunicorn(database, page_cache=False) as (port, process), reference_app as (ref, _):
        cookie = staff_cookie(port)
        runs = {name: [] for name in PAGES}
        references = []
        # Round-robin over the pages, so a slow spell hits one run of several pages
        # rather than every run of one page.
        for _round in range(rounds):
            references.append(run_wrk(f"http://127.0.0.1:{ref}/", duration))
            for name, path in PAGES.items():
                url = f"http://127.0.0.1:{port}{path}"
                staff = cookie if path.startswith("/admin/") else None
                runs[name].append(run_wrk(url, duration, cookie=staff))
        rows[(REFERENCE, "reference")] = median_run(references)
        for name in PAGES:
            rows[(name, "uncached")] = median_run(runs[name])
        article_html = urllib.request.urlopen(f"http://127.0.0.1:{port}{PAGES['article']}").read()
        rss = worker_rss_mb(process)
    with gunicorn(database, page_cache=False, fragments=False) as (port, _):
        url = f"http://127.0.0.1:{port}{PAGES['article']}"
        run_wrk(url, 1)
        rows[("article", NOTHING_CACHED)] = median_run(
            [run_wrk(url, duration) for _round in range(rounds)]
        )
    with gunicorn(database, page_cache=True) as (port, process):
        for name, path in PAGES.items():
            if path.startswith("/admin/"):
                continue
            url = f"http://127.0.0.1:{port}{path}"
            run_wrk(url, 1)  # warm both workers' caches
            rows[(name, "django cache")] = run_wrk(url, duration)
        with varnish(port, scratch) as varnish_port:
            for name, path in PAGES.items():
                if path.startswith("/admin/"):
                    continue
                url = f"http://127.0.0.1:{varnish_port}{path}"
                run_wrk(url, 1)
                rows[(name, "varnish")] = run_wrk(url, duration)
    with nginx(article_html, scratch) as nginx_port:
        rows[("article", "nginx (ceiling)")] = run_wrk(f"http://127.0.0.1:{nginx_port}/", duration)
    return rows, queries, rss


def print_table(size, rows, queries, rss):
    ceiling = rows[("article", "nginx (ceiling)")]["rps"]
    speed = rows[(REFERENCE, "reference")]["rps"] / REFERENCE_RPS
    print(f"\n### {size:,} articles (gunicorn 2 workers, wrk 2 threads × 16 connections)\n")
    print("Uncached rows and the reference: the median of the rounds, by req/s.")
    print(
        f"This machine ran the two-byte reference at {speed:.2f}× the issue's "
        f"{REFERENCE_RPS:,}; the last column divides Django's req/s by that.\n"
    )
    print(
        "| page | mode | req/s | p50 ms | p99 ms | errors | SQL queries | vs nginx "
        "| req/s at the issue's speed |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (name, mode), row in rows.items():
        sql = {
            "uncached": queries.get(name),
            NOTHING_CACHED: queries.get(NOTHING_CACHED),
            "nginx (ceiling)": "–",
        }.get(mode, 0)
        runs_python = mode in ("uncached", NOTHING_CACHED, "django cache", "reference")
        scaled = f"{row['rps'] / speed:,.0f}" if runs_python else "–"
        print(
            f"| {name} | {mode} | {row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
            f"{row['errors']} | {sql if sql is not None else 'n/a'} | {row['rps'] / ceiling:.3f} "
            f"| {scaled} |"
        )
    print(f"\nLargest gunicorn worker after the uncached run: {rss:.0f} MB resident.")


def interpreter():
    """Which Python runs the workers: the interpreter's build matters (a pyenv build made
    without --enable-optimizations ran the article page 12-15 % slower than Debian's
    python3 package on the same machine)."""
    return f"Python {platform.python_version()} from {sys.base_prefix}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="uncached runs per page; the median is shown"
    )
    args = parser.parse_args()
    for tool in ("wrk", "varnishd", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(
                f"http_bench: {tool} is not installed (apt-get install wrk varnish "
                "varnish-modules nginx-light)"
            )
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"Workers run {interpreter()}.")
    results = {}
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as scratch:
        scratch = Path(scratch)
        scratch.chmod(0o755)  # nginx's workers run as an unprivileged user
        for size in sizes:
            print(f"Building {size:,} articles…", file=sys.stderr)
            database = build_database(scratch, size)
            results[size] = measure(size, database, scratch, args.duration, args.rounds)
            print_table(size, *results[size])
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\n### Uncached req/s at {large:,} relative to {small:,} articles\n")
        print("| page | ratio of time per request |")
        print("| --- | ---: |")
        for name in PAGES:
            before = results[small][0][(name, "uncached")]["rps"]
            after = results[large][0][(name, "uncached")]["rps"]
            print(f"| {name} | {before / after:.2f}× |")


if __name__ == "__main__":
    main()
