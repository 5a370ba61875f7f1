from .conftest import make_article, make_organisation, visible_text


def test_the_topic_page_lists_its_articles_with_a_count_and_feeds(client, db):
    tagged = make_article(headline="About Iraq")
    tagged.tags.add("Iraq")
    make_article(headline="About something else")
    response = client.get("/topics/iraq/")
    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html)
    assert "About Iraq" in text and "About something else" not in text
    assert "1 article" in text
    assert 'href="/topics/iraq/rss/"' in html and 'href="/topics/iraq/atom/"' in html


def test_the_topic_index_counts_published_articles_only(client, db):
    make_article().tags.add("Iraq")
    make_article().tags.add("Iraq")
    make_article(status="draft").tags.add("Syria")
    response = client.get("/topics/")
    assert [(t.name, t.article_count) for t in response.context["tags"]] == [("Iraq", 2)]


def test_the_organisation_tag_page_lists_its_organisations(client, db):
    make_organisation(name="ISIS").tags.add("armed group")
    make_organisation(name="Government of Iraq")
    response = client.get("/organisations/tags/armed-group/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Organisations tagged “armed group”" in text
    assert "ISIS" in text and "Government of Iraq" not in text


def test_unknown_tags_are_not_found(client, db):
    assert client.get("/topics/nothing/").status_code == 404
    assert client.get("/organisations/tags/nothing/").status_code == 404
