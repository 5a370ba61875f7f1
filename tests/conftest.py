import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, DonationAppeal, Organisation, Quote

SEED_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
SEED_FILE = SEED_PATH / "000_cd031a99f3c410af.txt"
FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures"
SEED_FIXTURES = ["01_organisations", "02_appeals", "03_articles"]
SEED_SLUG = "us-forces-closing-some-bases-in-iraq-following-rocket-attacks-on-camp-taji"

_sequence = count(1)


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


def make_article(*, paragraphs=None, **fields):
    n = next(_sequence)
    paragraphs = paragraphs or [f"Paragraph one of story {n}.", f"Paragraph two of story {n}."]
    fields.setdefault("headline", f"Story number {n}")
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
    return Article.objects.create(body="\n\n".join(paragraphs), **fields)


def make_quote(article, **fields):
    fields.setdefault("text", "Words")
    fields.setdefault("paragraph", 1)
    if "organisation" not in fields:
        fields.setdefault("speaker", "A spokesperson")
    return Quote.objects.create(article=article, **fields)


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


def visible_text(html):
    """What a reader sees of a page, whitespace folded."""
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


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
