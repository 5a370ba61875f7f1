from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article

from .admin_forms import change_form_data
from .conftest import make_article, visible_text

NOON = datetime(2021, 3, 8, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def test_a_scheduled_article_appears_by_itself_at_its_moment(client, db, frozen):
    article = make_article(headline="Embargoed story", published_at=NOON + timedelta(hours=1))
    home = reverse("articles:home")

    frozen.move_to(NOON + timedelta(minutes=59, seconds=59))
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Embargoed story" not in client.get(home).content.decode()

    frozen.move_to(NOON + timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 200
    assert "Embargoed story" in client.get(home).content.decode()


def test_unpublishing_takes_the_page_down_at_once(client, db):
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    services.article_unpublish(article=article)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert Article.objects.get().status == Article.Status.DRAFT


def test_publishing_keeps_the_date_of_an_article_taken_down_by_mistake(db):
    article = make_article()
    first_date = article.published_at
    services.article_unpublish(article=article)
    services.article_publish(article=article)
    assert Article.objects.get().published_at == first_date


def test_publishing_a_draft_dates_it_now(db, frozen):
    article = make_article(status=Article.Status.DRAFT)
    services.article_publish(article=article)
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Article.Status.PUBLISHED, NOON)


def test_an_image_without_alt_text_cannot_be_published(db, media_root):
    article = make_article(status=Article.Status.DRAFT)
    article.lead_image = SimpleUploadedFile("photo.gif", _GIF, content_type="image/gif")
    article.save()
    with pytest.raises(services.PublishError, match="alt text"):
        services.article_publish(article=article)
    article.lead_image_alt = "Soldiers at a launcher"
    article.save()
    services.article_publish(article=article)
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_an_edit_after_publication_shows_updated_to_readers(client, db, frozen):
    article = make_article(published_at=NOON - timedelta(days=1))
    article.body += "\n\nA new paragraph with the latest figures."
    article.save()
    text = visible_text(client.get(article.get_absolute_url()).content.decode())
    assert "Updated 8 March 2021, 12:00" in text


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({}, id="a resave that changes nothing"),
        pytest.param({"show_publication_date": False}, id="a bookkeeping field"),
        pytest.param({"status": Article.Status.DRAFT}, id="taking it down"),
    ],
)
def test_a_technical_save_does_not_count_as_an_update(db, change):
    article = make_article()
    for name, value in change.items():
        setattr(article, name, value)
    article.save()
    assert Article.objects.get().content_updated_at is None


def test_changes_before_publication_do_not_count_as_an_update(db, frozen):
    article = make_article(published_at=NOON + timedelta(hours=2))  # scheduled
    article.headline = "A better headline"
    article.save()
    assert Article.objects.get().content_updated_at is None


def test_the_bulk_actions_publish_and_unpublish(editor_client, db):
    draft = make_article(status=Article.Status.DRAFT)
    live = make_article()
    url = reverse("admin:articles_article_changelist")
    editor_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    editor_client.post(url, {"action": "unpublish", "_selected_action": [live.pk]})
    assert Article.objects.get(pk=draft.pk).is_published
    assert Article.objects.get(pk=live.pk).status == Article.Status.DRAFT


def test_the_bulk_publish_explains_what_it_refused(editor_client, db, media_root):
    article = make_article(status=Article.Status.DRAFT)
    article.lead_image = SimpleUploadedFile("photo.gif", _GIF, content_type="image/gif")
    article.save()
    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "Not published" in response.content.decode()
    assert Article.objects.get().status == Article.Status.DRAFT


def test_the_admin_form_refuses_to_publish_an_image_without_alt_text(editor_client, db):
    article = make_article(status=Article.Status.DRAFT)
    Article.objects.filter(pk=article.pk).update(lead_image="articles/photo.jpg")
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = editor_client.get(url)
    response = editor_client.post(url, change_form_data(page, status="published"))
    assert response.status_code == 200
    assert "alt text" in str(response.context["adminform"].form.errors)


def test_the_changelist_tells_scheduled_from_live(editor_client, db):
    make_article(headline="Later", published_at=timezone.now() + timedelta(days=1))
    response = editor_client.get(reverse("admin:articles_article_changelist"))
    assert "Scheduled" in response.content.decode()


_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def test_updated_shows_even_where_the_publication_date_is_hidden(client, db, frozen):
    article = make_article(published_at=NOON - timedelta(days=1), show_publication_date=False)
    article.headline = "A corrected headline"
    article.save()
    text = visible_text(client.get(article.get_absolute_url()).content.decode())
    assert "Updated 8 March 2021, 12:00" in text
