from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ShareLink

from .admin_forms import change_form_data
from .conftest import make_article, visible_text


@pytest.fixture
def draft(db):
    return make_article(headline="A draft under embargo", status=Article.Status.DRAFT)


def _preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk])


def _assert_private(response):
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_anonymous_readers_are_sent_to_log_in(client, draft):
    response = client.get(_preview_url(draft))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_logged_in_reader_who_is_not_staff_cannot_preview(client, draft, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    assert client.get(_preview_url(draft)).status_code == 302


def test_staff_without_access_to_articles_are_refused(client, draft, make_staff):
    client.force_login(make_staff("Taggers"))
    assert client.get(_preview_url(draft)).status_code == 403


def test_a_writer_previews_a_draft_as_readers_will_see_it(client, draft, make_staff):
    client.force_login(make_staff("Writers"))
    response = client.get(_preview_url(draft))
    assert response.status_code == 200
    assert "A draft under embargo" in visible_text(response.content.decode())
    assert response.templates[0].name == "articles/article_detail.html"
    _assert_private(response)


def test_save_and_preview_saves_then_opens_the_preview(editor_client, draft):
    url = reverse("admin:articles_article_change", args=[draft.pk])
    page = editor_client.get(url)
    assert 'value="Save and preview" name="_preview"' in page.content.decode()
    response = editor_client.post(
        url, change_form_data(page, headline="Better headline", _preview="Save and preview")
    )
    assert response.status_code == 302
    assert response["Location"] == _preview_url(draft)
    assert Article.objects.get().headline == "Better headline"


def test_the_reader_page_of_a_draft_is_not_found(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_share_link_shows_the_draft_without_an_account(client, draft):
    link = ShareLink.objects.create(article=draft)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert "A draft under embargo" in visible_text(response.content.decode())
    _assert_private(response)


def test_share_tokens_are_long_and_unguessable(draft):
    tokens = {ShareLink.objects.create(article=draft).token for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(token) >= 40 for token in tokens)


def test_a_share_link_stops_working_when_it_expires(client, draft):
    link = ShareLink.objects.create(article=draft, expires_at=timezone.now() + timedelta(hours=1))
    with time_machine.travel(link.expires_at - timedelta(seconds=1)):
        assert client.get(link.get_absolute_url()).status_code == 200
    with time_machine.travel(link.expires_at):
        assert client.get(link.get_absolute_url()).status_code == 404


def test_a_revoked_share_link_stops_working_at_once(client, draft):
    link = ShareLink.objects.create(article=draft)
    link.is_revoked = True
    link.save()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_a_made_up_token_finds_nothing(client, draft):
    ShareLink.objects.create(article=draft)
    assert client.get(reverse("articles:share-link", args=["guess"])).status_code == 404


def test_an_editor_makes_and_revokes_a_share_link_in_the_article_form(editor_client, draft):
    url = reverse("admin:articles_article_change", args=[draft.pk])
    page = editor_client.get(url)
    data = change_form_data(page)
    data.update({"share_links-TOTAL_FORMS": "1", "share_links-0-note": "Our lawyer"})
    expires = timezone.localtime() + timedelta(days=3)
    data["share_links-0-expires_at_0"] = expires.strftime("%d/%m/%Y")  # en-gb input format
    data["share_links-0-expires_at_1"] = "12:00:00"
    assert editor_client.post(url, data).status_code == 302
    link = ShareLink.objects.get()
    assert (link.note, link.created_by.username) == ("Our lawyer", "editor")

    page = editor_client.get(url)
    assert link.get_absolute_url() in page.content.decode()
    editor_client.post(url, change_form_data(page, **{"share_links-0-is_revoked": "on"}))
    assert not ShareLink.objects.active().exists()


def test_a_writer_makes_a_share_link_for_their_draft(client, draft, make_staff):
    client.force_login(make_staff("Writers"))
    url = reverse("admin:articles_article_change", args=[draft.pk])
    data = change_form_data(client.get(url))
    expires = timezone.localtime() + timedelta(days=1)
    data.update(
        {
            "share_links-TOTAL_FORMS": "1",
            "share_links-0-note": "The source",
            "share_links-0-expires_at_0": expires.strftime("%d/%m/%Y"),
            "share_links-0-expires_at_1": "12:00:00",
        }
    )
    assert client.post(url, data).status_code == 302
    assert ShareLink.objects.active().get().article == draft
