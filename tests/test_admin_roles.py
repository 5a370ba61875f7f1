"""The permission matrix: each role × each action × each model in the admin.

Allowed means the admin lets the action happen; refused means a 403, the action missing,
or the field shown read-only, and in every case nothing changed in the database.
"""

from datetime import date
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
from .conftest import make_appeal, make_article, make_organisation, make_person, make_quote

CRUD = {"view", "add", "change", "delete"}
ALLOWED = {
    "Writers": {
        "article": {"view", "add", "change"},
        # Quotes are an index of the marks in the body: read-only for everyone.
        "quote": {"view"},
        "person": {"view", "add", "change"},
        "organisation": {"view"},
        "topictag": {"view"},
    },
    "Editors": {
        "article": CRUD | {"publish"},
        "quote": {"view"},
        "person": CRUD | {"merge"},
        "organisation": CRUD | {"tag"},
        "donationappeal": CRUD | {"record"},
        # The ledger: a recorded donation is never changed or deleted, by anyone.
        "donation": {"view", "add"},
        "topictag": CRUD,
        "organisationtag": CRUD,
    },
    "Taggers": {
        "organisation": {"view", "tag"},
        "organisationtag": {"view", "add"},
    },
}
MODELS = ["article", "quote", "organisation", "donationappeal", "donation", "topictag"]
MODELS += ["organisationtag", "person"]
SPECIAL = [("article", "publish"), ("organisation", "tag"), ("donationappeal", "record")]
SPECIAL += [("person", "merge")]
# Erasing a donor's data is given to a person by name (articles.erase_donor_data), to no role.
SPECIAL += [("donation", "erase")]
CASES = [(m, a) for m in MODELS for a in ("view", "add", "change", "delete")] + SPECIAL
# A field only someone allowed to change the row gets as an editable input.
KEY_FIELD = {
    "article": "headline",
    "quote": "text",
    "organisation": "name",
    "donationappeal": "message",
    "donation": "amount",
    "topictag": "name",
    "organisationtag": "name",
    "person": "name",
}


@pytest.fixture
def rows(db):
    article = make_article(status=Article.Status.DRAFT)
    appeal = make_appeal()
    return {
        "article": article,
        "quote": make_quote(article),
        "organisation": make_organisation(),
        "donationappeal": appeal,
        # On an appeal of its own: an appeal with donations cannot be deleted at all.
        "donation": Donation.objects.create(
            appeal=make_appeal(campaign_month=date(2021, 4, 1)),
            amount=Decimal("10"),
            donor_name="A Reader",
        ),
        "topictag": TopicTag.objects.create(name="Iraq"),
        "organisationtag": OrganisationTag.objects.create(name="armed group"),
        "person": make_person(name="Jane Doe"),
    }


def _url(model, name, *args):
    return reverse(f"admin:articles_{model}_{name}", args=args)


def _attempt(client, rows, model, action):
    """Try the action; True if it was allowed (and took effect where it writes)."""
    obj = rows[model]
    if action == "view":
        return client.get(_url(model, "changelist")).status_code == 200
    if action == "add":
        return client.get(_url(model, "add")).status_code == 200
    if action == "change":
        response = client.get(_url(model, "change", obj.pk))
        if response.status_code != 200:
            return False
        return KEY_FIELD[model] in response.context["adminform"].form.fields
    if action == "delete":
        response = client.post(_url(model, "delete", obj.pk), {"post": "yes"})
        return not type(obj).objects.filter(pk=obj.pk).exists()
    if action == "publish":
        client.post(
            _url("article", "changelist"), {"action": "publish", "_selected_action": [obj.pk]}
        )
        obj.refresh_from_db()
        return obj.status == Article.Status.PUBLISHED
    if action == "tag":
        client.post(
            _url("organisation", "changelist"),
            {"action": "add_tag", "_selected_action": [obj.pk], "tag": "state actor"},
        )
        return obj.tags.filter(name="state actor").exists()
    if action == "erase":
        client.post(
            _url("donation", "changelist"),
            {"action": "erase_donor", "_selected_action": [obj.pk]},
        )
        obj.refresh_from_db()
        return obj.donor_erased_at is not None
    if action == "record":
        client.post(
            _url("donation", "add"),
            {"appeal": obj.pk, "amount": "25.00", "received_date": "2021-03-05", "note": "x"},
        )
        return Donation.objects.filter(appeal=obj, amount=Decimal("25")).exists()
    if action == "merge":
        duplicate = make_person(name="J. Doe")
        client.post(
            _url("person", "changelist"),
            {
                "action": "merge",
                "_selected_action": [obj.pk, duplicate.pk],
                "confirm": "yes",
                "keep": obj.pk,
            },
        )
        return not Person.objects.filter(pk=duplicate.pk).exists()
    raise AssertionError(action)


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize(("model", "action"), CASES)
def test_each_role_may_do_exactly_what_its_row_says(client, make_staff, rows, role, model, action):
    client.force_login(make_staff(role))
    expected = action in ALLOWED[role].get(model, set())
    assert _attempt(client, rows, model, action) is expected


