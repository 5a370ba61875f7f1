import html
import os
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from articles import services
from articles.models import Article, Donation, DonationAppeal, Organisation, Person
from articles.rendering.html import clean_body, split_blocks

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures"
# The scraped page the seed fixtures were made from ships with the repository, so a bare
# clone runs the whole suite with nothing beside it.
SEED_FILE = FIXTURE_DIR / "source" / "000_cd031a99f3c410af.txt"
SEED_FIXTURES = ["01_organisations", "02_appeals", "03_articles"]
SEED_SLUG = "us-forces-closing-some-bases-in-iraq-following-rocket-attacks-on-camp-taji"

_sequence = count(1)


def pytest_collection_modifyitems(config, items):
    """Leave out tests of the other database's features: `make test` runs the suite once
    on each, so they run in the other pass instead of showing here as skipped."""
    from django.db import connection

    keep, other = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        (other if marker and marker.args[0] != connection.vendor else keep).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = keep


CHROMIUM = Path("/usr/bin/chromium")
# As root and on a closed network: no sandbox, and no calls home that would time out.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(autouse=True)
def _empty_cache():
    # The Redis run shares one server between tests: start each from an empty cache.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def seed(db):
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)
    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the purges a save schedules, as the real commit would (tests run inside a
    transaction that never commits)."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, driven by Playwright.

    Where either is missing the browser tests skip and say why, except under CI=true,
    where a skipped browser test would hide a broken install: there they fail.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright, reason = None, "the playwright package is not installed"
    else:
        reason = None if CHROMIUM.exists() else f"{CHROMIUM} is missing: apt-get install chromium"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests must run under CI, but {reason}.", pytrace=False)
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database calls from a thread with a running loop; the test's own calls are safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(
        username="editor", email="editor@example.org", password="correct horse battery"
    )


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def make_organisation(**fields):
    n = next(_sequence)
    fields.setdefault("name", f"Organisation {n}")
    return Organisation.objects.create(**fields)


def make_appeal(**fields):
    fields.setdefault("campaign_month", date(2021, 3, 1))
    fields.setdefault("goal", Decimal("5000"))
    return DonationAppeal.objects.create(**fields)


def make_donation(appeal, amount, *, at, **fields):
    """A ledger entry as if recorded at `at` (the appeal box prints when it was updated)."""
    with time_machine.travel(at, tick=False):
        return Donation.objects.create(appeal=appeal, amount=Decimal(amount), **fields)


def make_article(*, paragraphs=None, **fields):
    n = next(_sequence)
    paragraphs = paragraphs or [f"Paragraph one of story {n}.", f"Paragraph two of story {n}."]
    fields.setdefault("headline", f"Story number {n}")
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
    article = Article.objects.create(body="\n\n".join(paragraphs), **fields)
    services.article_index_quotes(article=article)
    return article


def make_person(**fields):
    n = next(_sequence)
    fields.setdefault("name", f"Person {n}")
    return Person.objects.create(**fields)


def make_quote(
    article, *, text="Words", paragraph=1, paragraph_count=1, attribution="", key=None, **speaker
):
    """A quote as an editor marks it: `text` wrapped in a mark where paragraph
    `paragraph` holds it (else added to that paragraph, marked; or, for a quote over
    several paragraphs, its whole paragraphs marked), the body saved and the index
    rebuilt. The speaker: `person=`, `organisation=` or `source=` (a
    spokesperson by default)."""
    key = key or f"t{next(_sequence)}"
    opening = quote_mark(key, attribution=attribution, **speaker)
    blocks = split_blocks(article.body)
    if paragraph_count == 1:
        # A paragraph the sanitiser emptied (a payload of tags alone) is there again.
        blocks += ["<p></p>"] * (paragraph - len(blocks))
    first = blocks[paragraph - 1] if paragraph <= len(blocks) else ""
    pieces = [html.escape(piece, quote=False) for piece in text.split("\n\n")]
    found = [
        blocks[paragraph - 1 + offset].rfind(piece) if paragraph - 1 + offset < len(blocks) else -1
        for offset, piece in enumerate(pieces)
    ]
    if all(at > 0 for at in found) and "<" not in text:
        for offset, (piece, at) in enumerate(zip(pieces, found, strict=True)):
            block = blocks[paragraph - 1 + offset]
            end = at + len(piece)
            blocks[paragraph - 1 + offset] = (
                f"{block[:at]}{opening}{block[at:end]}</q>{block[end:]}"
            )
    elif paragraph_count == 1:
        # Words the paragraph does not hold: added to its end, marked.
        words = html.escape(text, quote=False)
        blocks[paragraph - 1] = f"{first[:-4]} {opening}{words}</q></p>"
    else:
        for index in range(paragraph - 1, paragraph - 1 + paragraph_count):
            tag, inner = blocks[index][:3], blocks[index][3:-4]
            blocks[index] = f"{tag}{opening}{inner}</q></p>"
    # Written as it stands, not through save(): a factory's mark is not an editor's edit
    # (save() would stamp a published article "Updated").
    article.body = clean_body("\n".join(blocks))
    Article.objects.filter(pk=article.pk).update(body=article.body)
    services.article_index_quotes(article=article)
    return article.quotes.get(key=key)


