import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Organisation, Quote

from .admin_forms import change_form_data
from .conftest import make_article, make_organisation, make_quote


def _save_in_admin(client, obj, **changes):
    url = reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])
    response = client.post(url, change_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def article_with_history(editor_client, db):
    """An article saved twice in the admin: first with one quote, then rewritten."""
    article = make_article(
        headline="First headline", paragraphs=["Officials said one thing.", "Then more."]
    )
    make_quote(article, text="one thing", source="Officials")
    _save_in_admin(editor_client, article)
    _save_in_admin(
        editor_client,
        article,
        headline="Second headline",
        # The quote's mark taken out of the body: its index row goes.
        body="<p>Officials said one thing.</p>\n<p>Then more.</p>",
    )
    return article


def test_every_admin_save_keeps_a_revision_with_who_and_when(article_with_history, editor):
    versions = Version.objects.get_for_object(article_with_history)
    assert versions.count() == 2
    assert {v.revision.user for v in versions} == {editor}


def test_restoring_an_old_revision_brings_back_the_article_and_its_quotes(
    editor_client, article_with_history
):
    oldest = Version.objects.get_for_object(article_with_history).last()
    url = reverse("admin:articles_article_revision", args=[article_with_history.pk, oldest.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert editor_client.post(url, change_form_data(page)).status_code == 302
    article = Article.objects.get()
    assert article.headline == "First headline"
    assert [q.text for q in article.quotes.all()] == ["one thing"]


def test_the_history_page_compares_two_revisions(editor_client, article_with_history):
    history = editor_client.get(
        reverse("admin:articles_article_history", args=[article_with_history.pk])
    )
    assert "Compare the two versions" in history.content.decode()
    newer, older = Version.objects.get_for_object(article_with_history)[:2]
    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[article_with_history.pk]),
        {"older": older.pk, "newer": newer.pk},
    )
    page = response.content.decode()
    assert "<del>First</del>" in page and "<ins>Second</ins>" in page
    assert "Removed Quote: Officials" in page


def test_an_organisation_revision_carries_its_tags(editor_client, db):
    organisation = make_organisation(name="ISIS")
    _save_in_admin(editor_client, organisation, tags="armed group,")
    _save_in_admin(editor_client, organisation, tags="armed group, non-state actor")
    oldest = Version.objects.get_for_object(organisation).last()
    oldest.revision.revert(delete=True)
    assert list(Organisation.objects.get().tags.names()) == ["armed group"]


def test_writes_outside_a_revision_block_are_not_versioned_twice(db):
    article = make_article()
    with reversion.create_revision():
        article.save()
    assert Version.objects.get_for_object(article).count() == 1
    assert Quote.objects.count() == 0
