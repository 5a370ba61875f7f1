"""Attacks through the history pages django-reversion mounts in the admin: restoring an
old version (`<pk>/history/<version>/`), recovering a deleted row (`recover/<version>/`)
and comparing two versions, by each role."""

from datetime import date, timedelta

import pytest
import reversion
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from articles.models import Article, DonationAppeal, Organisation

from .admin_forms import change_form_data
from .conftest import make_appeal, make_article, make_organisation, make_quote


def _save_with_revision(obj, **fields):
    """Change and save `obj` as one admin save would, keeping a revision; its version."""
    with reversion.create_revision():
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
    return Version.objects.get_for_object(obj).first()


def _revision_url(obj, version):
    return reverse(f"admin:articles_{obj._meta.model_name}_revision", args=[obj.pk, version.pk])


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _unpublished_after_a_live_version():
    """A draft article whose history holds a version in which it was live."""
    article = make_article(headline="Rockets hit Camp Taji")
    live = _save_with_revision(article)
    _save_with_revision(article, status=Article.Status.DRAFT)
    return article, live


def test_a_tagger_cannot_restore_an_organisations_old_description(make_staff):
    organisation = make_organisation(name="ISIS")
    old = _save_with_revision(organisation, description="A militia.")
    _save_with_revision(organisation, description="An armed group, per our style guide.")
    tagger = _client(make_staff("Taggers"))
    page = tagger.get(_revision_url(organisation, old))

    tagger.post(_revision_url(organisation, old), change_form_data(page))

    organisation.refresh_from_db()
    assert organisation.description == "An armed group, per our style guide."


def test_a_tagger_can_restore_an_organisations_old_tags(make_staff):
    organisation = make_organisation(name="ISIS")
    organisation.tags.add("armed group")
    old = _save_with_revision(organisation)
    organisation.tags.clear()
    _save_with_revision(organisation)
    tagger = _client(make_staff("Taggers"))
    page = tagger.get(_revision_url(organisation, old))

    assert tagger.post(_revision_url(organisation, old), change_form_data(page)).status_code == 302

    assert list(Organisation.objects.get().tags.names()) == ["armed group"]


def test_a_tagger_cannot_republish_an_article_through_an_organisation_history_url(make_staff):
    article, live = _unpublished_after_a_live_version()
    # reversion matched the version by number and object id alone: an organisation
    # with the article's id is all the URL needs.
    organisation = make_organisation(pk=article.pk)
    tagger = _client(make_staff("Taggers"))
    form = change_form_data(
        tagger.get(reverse("admin:articles_organisation_change", args=[organisation.pk]))
    )
    url = reverse("admin:articles_organisation_revision", args=[organisation.pk, live.pk])

    response = tagger.post(url, form)

    assert Article.objects.get().status == Article.Status.DRAFT
    assert response.status_code == 404
    assert tagger.get(url).status_code == 404


def test_a_writer_cannot_unpublish_a_live_article_by_restoring_a_draft(make_staff):
    article = make_article(status=Article.Status.DRAFT, headline="Draft headline")
    draft = _save_with_revision(article)
    _save_with_revision(
        article,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
        headline="Live headline",
    )
    writer = _client(make_staff("Writers"))
    page = writer.get(_revision_url(article, draft))
    assert page.status_code == 200  # Writers may read the history of a live article

    response = writer.post(_revision_url(article, draft), change_form_data(page))

    article.refresh_from_db()
    assert (article.status, article.headline) == (Article.Status.PUBLISHED, "Live headline")
    history = reverse("admin:articles_article_history", args=[article.pk])
    assert response.status_code == 302 and response.url == history
    assert "You may not restore this version" in writer.get(history).content.decode()


def test_a_writer_cannot_publish_a_draft_by_restoring_a_live_version(make_staff):
    article, live = _unpublished_after_a_live_version()
    writer = _client(make_staff("Writers"))
    page = writer.get(_revision_url(article, live))

    writer.post(_revision_url(article, live), change_form_data(page))

    assert Article.objects.get().status == Article.Status.DRAFT


