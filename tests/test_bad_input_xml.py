"""Characters XML 1.0 cannot hold, pasted into anything a feed or sitemap shows: every
machine-read page stays well-formed XML."""

from datetime import timedelta
from xml.dom import minidom
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.feeds import xml_text
from articles.models import TopicTag

from .conftest import MACHINE_PAGES, make_article, make_organisation

# Noncharacters, which UTF-8 and both databases store but XML 1.0 forbids.
NONCHARACTERS = "\ufffe\uffff"
XML_PAGES = [url for url in MACHINE_PAGES if url.endswith(("/", ".xml")) and "robots" not in url]


@pytest.fixture
def poisoned_site(db):
    isis = make_organisation(name=f"ISIS{NONCHARACTERS}", slug="isis")
    article = make_article(
        headline=f"Rockets{NONCHARACTERS}hit Camp Taji",
        standfirst="Summary\ufffe of the attack\uffff",
        lead_image_caption="The base\uffff from the air",
        byline="A\ufffeB",
        published_at=timezone.now() - timedelta(minutes=5),
    )
    article.tags.add(TopicTag.objects.create(name="Iraq\uffff", slug="iraq"))
    article.organisations.add(isis)
    return article


@pytest.mark.parametrize("url", XML_PAGES)
def test_every_feed_and_sitemap_stays_well_formed(client, poisoned_site, url):
    response = client.get(url)
    assert response.status_code == 200
    ElementTree.fromstring(response.content)
    minidom.parseString(response.content)


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/sitemap-news.xml"])
def test_the_headline_reads_with_spaces_where_the_characters_were(client, poisoned_site, url):
    root = ElementTree.fromstring(client.get(url).content)
    titles = [element.text for element in root.iter() if element.tag.endswith("title")]
    assert "Rockets  hit Camp Taji" in titles


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x0b", "\x1f", "\ud800", "\udfff", "\ufffe", "\uffff"],
    ids=[
        "nul",
        "vertical tab",
        "unit separator",
        "lone high surrogate",
        "lone low",
        "fffe",
        "ffff",
    ],
)
def test_every_character_xml_forbids_becomes_a_space(character):
    assert xml_text(f"a{character}b") == "a b"


def test_characters_xml_allows_are_kept():
    text = "tab\there\nnew line\r\u00e9\ud7ff\ue000\ufffd\U0001f600\U0010ffff"
    assert xml_text(text) == text
    assert xml_text(["a\ufffe", ("b\uffff",)]) == ["a ", ["b "]]
