"""The Content API's articles: each field, each filter, and nothing readers cannot see."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from articles.models import Article, Correction, ShareLink

from .conftest import MARCH_2021, STORY_SLUG, make_article, make_organisation, make_quote

LIST = "/api/v1/articles/"


def _slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_an_article_carries_what_its_page_shows(client, story):
    Correction.objects.create(
        article=story, what_was_wrong="It said 12 rockets.", what_is_right="21 hit the base."
    )
    item = client.get(f"{LIST}{STORY_SLUG}/").json()
    assert item["headline"].startswith("U.S. Forces Closing Some Bases")
    assert item["url"] == f"http://testserver/articles/{STORY_SLUG}/"
    assert item["body"].startswith("<p>The US-led coalition has opted")
    assert item["body"].count("<p>") == 5
    # The seed page's date is unknown: the page shows none, nor does the API.
    assert item["published_at"] is None
    assert {topic["slug"] for topic in item["topics"]} == {"iraq", "us-military", "camp-taji"}
    assert {o["name"] for o in item["organisations"]} == {"US-led coalition", "ISIS"}
    first = item["quotes"][0]
    assert first["paragraph"] == 3
    assert first["attribution"] == "the US-led coalition said"
    assert first["speaker"] == {
        "kind": "organisation",
        "name": "US-led coalition",
        "slug": "us-led-coalition",
        "url": "http://testserver/organisations/us-led-coalition/",
    }
    [correction] = item["corrections"]
    assert correction["what_is_right"] == "21 hit the base."
    assert item["lead_image"] is None


def test_the_lead_image_comes_with_its_renditions(client, media_root, db, commit):
    output = BytesIO()
    Image.effect_noise((900, 500), 60).convert("RGB").save(output, format="JPEG")
    article = make_article(
        lead_image_alt="A launcher in Tal Afar",
        lead_image_caption="Seen on <em>Monday</em>",
        lead_image_credit="Reuters",
    )
    article.lead_image = SimpleUploadedFile("launcher.jpg", output.getvalue())
    commit(article.save)
    article.refresh_from_db()
    image = client.get(f"{LIST}{article.slug}/").json()["lead_image"]
    assert image["url"].startswith("http://testserver/media/articles/")
    assert (image["alt"], image["credit"]) == ("A launcher in Tal Afar", "Reuters")
    assert image["caption"] == "Seen on <em>Monday</em>"
    assert (image["width"], image["height"]) == (900, 500)
    assert [r["width"] for r in image["renditions"]] == [
        size["width"] for size in article.lead_image_renditions["sizes"]
    ]
    assert all(
        r["url"].startswith("http://testserver/media/renditions/") for r in image["renditions"]
    )


def test_it_shows_the_date_readers_see_and_when_the_text_was_updated(client, db):
    with time_machine.travel(MARCH_2021, tick=False):
        article = make_article(published_at=MARCH_2021)
    with time_machine.travel(MARCH_2021 + timedelta(days=2), tick=False):
        article.headline = "A better headline"
        article.save()
    item = client.get(f"{LIST}{article.slug}/").json()
    assert item["published_at"] == "2021-03-01T00:00:00Z"
    assert item["updated_at"] == "2021-03-03T00:00:00Z"
    assert item["modified_at"] == "2021-03-03T00:00:00Z"


def test_a_speaker_without_an_organisation_is_a_source(client, db):
    article = make_article()
    make_quote(article, source="A security official", text="Words")
    [quote] = client.get(f"{LIST}{article.slug}/").json()["quotes"]
    assert quote["speaker"] == {
        "kind": "source",
        "name": "A security official",
        "slug": None,
        "url": None,
    }


def test_it_never_shows_drafts_articles_in_review_or_scheduled_ones(client, db):
    live = make_article()
    hidden = [
        make_article(status=Article.Status.DRAFT),
        make_article(status=Article.Status.IN_REVIEW),
        make_article(published_at=timezone.now() + timedelta(hours=1)),
    ]
    assert _slugs(client.get(LIST)) == [live.slug]
    for article in hidden:
        response = client.get(f"{LIST}{article.slug}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "Not found."
        assert article.headline not in response.content.decode()


def test_a_share_link_does_not_open_its_draft_to_the_api(client, db):
    draft = make_article(status=Article.Status.DRAFT)
    link = ShareLink.objects.create(article=draft)
    assert client.get(f"{LIST}{link.token}/").status_code == 404
    assert client.get(f"{LIST}{draft.slug}/").status_code == 404


def test_staff_fields_never_appear(client, story):
    item = client.get(f"{LIST}{STORY_SLUG}/").json()
    for field in ("status", "source_fingerprint", "pinned_organisations", "appeal", "id"):
        assert field not in item
    assert "share" not in client.get(LIST).content.decode()


def test_an_unknown_or_impossible_slug_is_a_404(client, db):
    assert client.get(f"{LIST}no-such-article/").status_code == 404
    assert client.get(f"{LIST}bad%00slug/").status_code == 404


def test_the_list_is_newest_first(client, db):
    older = make_article(published_at=timezone.now() - timedelta(days=2))
    newer = make_article(published_at=timezone.now() - timedelta(days=1))
    assert _slugs(client.get(LIST)) == [newer.slug, older.slug]


def test_it_filters_by_topic_and_organisation(client, db):
    isis = make_organisation(name="ISIS")
    tagged, named, neither = make_article(), make_article(), make_article()
    tagged.tags.add("Iraq")
    named.organisations.add(isis)
    assert _slugs(client.get(LIST, {"topic": "iraq"})) == [tagged.slug]
    assert _slugs(client.get(LIST, {"organisation": "isis"})) == [named.slug]
    assert neither.slug in _slugs(client.get(LIST))


def test_it_filters_by_a_date_range(client, db):
    march = make_article(published_at=datetime(2021, 3, 10, tzinfo=UTC))
    make_article(published_at=datetime(2021, 4, 10, tzinfo=UTC))
    make_article(published_at=datetime(2021, 2, 10, tzinfo=UTC))
    response = client.get(
        LIST, {"published_after": "2021-03-01", "published_before": "2021-04-01"}
    )
    assert _slugs(response) == [march.slug]


def test_updated_since_gives_what_changed_oldest_change_first(client, db):
    with time_machine.travel(MARCH_2021, tick=False):
        edited = make_article(published_at=MARCH_2021)
        untouched = make_article(published_at=MARCH_2021)
    with time_machine.travel(MARCH_2021 + timedelta(days=5), tick=False):
        later = make_article(published_at=MARCH_2021 + timedelta(days=5))
    with time_machine.travel(MARCH_2021 + timedelta(days=9), tick=False):
        edited.standfirst = "Now with a standfirst."
        edited.save()
    since = (MARCH_2021 + timedelta(days=1)).isoformat()
    assert _slugs(client.get(LIST, {"updated_since": since})) == [later.slug, edited.slug]
    assert untouched.slug not in _slugs(client.get(LIST, {"updated_since": since}))


def test_updated_since_finds_a_scheduled_article_when_it_goes_live(client, db):
    """Saved before the partner's last sync, live after it: still synced."""
    last_sync = timezone.now()
    scheduled = make_article(published_at=last_sync + timedelta(hours=1))
    assert _slugs(client.get(LIST, {"updated_since": last_sync.isoformat()})) == []
    with time_machine.travel(last_sync + timedelta(hours=2)):
        assert _slugs(client.get(LIST, {"updated_since": last_sync.isoformat()})) == [
            scheduled.slug
        ]


@pytest.mark.parametrize("path", [LIST, f"{LIST}{{slug}}/"])
def test_the_query_count_does_not_grow_with_the_page(client, db, path):
    def add(count):
        for _ in range(count):
            article = make_article()
            article.tags.add("Iraq", "Syria")
            for n in range(3):
                organisation = make_organisation()
                article.organisations.add(organisation)
                make_quote(article, organisation=organisation, paragraph=n + 1)
            make_quote(article, source="A source", paragraph=5)
            Correction.objects.create(article=article, what_was_wrong="a", what_is_right="b")
        return article

    article = add(1)
    url = path.format(slug=article.slug)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"limit": 30})
        assert response.status_code == 200
    # The articles, their topics, organisations, quotes (with speakers) and corrections,
    # and the next scheduled article (how long the response may be cached).
    assert len(many) == len(one) == 6, [q["sql"] for q in many]
    if path == LIST:
        assert len(response.json()["results"]) == 30