def test_every_role_exists_on_a_fresh_database(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(ALLOWED)


def test_a_writer_cannot_publish_by_setting_the_status_in_the_form(client, make_staff, db):
    client.force_login(make_staff("Writers"))
    article = make_article(status=Article.Status.DRAFT)
    page = client.get(_url("article", "change", article.pk))
    response = client.post(
        _url("article", "change", article.pk), change_form_data(page, status="published")
    )
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_writer_can_send_a_draft_for_review(client, make_staff, db):
    client.force_login(make_staff("Writers"))
    article = make_article(status=Article.Status.DRAFT)
    page = client.get(_url("article", "change", article.pk))
    response = client.post(
        _url("article", "change", article.pk), change_form_data(page, status="review")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


def test_a_writer_sees_a_published_article_read_only(client, make_staff, db):
    client.force_login(make_staff("Writers"))
    article = make_article()
    quote = make_quote(article)
    page = client.get(_url("article", "change", article.pk))
    assert page.status_code == 200
    assert "headline" not in page.context["adminform"].form.fields
    assert client.post(_url("article", "change", article.pk), {}).status_code == 403
    assert client.get(_url("quote", "change", quote.pk)).context["has_change_permission"] is False


def test_a_writer_cannot_choose_the_appeal(client, make_staff, db):
    client.force_login(make_staff("Writers"))
    page = client.get(_url("article", "add"))
    assert "appeal" not in page.context["adminform"].form.fields


def test_a_tagger_changes_only_the_tags_in_the_form(client, make_staff, db):
    client.force_login(make_staff("Taggers"))
    organisation = make_organisation(name="Kataib Hezbollah")
    page = client.get(_url("organisation", "change", organisation.pk))
    assert set(page.context["adminform"].form.fields) == {"tags", "edit_token"}
    response = client.post(
        _url("organisation", "change", organisation.pk),
        change_form_data(page, tags="militia", name="Renamed"),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Kataib Hezbollah"
    assert list(organisation.tags.names()) == ["militia"]


def test_nobody_but_editors_records_donations_in_the_appeal_form(client, make_staff, db):
    appeal = make_appeal(campaign_month=date(2021, 3, 1))
    for role in ("Writers", "Taggers"):
        client.force_login(make_staff(role))
        assert client.get(_url("donationappeal", "change", appeal.pk)).status_code == 403
    assert not DonationAppeal.objects.get().donations.exists()


def test_quotes_of_a_draft_are_changed_by_a_writer_in_its_body(client, make_staff, db):
    client.force_login(make_staff("Writers"))
    article = make_article(status=Article.Status.DRAFT, paragraphs=["Old words."])
    quote = make_quote(article, text="Old words", key="a")
    page = client.get(_url("article", "change", article.pk))
    body = '<p><q data-quote="a" data-source="A spokesperson">New words</q>.</p>'
    data = change_form_data(page, body=body)
    assert client.post(_url("article", "change", article.pk), data).status_code == 302
    assert Quote.objects.get(pk=quote.pk).text == "New words"
    assert Organisation.objects.count() == 0


def test_the_tag_boxes_suggest_existing_tags(client, make_staff, db):
    TopicTag.objects.create(name="Iraq")
    client.force_login(make_staff("Writers"))
    page = client.get(_url("article", "add")).content.decode()
    assert "data-tag-autocomplete=" in page and "tag_autocomplete.js" in page
    suggestions = client.get(
        reverse("admin:autocomplete"),
        {"term": "ir", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )
    assert [r["text"] for r in suggestions.json()["results"]] == ["Iraq"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("Editors", 200), ("Writers", 200), ("Taggers", 403), ("reader", 302), (None, 302)],
)
def test_only_those_who_may_change_articles_search_speakers(
    client, make_staff, django_user_model, role, expected
):
    """The body editor's speaker search: a Tagger gets a 403, a reader's account or no
    account the login page, and none of them a name."""
    organisation = make_organisation(name="Kataib Hezbollah")
    if role == "reader":
        client.force_login(django_user_model.objects.create_user(username="reader"))
    elif role:
        client.force_login(make_staff(role))
    for query in ({"q": "kataib"}, {"ids": f"organisation:{organisation.pk}"}):
        response = client.get(_url("article", "speakers"), query)
        assert response.status_code == expected
        assert (b"Kataib" in response.content) is (expected == 200)
