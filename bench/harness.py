"""What bench/load.py and bench/faults.py share: a fresh site under gunicorn on
127.0.0.1, the readers, editors and staff of bench/locustfile.py run against it by
Locust, and the end-of-run check that nothing acknowledged was lost.

Locust runs in its own environment (`bench/requirements.txt`; LOCUST names its `locust`,
by default .venv-bench/bin/locust), so its gevent and pytest plugin stay out of the
site's virtualenv. Every request goes to 127.0.0.1.
"""

import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlparse

from admin_forms import edited_article, login_fields

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
FIXTURES = ["01_organisations", "02_appeals", "03_articles"]
APPEAL_PK = 1  # the seed appeal, whose ledger opens with 671 $
OPENING_BALANCE = Decimal("671")
PASSWORD = "bench-" + secrets.token_urlsafe(12)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


# --- The database, the site and its servers ----------------------------------------------


@contextmanager
def fresh_database(database_url, scratch):
    """A new, empty database: a SQLite file in `scratch`, or a PostgreSQL database that is
    created here and dropped at the end (never `test` or another team's database)."""
    if not database_url:
        yield f"sqlite:///{scratch / 'newsroom.sqlite3'}"
        return
    import psycopg

    parts = urlparse(database_url)
    name = parts.path.lstrip("/")
    if not name.startswith("newsroom_"):
        sys.exit(f"refusing to drop and recreate {name!r}: use a name such as newsroom_load")
    server = dict(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_env(database_url, scratch, *, redis_url="", page_cache_seconds=600):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PAGE_CACHE_SECONDS=str(page_cache_seconds),
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        MEDIA_ROOT=str(scratch / "media"),
        STATIC_ROOT=str(scratch / "static"),
        CACHE_DIR=str(scratch / "cache"),
        ENV_FILE=str(scratch / "no.env"),
        # Four editors log in once each; axes must not see them as an attack.
        AXES_FAILURE_LIMIT="1000",
    )
    return env


@dataclass
class Site:
    port: int
    env: dict
    articles: list  # published slugs for readers
    organisations: list  # slugs
    editor_articles: list  # one article pk per editor: nobody else edits it
    users: dict  # role -> usernames
    search_path: str = "/search/?q={q}"
    reader_kinds: list = field(default_factory=list)

    def describe(self):
        """What bench/locustfile.py reads from its --site-file."""
        site = asdict(self)
        del site["env"]
        return site | {"password": PASSWORD, "appeal": APPEAL_PK}


