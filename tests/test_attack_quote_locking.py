"""Quotes live in the article body as marks; the Quote rows are an index rebuilt on save.

So a quote is changed only through its article's form, under the article's edit lock
and its role rules, and nobody can add, change, move or delete an index row by hand."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Quote

from .admin_forms import change_form_data
from .conftest import make_article, make_organisation, make_person, make_quote

CONFLICT = "Someone else saved this article while you were editing it"


def _article_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _quote_url(quote, view="change"):
    return reverse(f"admin:articles_quote_{view}", args=[quote.pk])


def _refused(response):
    return response.status_code == 200 and CONFLICT in str(
        response.context["adminform"].form.non_field_errors()
    )


def _body_errors(response):
    return " ".join(response.context["adminform"].form.errors.get("body", []))


def test_a_stale_article_form_does_not_write_back_a_quote_changed_meanwhile(two_editors):
    first, second = two_editors
    article = make_article(paragraphs=["Officials said one thing.", "Then more."])
    make_quote(article, text="one thing", source="Officials", key="a")
    stale = first.get(_article_url(article))

    changed = '<p>Officials <q data-quote="a" data-source="Officials">said one thing</q>.</p>'
    saved = second.post(
        _article_url(article),
        change_form_data(second.get(_article_url(article)), body=f"{changed}<p>Then more.</p>"),
    )
    assert saved.status_code == 302
    response = first.post(_article_url(article), change_form_data(stale, byline="First"))

    assert _refused(response)
    assert Quote.objects.get().text == "said one thing"
    assert Article.objects.get().byline == ""


def test_marking_words_in_the_form_adds_a_quote_and_removing_the_mark_removes_it(two_editors):
    editor, _ = two_editors
    article = make_article(paragraphs=["“We stay,” the ministry said."])
    ministry = make_organisation(name="The Ministry")
    marked = (
        f'<p>“<q data-quote="m1" data-organisation="{ministry.pk}" '
        'data-attribution="the ministry said">We stay</q>,” the ministry said.</p>'
    )
    page = editor.get(_article_url(article))
    assert (
        editor.post(_article_url(article), change_form_data(page, body=marked)).status_code == 302
    )
    quote = Quote.objects.get()
    assert (quote.key, quote.organisation, quote.text) == ("m1", ministry, "We stay")

    page = editor.get(_article_url(article))
    unmarked = "<p>“We stay,” the ministry said.</p>"
    assert (
        editor.post(_article_url(article), change_form_data(page, body=unmarked)).status_code
        == 302
    )
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    "mark, error",
    [
        ('<q data-quote="a">We stay</q>', "has no speaker"),
        ('<q data-quote="a" data-person="999999">We stay</q>', "does not exist"),
        ('<q data-quote="a" data-organisation="999999">We stay</q>', "does not exist"),
        ('<q data-quote="a" data-source="x" data-person="{person}">We stay</q>', "more than one"),
    ],
)
def test_a_mark_without_one_known_speaker_is_a_form_error_and_nothing_is_saved(
    two_editors, mark, error
):
    editor, _ = two_editors
    article = make_article(paragraphs=["We stay."])
    person = make_person()
    page = editor.get(_article_url(article))
    body = f"<p>{mark.format(person=person.pk)}.</p>"

    response = editor.post(_article_url(article), change_form_data(page, body=body, byline="x"))

    assert response.status_code == 200
    assert error in _body_errors(response)
    article.refresh_from_db()
    assert (article.body, article.byline) == ("<p>We stay.</p>", "")
    assert not Quote.objects.exists()


def test_nobody_adds_changes_moves_or_deletes_an_index_row_by_hand(two_editors):
    first, _ = two_editors
    article, other = make_article(), make_article()
    quote = make_quote(article, text="Words")

    assert first.get(reverse("admin:articles_quote_add")).status_code == 403
    first.post(_quote_url(quote), {"article": other.pk, "text": "Invented"})
    first.post(_quote_url(quote, "delete"), {"post": "yes"})
    first.post(
        reverse("admin:articles_quote_changelist"),
        {"action": "delete_selected", "_selected_action": [quote.pk], "post": "yes"},
    )

    assert list(Quote.objects.values_list("article", "text")) == [(article.pk, "Words")]


def test_a_writer_cannot_mark_a_quote_in_a_live_article(make_staff):
    writer = Client()
    writer.force_login(make_staff("Writers"))
    live = make_article(paragraphs=["We stay."])

    page = writer.get(_article_url(live))
    assert "body" not in page.context["adminform"].form.fields
    writer.post(
        _article_url(live),
        {"body": '<p><q data-quote="a" data-source="Nobody">We stay</q>.</p>'},
    )

    assert not Quote.objects.exists()
    assert Article.objects.get().body == "<p>We stay.</p>"
