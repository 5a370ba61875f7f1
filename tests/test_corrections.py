from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction

from .admin_forms import change_form_data
from .conftest import make_article, visible_text


def _correct(article, days_ago, wrong, right):
    return Correction.objects.create(
        article=article,
        published_at=timezone.now() - timedelta(days=days_ago),
        what_was_wrong=wrong,
        what_is_right=right,
    )


def test_readers_see_the_corrections_on_the_article_in_order(client, db):
    article = make_article()
    _correct(article, 1, "It said 12 rockets.", "It was 21.")
    _correct(article, 3, "It named the wrong base.", "It was Camp Taji.")
    text = visible_text(client.get(article.get_absolute_url()).content.decode())
    first, second = text.index("wrong base"), text.index("12 rockets")
    assert "Corrections" in text
    assert first < second


def test_the_model_gives_the_notes_in_order_for_structured_data(db):
    article = make_article()
    later = _correct(article, 1, "a", "b")
    earlier = _correct(article, 2, "c", "d")
    assert list(article.corrections.all()) == [earlier, later]


def test_the_corrections_page_lists_them_all_newest_first(client, db):
    older = _correct(make_article(headline="Older story"), 5, "Old mistake.", "Old fix.")
    newer = _correct(make_article(headline="Newer story"), 1, "New mistake.", "New fix.")
    hidden = make_article(headline="Taken down", status=Article.Status.DRAFT)
    Correction.objects.create(article=hidden, what_was_wrong="x", what_is_right="y")
    text = visible_text(client.get(reverse("articles:corrections")).content.decode())
    assert text.index(newer.article.headline) < text.index(older.article.headline)
    assert "Taken down" not in text


def test_an_editor_adds_a_correction_inline(editor_client, db):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url))
    data.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-published_at_0": timezone.localtime().strftime("%d/%m/%Y"),
            "corrections-0-published_at_1": "09:00:00",
            "corrections-0-what_was_wrong": "An earlier version said 12 rockets.",
            "corrections-0-what_is_right": "It was 21.",
        }
    )
    assert editor_client.post(url, data).status_code == 302
    assert article.corrections.get().what_is_right == "It was 21."


def test_a_draft_has_no_corrections_form(editor_client, db):
    article = make_article(status=Article.Status.DRAFT)
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "corrections-TOTAL_FORMS" not in page.content.decode()
