"""`manage.py relink_mentions`: every article, in batches, with progress, resumable."""

import io

import pytest
from django.core.management import call_command

from .conftest import make_article, make_organisation

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("relink_mentions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _articles(count):
    make_organisation(name="ISIS", aliases="Daesh")
    return [make_article(paragraphs=[f"Daesh attack number {n}."]) for n in range(count)]


def test_it_links_every_article_in_batches_with_a_progress_bar():
    articles = _articles(7)
    out, err = _run("--batch-size", "3")
    assert all(a.organisations.get().name == "ISIS" for a in articles)
    assert "Relinked 7 article(s): 7 link(s) added, 0 removed." in out
    assert err.count("\r[") == 3  # one update a batch
    assert f"7/7 articles, last id {articles[-1].pk}" in err


def test_it_resumes_after_an_id():
    articles = _articles(5)
    out, _ = _run("--after-id", str(articles[2].pk))
    assert "Relinked 2 article(s)" in out
    assert [a.organisations.exists() for a in articles] == [False, False, False, True, True]


def test_running_it_again_changes_nothing():
    _articles(3)
    _run()
    out, _ = _run()
    assert "0 link(s) added, 0 removed" in out