def prepare_site(env, *, demo_articles, editors, staff):
    """Migrate, load the seed fixtures and a small demo set, make the staff accounts.

    Runs Django in this process (the environment decides the database), so the final
    check can read the database directly.
    """
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import get_user_model

    from articles.models import Article, Organisation

    call_command("migrate", "--noinput", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    with open(os.devnull, "w") as progress:
        call_command(
            "generate_demo",
            articles=demo_articles,
            organisations=max(demo_articles // 10, 10),
            topics=30,
            stdout=progress,
            stderr=progress,
        )
    call_command("collectstatic", "--noinput", verbosity=0)
    User = get_user_model()
    users = {"editor": [f"editor{n}" for n in range(editors)]}
    users["staff"] = [f"staff{n}" for n in range(staff)]
    for name in users["editor"] + users["staff"]:
        User.objects.create_superuser(name, "", PASSWORD)
    published = list(Article.objects.published().order_by("pk").values_list("pk", "slug"))
    return Site(
        port=0,
        env=env,
        articles=[slug for _, slug in published],
        organisations=list(Organisation.objects.values_list("slug", flat=True)),
        # Demo articles, not the seed one, so a run leaves the seed article as it was.
        editor_articles=[pk for pk, _ in published[1 : editors + 1]],
        users=users,
    )


@contextmanager
def gunicorn(site, workers, log_path):
    site.port = free_port()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [GUNICORN, "newsroom.wsgi:application", "--bind", f"127.0.0.1:{site.port}"]
            + ["--workers", str(workers), "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT,
            env=site.env,
            stdout=log,
            stderr=log,
        )
    try:
        wait_for(site.port)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


@contextmanager
def task_worker(site, log_path):
    """One `manage.py db_worker` beside the site: saves leave their purges as tasks, and
    without a worker no page would ever be purged."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--interval", "0.5", "--verbosity", "0"],
            cwd=ROOT,
            env=site.env,
            stdout=log,
            stderr=log,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


class PrivateRedis:
    """A redis-server of our own on a free port: the shared one on 6379 is never touched."""

    def __init__(self, directory):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.port)

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def scratch_directory():
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as scratch:
        yield Path(scratch)


# --- The run ----------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    started: float  # seconds since the run began
    seconds: float
    ok: bool
    detail: str = ""
    cache: str = ""  # Django's page cache: X-Cache
    edge: str = ""  # Varnish's, when it is in front: X-Varnish-Cache


@dataclass
class Acks:
    edits: dict = field(default_factory=dict)  # article pk -> [(marker, headline)]
    donations: dict = field(default_factory=dict)  # note -> amount


def locust_command():
    locust = os.environ.get("LOCUST") or str(ROOT / ".venv-bench" / "bin" / "locust")
    if not shutil.which(locust):
        sys.exit(
            f"{locust} not found: python3 -m venv .venv-bench && "
            ".venv-bench/bin/pip install -r bench/requirements.txt (or set LOCUST)"
        )
    return locust


def run_locust(site, *, seconds, readers, scratch, during=None):
    """Every user at once for `seconds`; `during(elapsed)` is called about every 0.1 s
    from this process (fault injection). Returns (results, acks), times from the start."""
    site_file, events_file = scratch / "site.json", scratch / "events.jsonl"
    site_file.write_text(json.dumps(site.describe()))
    users = readers + len(site.editor_articles) + len(site.users["staff"])
    command = [locust_command(), "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    command += ["--host", f"http://127.0.0.1:{site.port}", "--users", str(users)]
    command += ["--spawn-rate", str(users), "--run-time", f"{seconds}s", "--stop-timeout", "60"]
    command += ["--site-file", str(site_file), "--events-file", str(events_file)]
    command += ["--loglevel", "WARNING", "--exit-code-on-error", "0"]
    t0 = None
    with open(scratch / "locust.log", "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
        while process.poll() is None:
            if t0 is None:
                t0 = _start_time(events_file)
            elif during is not None:
                during(time.time() - t0)
            time.sleep(0.1)
    if process.returncode:
        log = (scratch / "locust.log").read_text(errors="replace").strip().splitlines()
        sys.exit("\n".join([f"locust exited with {process.returncode}:", *log[-20:]]))
    results, acks = [], Acks()
    for line in events_file.read_text().splitlines():
        event = json.loads(line)
        if "start" in event:
            t0 = event["start"]
        elif "edit" in event:
            acks.edits.setdefault(event["edit"], []).append((event["marker"], event["headline"]))
        elif "donation" in event:
            acks.donations[event["donation"]] = Decimal(event["amount"])
        else:
            results.append(Result(**event | {"started": event["started"] - t0}))
    return results, acks


def _start_time(events_file):
    """When Locust started its users (the first line it writes), or None before that."""
    try:
        with open(events_file) as events:
            return json.loads(events.readline())["start"]
    except (OSError, ValueError, KeyError):
        return None


# --- Figures and the final check ---------------------------------------------------------


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def print_table(results, seconds):
    print("| kind | requests | req/s | p50 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    kinds = sorted({r.kind for r in results}, key=lambda k: (" " in k, k))
    for kind in kinds + ["all"]:
        rows = [r for r in results if kind in ("all", r.kind)]
        latencies = [r.seconds * 1000 for r in rows]
        errors = sum(not r.ok for r in rows)
        print(
            f"| {kind} | {len(rows)} | {len(rows) / seconds:,.1f} | "
            f"{percentile(latencies, 0.5):,.0f} | {percentile(latencies, 0.99):,.0f} | {errors} |"
        )


def error_summary(results, limit=5):
    details = {}
    for r in results:
        if not r.ok:
            details[f"{r.kind}: {r.detail}"] = details.get(f"{r.kind}: {r.detail}", 0) + 1
    return sorted(details.items(), key=lambda item: -item[1])[:limit]


def check_nothing_lost(acks):
    """Read the database: every acknowledged edit and donation there, the ledger exact."""
    from django.db import connections

    from articles.models import Article, Donation, DonationAppeal

    connections.close_all()  # a fresh connection, whatever happened to the old one
    report, ok = [], True
    edits = sum(len(saves) for saves in acks.edits.values())
    missing = []
    for pk, saves in acks.edits.items():
        article = Article.objects.get(pk=pk)
        missing += [m for m, _ in saves if article.body.count(m) != 1]
        if article.headline != saves[-1][1]:
            missing.append(f"headline of article {pk}")
    ok &= not missing
    report.append(
        f"acknowledged edits: {edits}; in the database: {edits - len(missing)}"
        + (f"; MISSING: {missing[:5]}" if missing else " (all)")
    )
    stored = dict(Donation.objects.filter(note__startswith="bench ").values_list("note", "amount"))
    lost = [note for note, amount in acks.donations.items() if stored.get(note) != amount]
    unacknowledged = [note for note in stored if note not in acks.donations]
    acknowledged_sum = sum(acks.donations.values(), Decimal(0))
    raised = DonationAppeal.objects.with_raised().get(pk=APPEAL_PK).raised
    expected = OPENING_BALANCE + acknowledged_sum
    ok &= not lost and raised == expected
    report.append(
        f"acknowledged donations: {len(acks.donations)} totalling {acknowledged_sum} $; "
        f"lost: {len(lost)}; committed but not acknowledged: {len(unacknowledged)}"
    )
    report.append(
        f"appeal raised: {raised} $; 671 $ + acknowledged = {expected} $ -> "
        + ("EXACT" if raised == expected else f"OFF BY {raised - expected} $")
    )
    return ok, report


class Browser:
    """A cookie jar and no redirects followed: the final check's reader and editor (and
    bench/soak.py's edit watcher). A request that gets no answer in `timeout` seconds
    raises OSError."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, port, timeout=60):
        self.base, self.timeout = f"http://127.0.0.1:{port}", timeout
        self.headers = None  # the last response's
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect
        )

    def request(self, path, fields=None):
        data = urlencode(fields, doseq=True).encode() if fields is not None else None
        headers = {"Referer": self.base + path}
        try:
            request = urllib.request.Request(self.base + path, data, headers)
            with self.opener.open(request, timeout=self.timeout) as r:
                self.headers = r.headers
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            self.headers = error.headers
            return error.code, error.read().decode("utf-8", "replace")


def check_readers_see_edits(site, acks, views=12):
    """An acknowledged edit as readers get it. Each edited article is first viewed on
    every worker (so each may hold it in its page cache), saved once more through the
    admin, then viewed again: a view without the new headline is a stale page."""
    from articles.models import Article

    reader, editor = Browser(site.port), Browser(site.port)
    username = site.users["editor"][0]
    _, page = editor.request("/admin/login/")
    if editor.request("/admin/login/", login_fields(page, username, PASSWORD))[0] != 302:
        raise RuntimeError(f"{username} could not log in for the final check")
    stale = total = 0
    for pk in list(acks.edits):
        path = f"/articles/{Article.objects.get(pk=pk).slug}/"
        for _ in range(views):
            reader.request(path)
        url = f"/admin/articles/article/{pk}/change/"
        status, page = editor.request(url)
        if status != 200:
            continue
        fields, marker, headline = edited_article(page, f"{username} final save")
        if editor.request(url, fields)[0] != 302:
            continue
        acks.edits[pk].append((marker, headline))
        for _ in range(views):
            status, page = reader.request(path)
            total += 1
            stale += status != 200 or headline not in page
    return stale, total