def quote_mark(key, *, person=None, organisation=None, source=None, attribution=""):
    """The opening tag of a quote mark."""
    if person is not None:
        speaker = f'data-person="{person.pk}"'
    elif organisation is not None:
        speaker = f'data-organisation="{organisation.pk}"'
    else:
        speaker = f'data-source="{html.escape(source or "A spokesperson")}"'
    if attribution:
        speaker += f' data-attribution="{html.escape(attribution)}"'
    return f'<q data-quote="{key}" {speaker}>'


MARCH_2021 = datetime(2021, 3, 1, tzinfo=UTC)
STORY_SLUG = "us-forces-closing-some-bases-in-iraq"
STORY_PARAGRAPHS = [
    "The US-led coalition has opted to leave some of its smaller bases in Iraq after the "
    "rocket attacks on Camp Taji.",
    "Officials credit the fight against Daesh; the casualties tell another story.",
    "“As a result of the success of Iraqi Security Forces in their fight against ISIS, the "
    "Coalition is re-positioning troops from a few smaller bases,” the US-led coalition said.",
    "“The Coalition remains in Iraq at the invitation of the Government of Iraq.”",
    "Ausbat al-Thaayirin claimed the attack, citing the killing of a commander of the "
    "Iraqi Popular Mobilization Units.",
]


def make_story():
    """A published story of the seed page's shape in a few rows: the appeal at 671 $ of
    5,000 $ for March 2021, three topics, the coalition (quoted twice) and ISIS."""
    appeal = make_appeal(
        is_active=True,
        goal=Decimal("5000"),
        message="Do you like this content? Consider helping us!",
    )
    make_donation(appeal, "671", at=MARCH_2021, received_date=MARCH_2021.date())
    coalition = make_organisation(
        name="US-led coalition", aliases="Coalition\nCombined Joint Task Force\nCJTF-OIR"
    )
    coalition.tags.add("state actor")
    isis = make_organisation(name="ISIS", aliases="Daesh\nIslamic State\nISIL")
    isis.tags.add("armed group")
    article = make_article(
        headline="U.S. Forces Closing Some Bases In Iraq Following Rocket Attacks On Camp Taji",
        slug=STORY_SLUG,
        paragraphs=STORY_PARAGRAPHS,
        published_at=MARCH_2021,
        show_publication_date=False,
        appeal=appeal,
    )
    article.tags.add("Iraq", "US military", "Camp Taji")
    article.organisations.add(coalition, isis)
    make_quote(
        article,
        organisation=coalition,
        text="As a result of the success of Iraqi Security Forces in their fight against ISIS, "
        "the Coalition is re-positioning troops from a few smaller bases",
        attribution="the US-led coalition said",
        paragraph=3,
        key="q1",
    )
    make_quote(
        article,
        organisation=coalition,
        text="The Coalition remains in Iraq at the invitation of the Government of Iraq.",
        paragraph=4,
        key="q2",
    )
    return article


@pytest.fixture
def story(db):
    return make_story()


