"""The Content API's quotes, organisations and appeal."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from articles.models import Article

from .conftest import (
    make_appeal,
    make_article,
    make_donation,
    make_organisation,
    make_person,
    make_quote,
)


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_quote_names_its_words_speaker_and_article(client, story):
    first, second = _results(client.get("/api/v1/quotes/"))
    # Newest article first, then as the article quotes them (the later paragraph's
    # quote has the higher id here).
    assert first["text"].startswith("The Coalition remains in Iraq")
    assert second["attribution"] == "the US-led coalition said"
    assert second["speaker"]["slug"] == "us-led-coalition"
    assert second["article"]["slug"] == story.slug
    assert second["url"].endswith(f"/articles/{story.slug}/#quote-q1")


def test_quotes_of_unpublished_articles_never_appear(client, db):
    for status in (Article.Status.DRAFT, Article.Status.IN_REVIEW):
        make_quote(make_article(status=status), text="Secret words")
    make_quote(make_article(published_at=timezone.now() + timedelta(days=1)), text="Secret words")
    make_quote(make_article(), text="Public words")
    assert [quote["text"] for quote in _results(client.get("/api/v1/quotes/"))] == ["Public words"]


def test_quotes_filter_by_speaker_and_date(client, db):
    army = make_organisation(name="Iraqi army")
    march = make_article(published_at=datetime(2021, 3, 5, tzinfo=UTC))
    april = make_article(published_at=datetime(2021, 4, 5, tzinfo=UTC))
    make_quote(march, organisation=army, text="March, army")
    make_quote(april, organisation=army, text="April, army")
    make_quote(april, source="A source", text="April, source", paragraph=2)
    by_army = _results(client.get("/api/v1/quotes/", {"organisation": army.slug}))
    assert [quote["text"] for quote in by_army] == ["April, army", "March, army"]
    in_april = _results(
        client.get(
            "/api/v1/quotes/", {"published_after": "2021-04-01", "published_before": "2021-05-01"}
        )
    )
    assert {quote["text"] for quote in in_april} == {"April, army", "April, source"}


def test_an_organisation_carries_its_names_kind_and_tags(client, story):
    coalition = next(
        item
        for item in _results(client.get("/api/v1/organisations/"))
        if item["slug"] == "us-led-coalition"
    )
    assert coalition["other_names"] == ["Coalition", "Combined Joint Task Force", "CJTF-OIR"]
    assert (coalition["kind"], coalition["kind_label"]) == ("other", "Other")
    assert [tag["name"] for tag in coalition["tags"]] == ["state actor"]
    assert coalition["url"] == "http://testserver/organisations/us-led-coalition/"


def test_organisations_filter_by_tag(client, story):
    assert [
        item["slug"]
        for item in _results(client.get("/api/v1/organisations/", {"tag": "armed-group"}))
    ] == ["isis"]
    response = client.get("/api/v1/organisations/", {"tag": "no-such-tag"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"parameter": "tag", "message": "nothing has the slug “no-such-tag”."}
    ]


def test_the_appeal_gives_its_figures_and_no_donor(client, db):
    appeal = make_appeal(is_active=True, goal=Decimal("5000"))
    when = datetime(2021, 3, 2, tzinfo=UTC)
    make_donation(appeal, "671", at=when, donor_name="Jane Donor", donor_email="jane@example.org")
    response = client.get("/api/v1/appeal/")
    body = response.json()
    assert body == {
        "campaign_month": "2021-03-01",
        "message": appeal.message,
        "currency": "USD",
        "goal": "5000.00",
        "raised": "671.00",
        "percent": 13.42,
        "is_goal_reached": False,
        "updated_at": "2021-03-02T00:00:00Z",
        "donate_url": "http://testserver/support/",
    }
    assert b"Jane" not in response.content and b"jane@" not in response.content


def test_without_a_running_appeal_it_is_a_404(client, db):
    make_appeal(campaign_month=date(2020, 1, 1))
    response = client.get("/api/v1/appeal/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_a_person_carries_their_role_organisation_and_names(client, db):
    army = make_organisation(name="Iraqi army")
    rasool = make_person(
        name="Yahya Rasool",
        other_names="Gen. Rasool",
        role="military spokesman",
        organisation=army,
        description="Speaks for the joint operations command.",
    )
    make_quote(make_article(), person=rasool, text="We hold the bridge.")
    [person] = _results(client.get("/api/v1/people/"))
    assert person == {
        "slug": "yahya-rasool",
        "name": "Yahya Rasool",
        "other_names": ["Gen. Rasool"],
        "role": "military spokesman",
        "organisation": {
            "name": "Iraqi army",
            "slug": army.slug,
            "url": f"http://testserver/organisations/{army.slug}/",
        },
        "description": "Speaks for the joint operations command.",
        "url": "http://testserver/people/yahya-rasool/",
    }


def test_people_filter_by_organisation(client, db):
    army = make_organisation(name="Iraqi army")
    soldier = make_person(organisation=army)
    civilian = make_person()
    for person in (soldier, civilian):
        make_quote(make_article(), person=person, text="Words of theirs.")
    assert [
        p["slug"] for p in _results(client.get("/api/v1/people/", {"organisation": army.slug}))
    ] == [soldier.slug]


def test_a_quoted_person_is_the_speaker_and_filters_quotes_and_articles(client, db):
    spokesman = make_person(name="Yahya Rasool")
    quoting, other = make_article(), make_article()
    make_quote(quoting, person=spokesman, text="We hold the bridge.")
    make_quote(quoting, person=spokesman, text="We hold the road.", paragraph=2)
    make_quote(other, source="A source", text="Other words")
    quotes = _results(client.get("/api/v1/quotes/", {"person": spokesman.slug}))
    assert {quote["text"] for quote in quotes} == {"We hold the bridge.", "We hold the road."}
    assert quotes[0]["speaker"] == {
        "kind": "person",
        "name": "Yahya Rasool",
        "slug": spokesman.slug,
        "url": f"http://testserver/people/{spokesman.slug}/",
    }
    # Quoted twice, listed once.
    articles = _results(client.get("/api/v1/articles/", {"person": spokesman.slug}))
    assert [article["slug"] for article in articles] == [quoting.slug]


def test_a_person_quoted_only_in_a_draft_is_unknown_to_the_api(client, db):
    # The importer makes people from drafts: their names must not leak before publication.
    insider = make_person(name="Unnamed Insider")
    make_quote(make_article(status=Article.Status.DRAFT), person=insider, text="Secret words.")
    assert _results(client.get("/api/v1/people/")) == []
    for path in ("/api/v1/quotes/", "/api/v1/articles/"):
        response = client.get(path, {"person": insider.slug})
        assert response.status_code == 400
        assert [error["parameter"] for error in response.json()["errors"]] == ["person"]