def test_a_writer_cannot_delete_a_topic_by_restoring_a_version_from_before_it(make_staff):
    other = make_article()
    other.tags.add("Iraq")
    article = make_article(status=Article.Status.DRAFT)
    untagged = _save_with_revision(article)
    article.tags.add("Iraq")
    _save_with_revision(article)
    writer = _client(make_staff("Writers"))
    page = writer.get(_revision_url(article, untagged))

    writer.post(_revision_url(article, untagged), change_form_data(page))

    # reversion deletes what the restored rows lead to but the old version lacks: the
    # topic itself, and with it every other article's tagging.
    assert list(other.tags.names()) == ["Iraq"]


def test_a_writer_cannot_restore_old_quotes_on_a_live_article(make_staff):
    article = make_article()
    quote = make_quote(article, text="Words")
    old = _save_with_revision(article)
    quote.text = "The words as corrected"
    quote.save()
    _save_with_revision(article)
    writer = _client(make_staff("Writers"))
    page = writer.get(_revision_url(article, old))

    writer.post(_revision_url(article, old), change_form_data(page))

    assert article.quotes.get().text == "The words as corrected"


def test_an_editor_restoring_an_article_keeps_a_topic_other_articles_use(editor_client):
    other = make_article()
    other.tags.add("Iraq")
    article = make_article()
    untagged = _save_with_revision(article)
    article.tags.add("Iraq")
    _save_with_revision(article)
    page = editor_client.get(_revision_url(article, untagged))

    editor_client.post(_revision_url(article, untagged), change_form_data(page))

    assert list(other.tags.names()) == ["Iraq"]


def test_a_writer_cannot_recover_an_organisation_through_the_article_recover_url(make_staff):
    organisation = make_organisation(name="ISIS", description="Kept")
    old = _save_with_revision(organisation, description="Rewritten by a writer")
    _save_with_revision(organisation, description="Kept")
    # An article the writer may change, at the id the recovered version names.
    article = make_article(pk=organisation.pk, status=Article.Status.DRAFT)
    writer = _client(make_staff("Writers"))
    form = change_form_data(
        writer.get(reverse("admin:articles_article_change", args=[article.pk]))
    )
    url = reverse("admin:articles_article_recover", args=[old.pk])

    response = writer.post(url, form)

    assert Organisation.objects.get().description == "Kept"
    assert response.status_code == 404
    assert writer.get(url).status_code == 404


def test_recover_refuses_a_version_of_a_row_that_still_exists(editor_client):
    article = make_article(headline="Old headline")
    old = _save_with_revision(article)
    _save_with_revision(article, headline="New headline")
    url = reverse("admin:articles_article_recover", args=[old.pk])
    form = change_form_data(
        editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    )

    assert editor_client.post(url, form).status_code == 404

    assert Article.objects.get().headline == "New headline"


def test_a_writer_cannot_recover_a_deleted_live_article(make_staff, editor_client):
    article = make_article(headline="Deleted story")
    version = _save_with_revision(article)
    article.delete()
    url = reverse("admin:articles_article_recover", args=[version.pk])
    form = change_form_data(editor_client.get(url))
    writer = _client(make_staff("Writers"))

    writer.post(url, form)

    assert not Article.objects.exists()


def test_an_editor_can_still_recover_a_deleted_article_with_its_quotes(editor_client):
    article = make_article(headline="Deleted story")
    make_quote(article, text="Words")
    version = _save_with_revision(article)
    article.delete()
    url = reverse("admin:articles_article_recover", args=[version.pk])

    assert editor_client.post(url, change_form_data(editor_client.get(url))).status_code == 302

    assert [q.text for q in Article.objects.get().quotes.all()] == ["Words"]


# --- Every role against every history URL of every model with history -----------------

