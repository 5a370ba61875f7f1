"""What bench/load.py and bench/faults.py share: a fresh site under gunicorn on 127.0.0.1,
readers, editors and staff who use it as people do, and the end-of-run check that nothing
acknowledged was lost.

Editors and staff go through the real admin forms: log in, GET the form, POST it back with
the CSRF token, and count a save as acknowledged only when the admin answers with its
redirect. Every loop stops at a deadline and after a fixed number of requests, and every
request goes to 127.0.0.1.
"""

import http.client
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
FIXTURES = ["01_organisations", "02_appeals", "03_articles"]
APPEAL_PK = 1  # the seed appeal, whose ledger opens with 671 $
OPENING_BALANCE = Decimal("671")
PASSWORD = "bench-" + secrets.token_urlsafe(12)
MAX_REQUESTS_PER_CLIENT = 200_000  # a bound besides the deadline
SEARCH_WORDS = ["Daesh", "coalition", "rockets", "ceasefire", "Baghdad", "convoy"]


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


# --- HTTP clients ------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    started: float  # seconds since the run began
    seconds: float
    ok: bool
    detail: str = ""
    cache: str = ""


class Recorder:
    def __init__(self):
        self.results, self.lock, self.t0 = [], threading.Lock(), time.monotonic()

    def add(self, result):
        with self.lock:
            self.results.append(result)


class Session:
    """One browser: its own cookies, one HTTP request per connection as gunicorn's sync
    workers serve them."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, fields=None, timeout=30):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, content, response.headers
        finally:
            connection.close()


class FormFields(HTMLParser):
    """The fields a browser would submit from the admin's change form."""

    SKIPPED = {"file", "submit", "button", "image", "reset"}

    def __init__(self):
        super().__init__()
        self.fields, self._in_form, self._textarea, self._select = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in attrs or "disabled" in attrs:
            if tag == "option" and self._select and "selected" in attrs:
                self.fields.append((self._select, attrs.get("value", "")))
            return
        name, kind = attrs["name"], attrs.get("type", "text").lower()
        if tag == "input" and kind not in self.SKIPPED:
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [name, ""]
        elif tag == "select":
            self._select = name

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that may follow <textarea>.
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_fields(html):
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def _replace(fields, name, value):
    return [(k, value if k == name else v) for k, v in fields]


