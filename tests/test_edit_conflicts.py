"""Two editors, two browsers, one article: the second, stale save is refused."""

import pytest
from django.urls import reverse

from articles.models import Article, DonationAppeal, Organisation

from .admin_forms import change_form_data
from .conftest import make_appeal, make_article, make_organisation


def test_the_second_stale_save_of_an_article_is_refused(two_editors):
    first, second = two_editors
    article = make_article(headline="Rockets hit Camp Taji")
    url = reverse("admin:articles_article_change", args=[article.pk])
    first.post(url, change_form_data(first.get(url)))  # a save that keeps a revision
    first_page, second_page = first.get(url), second.get(url)

    saved = first.post(url, change_form_data(first_page, headline="Rockets hit Camp Taji again"))
    assert saved.status_code == 302
    refused = second.post(url, change_form_data(second_page, standfirst="Second's summary"))

    assert refused.status_code == 200
    message = str(refused.context["adminform"].form.non_field_errors())
    assert "Someone else saved this article while you were editing it" in message
    assert "not</em> saved" in message
    # What changed meanwhile, word by word: the first editor added "again".
    assert "<strong>Headline</strong>" in message
    assert "<ins>again</ins>" in message
    article.refresh_from_db()
    assert article.headline == "Rockets hit Camp Taji again"
    assert article.standfirst == ""


def test_the_refused_editor_can_save_after_reopening(two_editors):
    first, second = two_editors
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    stale = second.get(url)
    first.post(url, change_form_data(first.get(url), headline="First"))
    assert second.post(url, change_form_data(stale, byline="Second")).status_code == 200
    assert second.post(url, change_form_data(second.get(url), byline="Second")).status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.byline) == ("First", "Second")


def test_a_bulk_unpublish_also_makes_an_open_form_stale(two_editors):
    first, second = two_editors
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = second.get(url)
    first.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    assert second.post(url, change_form_data(page, byline="x")).status_code == 200
    assert Article.objects.get().status == Article.Status.DRAFT


@pytest.mark.parametrize(
    ("model", "make", "field"),
    [
        (Organisation, make_organisation, "description"),
        (DonationAppeal, make_appeal, "message"),
    ],
)
def test_organisations_and_appeals_are_protected_the_same_way(two_editors, model, make, field):
    first, second = two_editors
    obj = make()
    url = reverse(f"admin:articles_{model._meta.model_name}_change", args=[obj.pk])
    first_page, second_page = first.get(url), second.get(url)
    assert first.post(url, change_form_data(first_page, **{field: "First"})).status_code == 302
    refused = second.post(url, change_form_data(second_page, **{field: "Second"}))
    assert refused.status_code == 200
    assert "Someone else saved this" in str(refused.context["adminform"].form.non_field_errors())
    assert getattr(model.objects.get(), field) == "First"


def test_without_history_it_shows_where_the_saved_version_and_the_form_differ(two_editors):
    first, second = two_editors
    article = make_article(headline="Imported headline")  # no revision kept yet
    url = reverse("admin:articles_article_change", args=[article.pk])
    first_page, second_page = first.get(url), second.get(url)
    first.post(url, change_form_data(first_page, headline="Edited headline"))
    refused = second.post(url, change_form_data(second_page))
    message = str(refused.context["adminform"].form.non_field_errors())
    assert "differs from your form" in message
    assert "<del>Imported</del> <ins>Edited</ins>" in message
    assert Article.objects.get().headline == "Edited headline"


def test_a_bulk_tagging_makes_an_open_organisation_form_stale(two_editors):
    first, second = two_editors
    organisation = make_organisation()
    url = reverse("admin:articles_organisation_change", args=[organisation.pk])
    page = second.get(url)
    first.post(
        reverse("admin:articles_organisation_changelist"),
        {"action": "add_tag", "_selected_action": [organisation.pk], "tag": "militia"},
    )
    assert second.post(url, change_form_data(page, description="x")).status_code == 200
    assert list(Organisation.objects.get().tags.names()) == ["militia"]


def test_two_staff_recording_donations_in_the_same_appeal_both_succeed(two_editors):
    first, second = two_editors
    appeal = make_appeal()
    url = reverse("admin:articles_donationappeal_change", args=[appeal.pk])
    first_page, second_page = first.get(url), second.get(url)
    for client, page, amount in ((first, first_page, "10.00"), (second, second_page, "20.00")):
        data = change_form_data(page)
        data.update(
            {
                "donations-TOTAL_FORMS": "1",
                "donations-0-received_date": "05/03/2021",
                "donations-0-amount": amount,
            }
        )
        assert client.post(url, data).status_code == 302
    assert sorted(str(d.amount) for d in appeal.donations.all()) == ["10.00", "20.00"]


def test_a_stale_appeal_form_that_changes_the_appeal_is_still_refused(two_editors):
    first, second = two_editors
    appeal = make_appeal()
    url = reverse("admin:articles_donationappeal_change", args=[appeal.pk])
    first_page, second_page = first.get(url), second.get(url)
    first.post(url, change_form_data(first_page, donate_url="https://example.org/give"))
    refused = second.post(url, change_form_data(second_page, message="Please help"))
    assert refused.status_code == 200
    appeal.refresh_from_db()
    assert (appeal.donate_url, appeal.message) == (
        "https://example.org/give",
        "Do you like this content? Consider helping us!",
    )
