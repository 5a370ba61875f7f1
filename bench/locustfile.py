"""Readers, editors and staff as Locust users, for bench/load.py and bench/faults.py.

Those scripts build the site, describe it in --site-file (pages, accounts, the article
each editor owns) and run `locust --headless` on this file; afterwards they read what it
wrote to --events-file, one JSON line per request (kind, start, duration, outcome,
X-Cache) and per acknowledged edit or donation, and check the database against it.

Editors and staff go through the real admin forms: log in, GET the form, POST it back
with the CSRF token, and count a save as acknowledged only when the admin answers with
its redirect.
"""

import itertools
import json
import random
import time
from decimal import Decimal
from pathlib import Path

from admin_forms import edited_article, form_fields, login_fields, refusal, with_values
from locust import FastHttpUser, HttpUser, constant, events, task

SEARCH_WORDS = ["Daesh", "coalition", "rockets", "ceasefire", "Baghdad", "convoy"]
SITE = {}
_log = None
_editor_numbers, _staff_numbers = itertools.count(), itertools.count()


@events.init_command_line_parser.add_listener
def _arguments(parser):
    parser.add_argument("--site-file", required=True, help="the site, from bench/harness.py")
    parser.add_argument("--events-file", required=True, help="where to append the events")


@events.init.add_listener
def _load_site(environment, **kwargs):
    global _log
    SITE.update(json.loads(Path(environment.parsed_options.site_file).read_text()))
    Editor.fixed_count = len(SITE["editor_articles"])
    Staff.fixed_count = len(SITE["users"]["staff"])
    _log = open(environment.parsed_options.events_file, "a")


def _write(event):
    _log.write(json.dumps(event) + "\n")
    _log.flush()


@events.test_start.add_listener
def _started(environment, **kwargs):
    # The run's clock starts here, not when the locust process started (seconds earlier).
    _write({"start": time.time()})


@events.request.add_listener
def _log_request(name, start_time, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0)
    _write(
        {
            "kind": name,
            "started": start_time,
            "seconds": response_time / 1000,
            "ok": exception is None,
            "detail": str(exception) if exception else f"HTTP {status}",
            "cache": (response.headers.get("X-Cache") or "") if status else "",
            # Varnish's verdict, when the site is behind it (bench/soak.py).
            "edge": (response.headers.get("X-Varnish-Cache") or "") if status else "",
        }
    )


def _expect(response, status, refused=None):
    if response.status_code == status:
        response.success()
        return True
    if refused and response.status_code == 200:
        response.failure(refused(response.text))
    else:
        response.failure(f"HTTP {response.status_code}")
    return False


class Reader(FastHttpUser):
    """Pages in turn, as fast as the site answers."""

    wait_time = constant(0)

    def on_start(self):
        self.kinds = itertools.cycle(SITE["reader_kinds"])

    @task
    def read(self):
        kind = next(self.kinds)
        path = {
            "article": lambda: f"/articles/{random.choice(SITE['articles'])}/",
            "front": lambda: "/",
            "organisation": lambda: f"/organisations/{random.choice(SITE['organisations'])}/",
            "search": lambda: SITE["search_path"].format(q=random.choice(SEARCH_WORDS)),
        }[kind]()
        with self.client.get(path, name=kind, catch_response=True) as response:
            _expect(response, 200)


class _Staff(HttpUser):
    """A member of staff with a session cookie of their own, never following redirects."""

    abstract = True
    wait_time = constant(0)

    def log_in(self):
        page = self.client.get("/admin/login/", name="log in form").text
        fields = login_fields(page, self.username, SITE["password"])
        with self.client.post(
            "/admin/login/", data=fields, name="log in", allow_redirects=False, catch_response=True
        ) as response:
            self.logged_in = _expect(response, 302)

    def form(self, url, kind):
        """GET an admin form; None when it did not come (the session is logged in again)."""
        with self.client.get(url, name=kind, allow_redirects=False, catch_response=True) as page:
            if _expect(page, 200):
                return page.text
        # Sent back to the login page: the session was lost.
        self.logged_in = page.status_code != 302
        return None

    def post(self, url, fields, kind):
        with self.client.post(
            url,
            data=fields,
            name=kind,
            headers={"Referer": self.host + url},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            return _expect(response, 302, refused=refusal)


class Editor(_Staff):
    """Saves one article (nobody else's) again and again through the admin change form."""

    fixed_count = 0  # set from the site file

    def on_start(self):
        n = next(_editor_numbers)
        self.username, self.article = SITE["users"]["editor"][n], SITE["editor_articles"][n]
        self.saves, self.logged_in = itertools.count(), False

    @task
    def save(self):
        if not self.logged_in:
            return self.log_in()
        url = f"/admin/articles/article/{self.article}/change/"
        page = self.form(url, "edit form")
        if page is None:
            return
        fields, marker, headline = edited_article(page, f"{self.username} save {next(self.saves)}")
        if self.post(url, fields, "edit save"):
            _write({"edit": self.article, "marker": marker, "headline": headline})


class Staff(_Staff):
    """Records donations through the admin's Donation add form."""

    fixed_count = 0  # set from the site file
    url = "/admin/articles/donation/add/"

    def on_start(self):
        self.username = SITE["users"]["staff"][next(_staff_numbers)]
        self.gifts, self.logged_in = itertools.count(), False

    @task
    def give(self):
        if not self.logged_in:
            return self.log_in()
        page = self.form(self.url, "donation form")
        if page is None:
            return
        amount = Decimal(random.randint(100, 25_000)) / 100
        note = f"bench {self.username} #{next(self.gifts)}"
        fields = with_values(
            form_fields(page), appeal=str(SITE["appeal"]), amount=str(amount), note=note
        )
        if self.post(self.url, fields, "donation save"):
            _write({"donation": note, "amount": str(amount)})
