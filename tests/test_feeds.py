from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.models import TopicTag

from .conftest import make_article, make_organisation

ATOM = "{http://www.w3.org/2005/Atom}"


def _rss_titles(response):
    channel = ElementTree.fromstring(response.content).find("channel")
    return [item.findtext("title") for item in channel.findall("item")]


def _atom_titles(response):
    root = ElementTree.fromstring(response.content)
    return [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]


@pytest.fixture
def stories(db):
    now = timezone.now()
    isis = make_organisation(name="ISIS")
    about_iraq = make_article(headline="About Iraq", published_at=now - timedelta(hours=2))
    about_iraq.tags.add("Iraq")
    about_isis = make_article(headline="About ISIS", published_at=now - timedelta(hours=1))
    about_isis.organisations.add(isis)
    return isis


def test_the_site_feeds_list_the_latest_articles_newest_first(client, stories):
    rss = client.get("/feeds/rss/")
    assert rss.status_code == 200
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert _rss_titles(rss) == ["About ISIS", "About Iraq"]
    atom = client.get("/feeds/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert _atom_titles(atom) == ["About ISIS", "About Iraq"]


def test_each_topic_has_its_own_feeds(client, stories):
    assert _rss_titles(client.get("/topics/iraq/rss/")) == ["About Iraq"]
    assert _atom_titles(client.get("/topics/iraq/atom/")) == ["About Iraq"]


def test_each_organisation_has_its_own_feeds(client, stories):
    assert _rss_titles(client.get("/organisations/isis/rss/")) == ["About ISIS"]
    assert _atom_titles(client.get("/organisations/isis/atom/")) == ["About ISIS"]


def test_feed_items_carry_a_summary_date_link_and_topics(client, story):
    channel = ElementTree.fromstring(client.get("/feeds/rss/").content).find("channel")
    item = channel.find("item")
    assert item.findtext("link").endswith(story.get_absolute_url())
    assert item.findtext("description").startswith("The US-led coalition has opted")
    assert item.findtext("pubDate") == "Mon, 01 Mar 2021 00:00:00 +0000"
    assert [c.text for c in item.findall("category")] == ["Iraq", "US military", "Camp Taji"]


def test_feeds_of_unknown_topics_or_organisations_are_not_found(client, db):
    assert client.get("/topics/nothing/rss/").status_code == 404
    assert client.get("/organisations/nobody/atom/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/feeds/rss/", "/feeds/atom/", "/topics/iraq/rss/", "/topics/iraq/atom/"]
)
def test_a_control_character_pasted_into_a_story_does_not_break_the_feeds(client, db, url):
    # A vertical tab is how a word processor writes a line break; XML cannot hold it.
    article = make_article(
        headline="Rockets\x0bhit Camp Taji", standfirst="Summary\x0c", byline="A\x08B"
    )
    article.tags.add(TopicTag.objects.create(name="Iraq\x1b", slug="iraq"))
    response = client.get(url)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert "Rockets hit Camp Taji" in [t.text for t in root.iter() if t.tag.endswith("title")]
