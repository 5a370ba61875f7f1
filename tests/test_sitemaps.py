from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from django.utils import timezone

from .conftest import make_article, make_organisation

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def _locations(response):
    root = ElementTree.fromstring(response.content)
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_the_index_lists_every_section(client, db):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    sections = {url.rsplit("/", 1)[1] for url in _locations(response)}
    assert sections == {
        "sitemap-pages.xml",
        "sitemap-articles.xml",
        "sitemap-news.xml",
        "sitemap-organisations.xml",
        "sitemap-people.xml",
        "sitemap-topics.xml",
        "sitemap-archives.xml",
    }


def test_the_sections_list_articles_organisations_topics_and_months(client, db):
    article = make_article(published_at=datetime(2021, 3, 5, tzinfo=UTC))
    article.tags.add("Iraq")
    organisation = make_organisation(name="ISIS")
    assert _locations(client.get("/sitemap-articles.xml")) == [
        f"http://testserver{article.get_absolute_url()}"
    ]
    assert _locations(client.get("/sitemap-organisations.xml")) == [
        f"http://testserver{organisation.get_absolute_url()}"
    ]
    assert _locations(client.get("/sitemap-topics.xml")) == ["http://testserver/topics/iraq/"]
    assert _locations(client.get("/sitemap-archives.xml")) == ["http://testserver/2021/03/"]
    assert "http://testserver/" in _locations(client.get("/sitemap-pages.xml"))


def test_the_news_sitemap_holds_the_last_two_days_only(client, db):
    now = timezone.now()
    recent = make_article(headline="Fresh news", published_at=now - timedelta(hours=30))
    make_article(headline="Old news", published_at=now - timedelta(days=3))
    make_article(
        headline="Imported, date unknown",
        published_at=now - timedelta(hours=1),
        show_publication_date=False,
    )
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    urls = root.findall(f"{SITEMAP}url")
    assert [u.findtext(f"{SITEMAP}loc") for u in urls] == [
        f"http://testserver{recent.get_absolute_url()}"
    ]
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}title") == "Fresh news"
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Newsroom"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    published = datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
    assert published == recent.published_at.replace(microsecond=0)


def test_robots_txt_points_to_the_sitemaps_and_keeps_crawlers_out_of_admin(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Sitemap: http://testserver/sitemap-news.xml" in text


def test_a_control_character_in_a_headline_keeps_the_news_sitemap_well_formed(client, db):
    make_article(headline="Rockets\x0bhit Camp Taji", published_at=timezone.now())
    root = ElementTree.fromstring(client.get("/sitemap-news.xml").content)
    assert [t.text for t in root.iter(f"{NEWS}title")] == ["Rockets hit Camp Taji"]