class _VisibleText(HTMLParser):
    hidden = {"head", "script", "style", "title", "template"}
    inline = {"a", "abbr", "b", "cite", "em", "i", "span", "strong", "time", "small", "mark"}

    def __init__(self):
        super().__init__()
        self.parts, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.hidden:
            self.depth += 1
        elif tag not in self.inline:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.hidden:
            self.depth -= 1
        elif tag not in self.inline:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def appeal_bar(response):
    """The appeal bar's HTML on a page."""
    html = response.content.decode()
    return re.search(r'<section class="appeal-bar.*?</section>', html, re.S).group()


def visible_text(html):
    """What a reader sees of a page, whitespace folded."""
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


@pytest.fixture
def two_editors(make_staff):
    """Two editors' browsers, for edit conflicts."""
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(make_staff("Editors"))
    second.force_login(make_staff("Editors"))
    return first, second


@pytest.fixture
def run_worker(settings, db, monkeypatch):
    """Tasks stored by the database backend, as in production (the test settings run them
    on commit instead), and a worker that runs every task due now, in this process, over
    the rows the test's transaction holds, then stops: `manage.py db_worker`'s."""
    from articles.management.commands import db_worker

    settings.TASKS = {"default": {"BACKEND": "articles.tasks.backends.NotifyingDatabaseBackend"}}
    # Between tasks the worker closes a connection found inside a transaction, as the
    # test's is: on PostgreSQL that would end the test's transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        db_worker.Worker(**worker_options(batch=True, interval=0)).run()

    return run


def worker_options(**options):
    """The arguments `manage.py db_worker` gives its Worker, with `options` changed."""
    return {
        "queue_names": ["default"],
        "interval": 1,
        "batch": False,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
    } | options


@pytest.fixture
def make_staff(django_user_model):
    """A staff account in one of the newsroom's groups (created by a data migration)."""
    from django.contrib.auth.models import Group

    def make(role):
        user = django_user_model.objects.create_user(
            username=f"{role.lower()}-{next(_sequence)}", password="pw", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def media_root(settings, tmp_path):
    """An empty MEDIA_ROOT of the test's own, to see exactly what a test stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def reader_site(db):
    """A small published site: one article in March 2021 with a topic, an organisation
    with an alias and a tag, and a statement by it."""
    isis = make_organisation(name="ISIS", aliases="Daesh")
    isis.tags.add("armed group")
    article = make_article(
        headline="Coalition leaves bases",
        paragraphs=["The coalition said it would leave.", "We will leave, the coalition said."],
        published_at=datetime(2021, 3, 10, 12, tzinfo=UTC),
    )
    article.tags.add("Iraq")
    article.organisations.add(isis)
    make_quote(article, organisation=isis, text="We will leave", paragraph=2)
    make_appeal(is_active=True)
    return article


# Every reader page that renders HTML, for the tests that walk them all.
READER_PAGES = [
    "/",
    "/?page=2",
    "/archive/",
    "/2021/",
    "/2021/03/",
    "/organisations/",
    "/organisations/?tag=armed-group",
    "/organisations/?letter=I",
    "/organisations/isis/",
    "/organisations/tags/armed-group/",
    "/quotes/",
    "/quotes/?organisation=isis",
    "/topics/",
    "/topics/iraq/",
    "/search/",
    "/search/?q=daesh",
    "/appeals/",
    "/articles/coalition-leaves-bases/",
]
MACHINE_PAGES = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/topics/iraq/rss/",
    "/topics/iraq/atom/",
    "/organisations/isis/rss/",
    "/organisations/isis/atom/",
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/sitemap-articles.xml",
    "/sitemap-news.xml",
    "/sitemap-organisations.xml",
    "/sitemap-topics.xml",
    "/sitemap-archives.xml",
    "/robots.txt",
]


@pytest.fixture
def fake_stripe(settings):
    """Stripe's API on a local port (tests/fake_stripe.py), with test keys pointing at it."""
    from .fake_stripe import FakeStripe

    with FakeStripe() as stripe:
        settings.STRIPE_SECRET_KEY = "sk_test_newsroom"
        settings.STRIPE_API_BASE = stripe.url
        settings.STRIPE_REDIRECT_ORIGINS = [stripe.url]
        yield stripe
