from decimal import Decimal

import pytest
from django.urls import reverse

from articles.models import (
    Article,
    Donation,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    Person,
    Quote,
    TopicTag,
)

from .admin_forms import change_form_data
from .conftest import make_appeal, make_organisation, make_person

ADMIN_MODELS = [Article, Organisation, DonationAppeal, Donation, TopicTag, OrganisationTag, Person]


def _admin_url(model, view, *args):
    return reverse(f"admin:articles_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_every_admin_page_answers_an_editor(editor_client, story, model):
    obj = model.objects.order_by("pk").first() or make_person(name="Jane Doe")
    for url in (
        _admin_url(model, "changelist"),
        _admin_url(model, "add"),
        _admin_url(model, "change", obj.pk),
    ):
        response = editor_client.get(url)
        assert response.status_code == 200, url


def test_the_quote_index_is_listed_and_shown_but_never_edited(editor_client, story):
    quote = story.quotes.first()
    assert editor_client.get(_admin_url(Quote, "changelist")).status_code == 200
    page = editor_client.get(_admin_url(Quote, "change", quote.pk))
    assert page.status_code == 200 and not page.context["adminform"].form.fields
    assert editor_client.get(_admin_url(Quote, "add")).status_code == 403
    editor_client.post(_admin_url(Quote, "change", quote.pk), {"text": "Invented"})
    editor_client.post(_admin_url(Quote, "delete", quote.pk), {"post": "yes"})
    assert Quote.objects.get(pk=quote.pk).text == quote.text


def test_the_admin_index_lists_the_newsroom_models(editor_client, db):
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    for name in ("Articles", "Organisations", "Donation appeals", "Quotes", "People"):
        assert name in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(_admin_url(Article, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_organisations_are_found_by_alias(editor_client, story):
    response = editor_client.get(_admin_url(Organisation, "changelist"), {"q": "Daesh"})
    assert list(response.context["cl"].result_list) == [Organisation.objects.get(name="ISIS")]


def test_articles_are_found_by_a_word_of_the_body(editor_client, story):
    response = editor_client.get(_admin_url(Article, "changelist"), {"q": "Thaayirin"})
    assert list(response.context["cl"].result_list) == [story]


def test_articles_filter_by_topic_tag(editor_client, story):
    tag = TopicTag.objects.get(name="Camp Taji")
    response = editor_client.get(_admin_url(Article, "changelist"), {"tags__id__exact": tag.pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [story]


def test_the_bulk_action_adds_and_removes_a_tag(editor_client, db):
    first, second, untouched = (make_organisation() for _ in range(3))
    url = _admin_url(Organisation, "changelist")
    selected = [first.pk, second.pk]
    editor_client.post(url, {"action": "add_tag", "_selected_action": selected, "tag": "Iraq"})
    assert set(Organisation.objects.filter(tags__name="Iraq")) == {first, second}
    assert not untouched.tags.exists()

    editor_client.post(
        url, {"action": "remove_tag", "_selected_action": [first.pk], "tag": "iraq"}
    )
    assert set(Organisation.objects.filter(tags__name="Iraq")) == {second}


def test_the_bulk_tag_action_asks_for_a_tag(editor_client, db):
    organisation = make_organisation()
    response = editor_client.post(
        _admin_url(Organisation, "changelist"),
        {"action": "add_tag", "_selected_action": [organisation.pk], "tag": " "},
        follow=True,
    )
    assert "Type the tag" in response.content.decode()
    assert not organisation.tags.exists()


def _appeal_form(**overrides):
    data = {
        "message": "Help us",
        "campaign_month": "2021-04-01",
        "currency": "USD",
        "currency_symbol": "$",
        "symbol_after_amount": "on",
        "goal": "5000",
        "tick_count": "3",
        "donate_url": "",
        "donations-TOTAL_FORMS": "1",
        "donations-INITIAL_FORMS": "0",
        "donations-MIN_NUM_FORMS": "0",
        "donations-MAX_NUM_FORMS": "1000",
        "donations-0-received_date": "2021-04-02",
        "donations-0-amount": "",
        "donations-0-note": "",
    }
    data.update(overrides)
    return data


def test_the_appeal_admin_refuses_a_goal_of_zero(editor_client, db):
    response = editor_client.post(_admin_url(DonationAppeal, "add"), _appeal_form(goal="0"))
    assert response.status_code == 200
    assert "goal" in response.context["adminform"].form.errors
    assert not DonationAppeal.objects.exists()


def test_the_appeal_admin_refuses_a_negative_donation(editor_client, db):
    response = editor_client.post(
        _admin_url(DonationAppeal, "add"), _appeal_form(**{"donations-0-amount": "-5"})
    )
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["amount"]
    assert not DonationAppeal.objects.exists()
    assert not Donation.objects.exists()


def test_the_appeal_admin_records_a_donation_in_the_ledger(editor_client, editor, db):
    appeal = make_appeal(goal=Decimal("5000"))
    Donation.objects.create(appeal=appeal, amount=Decimal("671"))
    url = _admin_url(DonationAppeal, "change", appeal.pk)
    data = change_form_data(
        editor_client.get(url),
        **{
            "donations-TOTAL_FORMS": "2",
            "donations-1-received_date": "2021-03-05",
            "donations-1-amount": "29.50",
            "donations-1-note": "Reader gift",
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert DonationAppeal.objects.with_raised().get().raised == Decimal("700.50")
    gift = Donation.objects.get(note="Reader gift")
    assert gift.recorded_by == editor


def test_the_appeal_admin_shows_raised_and_percentage(editor_client, story):
    appeal = DonationAppeal.objects.get()
    response = editor_client.get(_admin_url(DonationAppeal, "change", appeal.pk))
    page = response.content.decode()
    assert "671 $" in page
    assert "13 %" in page


def test_a_second_active_appeal_is_refused_with_a_message(editor_client, story):
    response = editor_client.post(_admin_url(DonationAppeal, "add"), _appeal_form(is_active="on"))
    assert response.status_code == 200
    assert "Another appeal is already active." in response.content.decode()
    assert DonationAppeal.objects.count() == 1


def test_an_editor_changes_an_article_and_keeps_its_quotes_and_organisations(editor_client, story):
    url = _admin_url(Article, "change", story.pk)
    data = change_form_data(
        editor_client.get(url), headline="U.S. Forces Close Some Bases In Iraq"
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.headline == "U.S. Forces Close Some Bases In Iraq"
    assert story.quotes.count() == 2
    assert story.organisations.count() == 2
