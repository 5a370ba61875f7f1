"""The admin's "Import from text" page and the mentions shown on the article form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article, Organisation, Quote

from .admin_forms import change_form_data
from .conftest import SEED_FILE, make_article, make_organisation

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:articles_article_import")
SEED = SEED_FILE.read_text(encoding="utf-8")


def _post(client, **data):
    data = {"text": "", "publish": "", "dry_run": "", **data}
    return client.post(IMPORT_URL, {k: v for k, v in data.items() if v != ""})


def test_the_article_list_links_to_the_import_page(editor_client):
    response = editor_client.get(reverse("admin:articles_article_changelist"))
    assert IMPORT_URL in response.content.decode()
    assert editor_client.get(IMPORT_URL).status_code == 200


def test_pasted_text_becomes_a_draft_and_opens_its_form(editor_client):
    response = _post(editor_client, text=SEED)
    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_change", args=[article.pk])
    assert article.status == Article.Status.DRAFT
    assert Quote.objects.count() == 2


def test_an_uploaded_file_is_imported(editor_client):
    upload = SimpleUploadedFile("story.txt", SEED.encode(), content_type="text/plain")
    response = editor_client.post(IMPORT_URL, {"file": upload, "publish": "on"})
    assert response.status_code == 302
    assert Article.objects.published().count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "0 $\n2,500 $\n5,000 $\n671 $\nMARCH 2021"}, "no headline"),
        ({"file": b"\x00\x01\x02"}, "the file is binary"),
        ({"file": "Café".encode("latin-1")}, "not UTF-8 text"),
        ({}, "Paste the text or choose a file"),
        ({"file": b""}, "The submitted file is empty."),
    ],
)
def test_bad_input_is_shown_as_an_error_and_nothing_is_written(editor_client, data, message):
    if "file" in data:
        data["file"] = SimpleUploadedFile("page.txt", data["file"])
    response = editor_client.post(IMPORT_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_a_dry_run_lists_the_changes_and_writes_nothing(editor_client):
    response = _post(editor_client, text=SEED, dry_run="on")
    page = response.content.decode()
    assert "Dry run: nothing was written" in page
    assert "Would create organisation “US-led coalition” (to review)" in page
    assert not Article.objects.exists()
    assert not Organisation.objects.exists()


def test_the_import_page_needs_the_add_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("reader", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(IMPORT_URL).status_code == 403


def test_the_article_form_highlights_the_mentions_in_the_body(editor_client, story):
    make_organisation(
        name="Popular Mobilization Units", aliases="Iraqi Popular Mobilization Units"
    )
    page = editor_client.get(reverse("admin:articles_article_change", args=[story.pk]))
    html = page.content.decode()
    assert '<mark title="ISIS">Daesh</mark>' in html
    assert '<mark title="Popular Mobilization Units">Iraqi Popular Mobilization Units</mark>' in (
        html
    )
    assert "Removed by hand: none" in html


def test_saving_the_form_keeps_the_editor_s_removal(editor_client):
    isis = make_organisation(name="ISIS")
    front = make_organisation(name="Northern Front")
    article = make_article(paragraphs=["ISIS attacked the town."])
    url = reverse("admin:articles_article_change", args=[article.pk])

    def save(**changes):
        return editor_client.post(url, change_form_data(editor_client.get(url), **changes))

    save(organisations=[front.pk])
    assert set(article.organisations.all()) == {isis, front}  # named, and added by hand

    # The text stops naming ISIS: it goes, the organisation added by hand stays.
    save(organisations=[isis.pk, front.pk], body="Calm.")
    assert set(article.organisations.all()) == {front}
    save(organisations=[front.pk], body="ISIS again.")
    assert set(article.organisations.all()) == {isis, front}

    response = save(organisations=[])
    assert response.status_code == 302
    assert set(article.organisations.all()) == set()
    assert set(article.excluded_organisations.all()) == {isis, front}


def test_a_writer_imports_drafts_but_cannot_publish_by_import(client, make_staff):
    client.force_login(make_staff("Writers"))
    response = _post(client, text=SEED, publish="on")
    assert response.status_code == 200
    assert "You may import drafts only" in response.content.decode()
    assert not Article.objects.exists()
    assert _post(client, text=SEED).status_code == 302
    assert Article.objects.get().status == Article.Status.DRAFT
