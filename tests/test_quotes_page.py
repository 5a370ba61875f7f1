from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import make_article, make_organisation, make_quote, visible_text


@pytest.fixture
def statements(db):
    now = timezone.now()
    coalition = make_organisation(name="Coalition")
    coalition.tags.add("multinational")
    militia = make_organisation(name="Militia")
    old = make_article(headline="Old", published_at=now - timedelta(days=2))
    old.tags.add("Iraq")
    new = make_article(headline="New", published_at=now - timedelta(days=1))
    return {
        "old": make_quote(old, organisation=coalition, text="Old words", paragraph=1),
        "new": make_quote(new, organisation=militia, text="New words", paragraph=2),
        "person": make_quote(new, source="A spokesman", text="Personal words", paragraph=1),
    }


def test_it_lists_every_statement_newest_article_first(client, statements):
    response = client.get("/quotes/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert text.index("Personal words") < text.index("New words") < text.index("Old words")
    assert "A spokesman" in text


def test_each_statement_links_to_its_place_in_the_article(client, statements):
    html = client.get("/quotes/").content.decode()
    for quote in statements.values():
        assert f'href="{quote.article.get_absolute_url()}#quote-{quote.key}"' in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("organisation=coalition", ["Old words"]),
        ("tag=multinational", ["Old words"]),
        ("topic=iraq", ["Old words"]),
        ("organisation=militia", ["New words"]),
    ],
)
def test_it_filters_by_organisation_or_tag(client, statements, query, expected):
    response = client.get(f"/quotes/?{query}")
    assert [q.text for q in response.context["page_obj"]] == expected


def test_an_unknown_filter_is_not_found(client, statements):
    assert client.get("/quotes/?organisation=nobody").status_code == 404


def test_quotes_link_to_their_anchors_on_the_article(client, story):
    html = client.get("/quotes/?organisation=us-led-coalition").content.decode()
    assert f'href="{story.get_absolute_url()}#quote-q1"' in html
    assert f'href="{story.get_absolute_url()}#quote-q2"' in html
    article = client.get(story.get_absolute_url()).content.decode()
    assert 'id="quote-q1"' in article and 'id="quote-q2"' in article
