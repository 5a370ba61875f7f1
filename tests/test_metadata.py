import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .conftest import READER_PAGES, make_article, make_organisation

DESCRIPTION_TAGS = ("description", "og:description", "twitter:description")


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta, self.links, self.loads, self.json_ld = {}, {}, [], []
        self.images_without_alt = []
        self.title, self._in_title, self._in_json_ld = "", False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta[key] = attrs.get("content", "")
        elif tag == "link":
            self.links.setdefault(attrs.get("rel"), attrs.get("href"))
            # canonical and alternate only name addresses; these make the browser fetch.
            if attrs.get("rel") in {"stylesheet", "icon", "preload", "manifest"}:
                self.loads.append(attrs.get("href"))
        elif tag in {"img", "script", "iframe", "source", "video", "audio"}:
            if tag == "img" and "alt" not in attrs:
                self.images_without_alt.append(attrs.get("src"))
            self.loads.append(attrs.get("src"))
            self._in_json_ld = attrs.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_title = self._in_title and tag != "title"
        self._in_json_ld = self._in_json_ld and tag != "script"

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_json_ld:
            self.json_ld.append(data)


def _head(response):
    parser = _Head()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize("url", READER_PAGES)
def test_every_page_has_a_title_description_canonical_and_social_tags(client, reader_site, url):
    response = client.get(url)
    assert response.status_code == 200
    head = _head(response)
    assert head.title.strip().endswith("Newsroom")
    assert head.meta["description"].strip()
    assert head.links["canonical"].startswith("http://testserver/")
    for key in ["og:title", "og:description", "og:url", "og:image", "og:type", "og:site_name"]:
        assert head.meta[key].strip(), key
    assert head.meta["og:image"].startswith("http://testserver/")
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:title"] == head.meta["og:title"]


@pytest.mark.parametrize("url", READER_PAGES)
def test_nothing_is_loaded_from_another_host(client, reader_site, url):
    for address in _head(client.get(url)).loads:
        assert address is None or not re.match(r"(https?:)?//", address), address


def test_every_image_has_alt_text(client, reader_site, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    Image.new("RGB", (8, 8)).save(tmp_path / "photo.png")
    upload = SimpleUploadedFile("photo.png", (tmp_path / "photo.png").read_bytes())
    # Alt text first: a published article with an image and no alt text is refused.
    reader_site.lead_image_alt = "Soldiers beside a missile launcher"
    reader_site.lead_image.save("photo.png", upload)
    for url in ["/", reader_site.get_absolute_url()]:
        head = _head(client.get(url))
        assert any("photo" in (address or "") for address in head.loads)
        assert head.images_without_alt == []
    html = client.get(reader_site.get_absolute_url()).content.decode()
    assert 'alt="Soldiers beside a missile launcher"' in html


def test_the_stylesheet_loads_nothing_from_another_host():
    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "site.css").read_text()
    assert not re.search(r"url\(|@import", css)


def test_the_canonical_url_drops_filters_but_keeps_the_page_number(client, db):
    for _ in range(25):
        make_article()
    assert _head(client.get("/?page=2&utm_source=x")).links["canonical"] == (
        "http://testserver/?page=2"
    )
    assert _head(client.get("/?page=1")).links["canonical"] == "http://testserver/"


def test_the_article_page_describes_itself_as_a_news_article(client, story):
    head = _head(client.get(story.get_absolute_url()))
    assert head.meta["og:type"] == "article"
    assert head.meta["og:title"] == story.headline
    assert head.meta["description"].startswith("The US-led coalition has opted")
    data = json.loads("".join(head.json_ld))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.headline
    # Its publication date is unknown (as on the seed page): no date rather than a made-up one.
    assert "datePublished" not in data and "dateModified" not in data
    assert data["image"] == ["http://testserver/static/img/share-card.png"]
    assert data["publisher"]["name"] == "Newsroom"
    assert data["publisher"]["logo"]["url"] == "http://testserver/static/img/logo.png"
    assert data["mainEntityOfPage"] == f"http://testserver{story.get_absolute_url()}"


def test_json_ld_cannot_break_out_of_its_script_element(client, db):
    article = make_article(headline="</script><script>alert(1)</script> & <!--")
    html = client.get(article.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    assert json.loads(block)["headline"] == article.headline
    assert "<script>alert(1)" not in html


def test_search_results_ask_not_to_be_indexed(client, db):
    assert _head(client.get("/search/?q=x")).meta["robots"] == "noindex"


def test_long_descriptions_are_cut_to_200_characters_in_every_tag(client, db):
    article = make_article(standfirst="A standfirst that goes on. " * 20)
    organisation = make_organisation(description="A history of the group. " * 20)
    for url in (article.get_absolute_url(), organisation.get_absolute_url()):
        meta = _head(client.get(url)).meta
        descriptions = {meta[key] for key in DESCRIPTION_TAGS}
        assert len(descriptions) == 1, url
        (description,) = descriptions
        assert len(description) == 200 and description.endswith("…"), url


def test_a_short_description_is_printed_whole(client, db):
    article = make_article(standfirst="Bases close after rocket attacks.")
    meta = _head(client.get(article.get_absolute_url())).meta
    assert {meta[key] for key in DESCRIPTION_TAGS} == {"Bases close after rocket attacks."}
