"""A quote edited in the Quote admin is an edit of its article: an article form opened
before it is refused, rather than writing the old quotes back."""

from django.test import Client
from django.urls import reverse

from articles.models import Article, Quote

from .admin_forms import change_form_data
from .conftest import make_article, make_quote

CONFLICT = "Someone else saved this article while you were editing it"


def _article_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _quote_url(quote):
    return reverse("admin:articles_quote_change", args=[quote.pk])


def _refused(response):
    return response.status_code == 200 and CONFLICT in str(
        response.context["adminform"].form.non_field_errors()
    )


def test_a_stale_article_form_does_not_write_back_a_quote_changed_meanwhile(two_editors):
    first, second = two_editors
    article = make_article(paragraphs=["Officials said one thing.", "Then more."])
    quote = make_quote(article, text="one thing", speaker="Officials")
    stale = first.get(_article_url(article))

    saved = second.post(
        _quote_url(quote), change_form_data(second.get(_quote_url(quote)), text="said one thing")
    )
    assert saved.status_code == 302
    response = first.post(_article_url(article), change_form_data(stale, byline="First"))

    assert _refused(response)
    assert Quote.objects.get().text == "said one thing"
    assert Article.objects.get().byline == ""


def test_a_quote_added_in_the_quote_admin_makes_an_open_article_form_stale(two_editors):
    first, second = two_editors
    article = make_article()
    stale = first.get(_article_url(article))

    added = second.post(
        reverse("admin:articles_quote_add"),
        {"article": article.pk, "text": "Words", "speaker": "A source", "paragraph": 2}
        | {"paragraph_count": 1},
    )
    assert added.status_code == 302

    assert _refused(first.post(_article_url(article), change_form_data(stale, byline="x")))
    assert Quote.objects.get().article == article


def test_a_quote_deleted_in_the_quote_admin_makes_an_open_article_form_stale(two_editors):
    first, second = two_editors
    article = make_article()
    quote = make_quote(article, text="Words")
    stale = first.get(_article_url(article))

    deleted = second.post(reverse("admin:articles_quote_delete", args=[quote.pk]), {"post": "yes"})
    assert deleted.status_code == 302

    assert _refused(first.post(_article_url(article), change_form_data(stale, byline="x")))
    assert not Quote.objects.exists()


def test_a_quote_moved_to_another_article_makes_both_open_forms_stale(two_editors):
    first, second = two_editors
    article, other = make_article(), make_article()
    quote = make_quote(article, text="Words")
    stale, stale_other = first.get(_article_url(article)), first.get(_article_url(other))

    second.post(
        _quote_url(quote), change_form_data(second.get(_quote_url(quote)), article=str(other.pk))
    )

    assert _refused(first.post(_article_url(article), change_form_data(stale, byline="x")))
    assert _refused(first.post(_article_url(other), change_form_data(stale_other, byline="x")))


def test_a_bulk_delete_of_quotes_makes_their_articles_forms_stale(two_editors):
    first, second = two_editors
    article = make_article()
    quote = make_quote(article, text="Words")
    stale = first.get(_article_url(article))

    second.post(
        reverse("admin:articles_quote_changelist"),
        {"action": "delete_selected", "_selected_action": [quote.pk], "post": "yes"},
    )

    assert not Quote.objects.exists()
    assert _refused(first.post(_article_url(article), change_form_data(stale, byline="x")))


def test_a_writer_cannot_add_a_quote_to_a_live_article_from_the_quote_admin(make_staff):
    writer = Client()
    writer.force_login(make_staff("Writers"))
    live = make_article()

    response = writer.post(
        reverse("admin:articles_quote_add"),
        {"article": live.pk, "text": "Invented", "speaker": "Nobody", "paragraph": 1}
        | {"paragraph_count": 1},
    )

    assert response.status_code == 200
    assert not Quote.objects.exists()


def test_a_writer_cannot_move_a_quote_onto_a_live_article(make_staff):
    writer = Client()
    writer.force_login(make_staff("Writers"))
    draft, live = make_article(status=Article.Status.DRAFT), make_article()
    quote = make_quote(draft, text="Words")

    response = writer.post(
        _quote_url(quote), change_form_data(writer.get(_quote_url(quote)), article=str(live.pk))
    )

    assert response.status_code == 200
    assert Quote.objects.get().article == draft