def log_in(session, username):
    status, page, _ = session.request("GET", "/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, headers = session.request(
        "POST",
        "/admin/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    if status != 302:
        raise RuntimeError(f"{username} could not log in (HTTP {status})")


def _timed(recorder, kind, call):
    started = time.monotonic()
    try:
        status, page, headers = call()
    except (OSError, http.client.HTTPException) as error:
        now = time.monotonic()
        recorder.add(
            Result(kind, started - recorder.t0, now - started, False, type(error).__name__)
        )
        return None
    return status, page, headers, started


def _record(recorder, kind, started, ok, detail="", cache=""):
    now = time.monotonic()
    recorder.add(Result(kind, started - recorder.t0, now - started, ok, detail, cache))


def reader(site, recorder, deadline, seed, kinds):
    rng = random.Random(seed)
    session = Session(site.port)
    for n in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        kind = kinds[n % len(kinds)]
        path = {
            "article": lambda: f"/articles/{rng.choice(site.articles)}/",
            "front": lambda: "/",
            "organisation": lambda: f"/organisations/{rng.choice(site.organisations)}/",
            "search": lambda: site.search_path.format(q=rng.choice(SEARCH_WORDS)),
        }[kind]()
        outcome = _timed(recorder, kind, lambda p=path: session.request("GET", p))
        if outcome is None:
            continue
        status, _, headers, started = outcome
        _record(
            recorder, kind, started, status == 200, f"HTTP {status}", headers.get("X-Cache", "")
        )


@dataclass
class Acks:
    edits: dict = field(default_factory=dict)  # article pk -> [(marker, headline)]
    donations: dict = field(default_factory=dict)  # note -> amount
    lock: threading.Lock = field(default_factory=threading.Lock)


def save_article(session, recorder, username, article_pk, n, acks):
    """GET the admin change form and POST it back with a new headline and a marker
    paragraph appended to the body the form showed, so a lost save is a missing marker.
    Returns the HTTP status of the form, or None when the request itself failed."""
    url = f"/admin/articles/article/{article_pk}/change/"
    outcome = _timed(recorder, "edit form", lambda: session.request("GET", url))
    if outcome is None:
        return None
    status, page, _, started = outcome
    _record(recorder, "edit form", started, status == 200, f"HTTP {status}")
    if status != 200:
        return status
    fields = form_fields(page)
    body = dict(fields)["body"]
    marker = f"[{username} save {n}]"
    headline = f"Edited by {username}, save {n}"
    fields = _replace(_replace(fields, "body", f"{body}\n\n{marker}"), "headline", headline)
    outcome = _timed(recorder, "edit save", lambda: session.request("POST", url, fields))
    if outcome is None:
        return None
    status, page, _, started = outcome
    detail = f"HTTP {status}"
    if status == 200:
        errors = re.findall(r'class="errorlist[^"]*"[^>]*><li>([^<]+)', page)
        detail = f"form refused: {errors[:2]}"
    _record(recorder, "edit save", started, status == 302, detail)
    if status == 302:
        with acks.lock:
            acks.edits.setdefault(article_pk, []).append((marker, headline))
    return 200


def editor(site, recorder, deadline, username, article_pk, acks):
    """Save one article (nobody else's) again and again through the admin change form."""
    session = Session(site.port)
    logged_in = False
    for n in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        if not logged_in:
            try:
                log_in(session, username)
                logged_in = True
            except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as error:
                _record(recorder, "edit form", time.monotonic(), False, str(error))
                time.sleep(0.2)
                continue
        status = save_article(session, recorder, username, article_pk, n, acks)
        # Sent back to the login page: the session was lost, log in again.
        logged_in = status != 302


def staff_member(site, recorder, deadline, username, acks, seed):
    """Record donations through the admin's Donation add form, as fast as possible."""
    rng = random.Random(seed)
    session = Session(site.port)
    url = "/admin/articles/donation/add/"
    logged_in = False
    for n in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        if not logged_in:
            try:
                log_in(session, username)
                logged_in = True
            except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as error:
                _record(recorder, "donation form", time.monotonic(), False, str(error))
                time.sleep(0.2)
                continue
        outcome = _timed(recorder, "donation form", lambda: session.request("GET", url))
        if outcome is None:
            continue
        status, page, _, started = outcome
        _record(recorder, "donation form", started, status == 200, f"HTTP {status}")
        if status != 200:
            continue
        amount = Decimal(rng.randint(100, 25_000)) / 100
        note = f"bench {username} #{n}"
        fields = form_fields(page)
        for name, value in (("appeal", str(APPEAL_PK)), ("amount", str(amount)), ("note", note)):
            fields = [(k, v) for k, v in fields if k != name] + [(name, value)]
        outcome = _timed(
            recorder, "donation save", lambda f=fields: session.request("POST", url, f)
        )
        if outcome is None:
            continue
        status, page, _, started = outcome
        _record(recorder, "donation save", started, status == 302, f"HTTP {status}")
        if status == 302:
            with acks.lock:
                acks.donations[note] = amount


def run_clients(site, *, seconds, readers, kinds, acks, recorder, during=None):
    """All clients at once for `seconds`; `during(elapsed)` is called about every 0.1 s
    from this thread (fault injection)."""
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=reader, args=(site, recorder, deadline, n, kinds), daemon=True)
        for n in range(readers)
    ]
    for username, pk in zip(site.users["editor"], site.editor_articles, strict=True):
        threads.append(
            threading.Thread(
                target=editor, args=(site, recorder, deadline, username, pk, acks), daemon=True
            )
        )
    for n, username in enumerate(site.users["staff"]):
        threads.append(
            threading.Thread(
                target=staff_member,
                args=(site, recorder, deadline, username, acks, 1000 + n),
                daemon=True,
            )
        )
    for thread in threads:
        thread.start()
    while time.monotonic() < deadline:
        if during is not None:
            during(time.monotonic() - recorder.t0)
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=90)


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


def check_readers_see_edits(site, acks, views=12):
    """An acknowledged edit as readers get it. Each edited article is first viewed on
    every worker (so each may hold it in its page cache), saved once more through the
    admin, then viewed again: a view without the new headline is a stale page."""
    from articles.models import Article

    reader, recorder = Session(site.port), Recorder()
    editor = Session(site.port)
    username = site.users["editor"][0]
    log_in(editor, username)
    stale = total = 0
    for pk in acks.edits:
        path = f"/articles/{Article.objects.get(pk=pk).slug}/"
        for _ in range(views):
            reader.request("GET", path)
        if save_article(editor, recorder, username, pk, "final", acks) != 200:
            continue
        for _ in range(views):
            status, page, _ = reader.request("GET", path)
            total += 1
            stale += status != 200 or acks.edits[pk][-1][1] not in page
    return stale, total