MODEL = {"article": Article, "organisation": Organisation, "donationappeal": DonationAppeal}
FIELD = {"article": "standfirst", "organisation": "description", "donationappeal": "message"}
MAKE = {
    "article": lambda n: make_article(status=Article.Status.DRAFT),
    "organisation": lambda n: make_organisation(),
    "donationappeal": lambda n: make_appeal(campaign_month=date(2021, n, 1)),
}
MAY_VIEW = {
    "article": {"Writers", "Editors"},
    "organisation": {"Taggers", "Writers", "Editors"},
    "donationappeal": {"Editors"},
}
# Who may make the change a restore makes (the field above) and re-add a deleted row.
MAY_CHANGE = {
    "article": {"Writers", "Editors"},
    "organisation": {"Editors"},
    "donationappeal": {"Editors"},
}
ROLES = [None, "Taggers", "Writers", "Editors"]


def _expected_status(role, allowed):
    if role is None:
        return 302  # to the login page
    return 200 if role in allowed else 403


def _page_and_form(client, editor, url):
    """The page as the client gets it, and the form it would post: its own if it got
    one, else the one an editor gets (an attacker can build it by hand)."""
    page = client.get(url)
    source = page if page.status_code == 200 else editor.get(url)
    return page, change_form_data(source)


def _snapshot():
    return (Revision.objects.count(), Version.objects.count())


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("model_name", list(FIELD))
def test_each_role_can_only_do_what_its_forms_allow_on_the_history_pages(
    model_name, role, make_staff, editor_client
):
    field, model = FIELD[model_name], MODEL[model_name]
    obj = MAKE[model_name](1)
    old = _save_with_revision(obj, **{field: "old"})
    newer = _save_with_revision(obj, **{field: "new"})
    deleted = MAKE[model_name](2)
    deleted_version = _save_with_revision(deleted, **{field: "deleted"})
    deleted_pk = deleted.pk
    deleted.delete()
    client = _client(make_staff(role) if role else None)
    may_view = _expected_status(role, MAY_VIEW[model_name])
    may_change = role in MAY_CHANGE[model_name]

    def url(name, *args):
        return reverse(f"admin:articles_{model_name}_{name}", args=args)

    before = _snapshot()
    assert client.get(url("history", obj.pk)).status_code == may_view
    compare = client.get(url("compare", obj.pk), {"older": old.pk, "newer": newer.pk})
    assert compare.status_code == may_view
    revision_page, revision_form = _page_and_form(
        client, editor_client, url("revision", obj.pk, old.pk)
    )
    assert revision_page.status_code == may_view
    recover_page, recover_form = _page_and_form(
        client, editor_client, url("recover", deleted_version.pk)
    )
    assert recover_page.status_code == _expected_status(role, MAY_CHANGE[model_name])
    # Showing an old version reverts it inside a transaction that is rolled back.
    assert _snapshot() == before
    assert getattr(model.objects.get(pk=obj.pk), field) == "new"
    assert not model.objects.filter(pk=deleted_pk).exists()

    client.post(url("revision", obj.pk, old.pk), revision_form)
    client.post(url("recover", deleted_version.pk), recover_form)

    assert getattr(model.objects.get(pk=obj.pk), field) == ("old" if may_change else "new")
    assert model.objects.filter(pk=deleted_pk).exists() == may_change


def test_compare_refuses_versions_of_another_row(editor_client):
    article, other = make_article(), make_article()
    mine = _save_with_revision(article)
    theirs = _save_with_revision(other, headline="Someone else's story")
    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"older": mine.pk, "newer": theirs.pk},
    )
    assert response.status_code == 404


def test_restoring_a_version_whose_topic_was_deleted_since_is_refused_not_a_500(editor_client):
    from articles.models import TopicTag

    article = make_article(headline="Kept as it is")
    article.tags.add("Iraq")
    tagged = _save_with_revision(article)
    TopicTag.objects.get(name="Iraq").delete()
    _save_with_revision(article, headline="Edited since")
    page = editor_client.get(_revision_url(article, tagged))

    response = editor_client.post(
        _revision_url(article, tagged), change_form_data(page), follow=True
    )

    assert "deleted since" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Edited since"
    assert list(article.tags.names()) == []
