from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article

from .conftest import (
    make_appeal,
    make_article,
    make_organisation,
    make_person,
    make_quote,
    visible_text,
)


def test_the_home_page_lists_the_latest_articles_and_the_appeal(client, story):
    newer = make_article(headline="A newer story")
    response = client.get("/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert text.index("A newer story") < text.index(story.headline)
    assert "671 $" in text and "MARCH 2021" in text
    assert "Do you like this content? Consider helping us!" in text
    assert newer.get_absolute_url() in response.content.decode()


def test_the_home_page_is_paginated(client, db):
    for _ in range(25):
        make_article()
    first = client.get("/")
    second = client.get("/", {"page": 2})
    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 5
    assert 'rel="next" href="?page=2"' in first.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "999999", ""])
def test_odd_page_numbers_get_a_normal_page(client, db, page):
    make_article()
    assert client.get("/", {"page": page}).status_code == 200


def test_the_article_page_shows_the_appeal_as_an_accessible_progress_bar(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="671.00"' in page
    assert 'aria-valuemin="0"' in page
    assert 'aria-valuemax="5000.00"' in page
    assert 'aria-valuetext="671 $ raised of 5,000 $ (13 %)"' in page
    assert 'width="13.42%"' in page
    assert "<li>0 $</li><li>2,500 $</li><li>5,000 $</li>" in page


def test_the_appeal_bar_reflects_a_new_donation_on_the_next_request(client, story):
    appeal = story.appeal
    services.appeal_record_donation(appeal=appeal, amount=Decimal("329"))
    page = client.get(story.get_absolute_url()).content.decode()
    assert "1,000 $" in visible_text(page)
    assert 'width="20.00%"' in page


def test_the_article_page_cites_the_coalition_and_links_its_page(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<blockquote class="statement" id="quote-q1">' in page
    assert (
        '<cite><a href="/organisations/us-led-coalition/">the US-led coalition said</a></cite>'
        in page
    )
    assert 'href="/topics/iraq/"' in page
    assert 'href="/organisations/isis/"' in page


def test_the_article_page_does_not_show_an_unknown_date(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    header = page.split('<header class="article__header">')[1].split("</header>")[0]
    assert "<time" not in header
    assert "datePublished" not in page and "article:published_time" not in page


def test_the_article_page_shows_a_known_date_and_byline(client, db):
    article = make_article(byline="Jane Doe")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "By Jane Doe" in page
    assert f'datetime="{article.published_at.isoformat()}"' in page


def test_editor_html_never_reaches_readers_unfiltered(client, db):
    article = make_article(
        headline="<script>alert('headline')</script>",
        paragraphs=['<script>alert("body")</script><a href="javascript:alert(1)">x</a>'],
        lead_image_caption='<img src=x onerror="alert(2)">caption',
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "onerror" not in page
    assert "&lt;script&gt;alert(&#x27;headline&#x27;)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.IN_REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "in review", "scheduled"],
)
def test_unpublished_articles_are_hidden_from_readers(client, db, fields):
    hidden = make_article(headline="Not for readers yet", **fields)
    organisation = make_organisation()
    hidden.organisations.add(organisation)
    hidden.tags.add("Iraq")
    assert client.get(hidden.get_absolute_url()).status_code == 404
    for url in ("/", organisation.get_absolute_url(), "/topics/iraq/"):
        assert "Not for readers yet" not in client.get(url).content.decode(), url


def test_an_unknown_slug_gets_the_styled_not_found_page(client, db):
    response = client.get("/articles/no-such-story/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "css/site.css" in response.content.decode()


def test_a_server_error_gets_the_styled_error_page(db, settings):
    settings.ROOT_URLCONF = "tests.urls_error"
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_organisation_list_filters_by_tag(client, story):
    make_organisation(name="Ausbat al-Thaayirin").tags.add("armed group")
    response = client.get(reverse("articles:organisation-list"), {"tag": "armed-group"})
    names = [o.name for o in response.context["page_obj"]]
    assert names == ["Ausbat al-Thaayirin", "ISIS"]
    assert client.get(reverse("articles:organisation-list"), {"tag": "nope"}).status_code == 404


def test_the_organisation_page_shows_aliases_tags_articles_and_quotes(client, story):
    page = client.get("/organisations/us-led-coalition/").content.decode()
    text = visible_text(page)
    assert "Also called Coalition" in text
    assert "state actor" in text
    assert story.headline in text
    assert "The Coalition remains in Iraq at the invitation" in text
    assert f"{story.get_absolute_url()}#quote-q1" in page


def test_the_topic_page_lists_its_articles(client, story):
    response = client.get("/topics/camp-taji/")
    assert response.status_code == 200
    assert story.headline in response.content.decode()
    assert client.get("/topics/unknown-topic/").status_code == 404


def test_the_organisation_tag_page_lists_its_organisations(client, story):
    make_organisation(name="Quds Force").tags.add("Iran")
    response = client.get("/organisations/tags/iran/")
    assert [o.name for o in response.context["page_obj"]] == ["Quds Force"]


def _article_with(quotes, organisations):
    appeal = make_appeal(is_active=True)
    services.appeal_record_donation(appeal=appeal, amount=Decimal("10"))
    article = make_article(paragraphs=[f"“Statement {i},” it said." for i in range(quotes)])
    orgs = [make_organisation() for _ in range(organisations)]
    article.organisations.add(*orgs)
    article.tags.add("One", "Two")
    for i in range(quotes):
        make_quote(
            article,
            organisation=orgs[i % organisations],
            text=f"Statement {i}",
            attribution="it said",
            paragraph=i + 1,
        )
    return article


@pytest.mark.parametrize("size", [(2, 8), (50, 50)], ids=["story-sized", "large"])
def test_the_article_page_runs_a_constant_number_of_queries(
    client, db, django_assert_max_num_queries, size
):
    article = _article_with(*size)
    with django_assert_max_num_queries(6):
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('class="statement"') == size[0]


def test_an_organisation_quoted_but_not_listed_in_the_article_is_still_cited(
    client, db, django_assert_max_num_queries
):
    article = _article_with(2, 1)
    unlisted = make_organisation(name="Quds Force")
    article.quotes.filter(paragraph=2).update(organisation=unlisted)
    # The speakers missing from the article's organisations cost one more query, once.
    with django_assert_max_num_queries(7):
        page = client.get(article.get_absolute_url()).content.decode()
    assert f'<cite><a href="{unlisted.get_absolute_url()}">it said</a></cite>' in page
    listed = page.split('id="organisations-heading"')[1].split("</section>")[0]
    assert "Quds Force" not in listed


@pytest.mark.parametrize("rows", [2, 30])
def test_list_pages_run_a_bounded_number_of_queries(
    client, db, django_assert_max_num_queries, rows
):
    organisation = make_organisation()
    organisation.tags.add("Iraq")
    for _ in range(rows):
        article = make_article()
        article.tags.add("Iraq", "Syria")
        article.organisations.add(organisation)
        make_quote(article, organisation=organisation)
    for url in (
        "/",
        "/organisations/",
        organisation.get_absolute_url(),
        "/topics/iraq/",
        "/organisations/tags/iraq/",
    ):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_every_list_of_articles_shows_each_articles_topic_tags(client, db):
    # The lists read tags into `listed_tags` (for_listing()), not through the tags
    # manager: a template asking the other would show no tags, silently.
    organisation = make_organisation(name="Ceasefire Monitors")
    person = make_person(name="Rana Haddad")
    article = make_article(headline="Ceasefire talks resume", paragraphs=["Ceasefire talks."])
    article.tags.add("Iraq", "Syria")
    article.organisations.add(organisation)
    make_quote(article, text="We are hopeful about the ceasefire", person=person)
    month = article.published_at.strftime("/%Y/%m/")
    for url in (
        "/",
        "/?page=1",
        month,
        "/topics/iraq/",
        organisation.get_absolute_url(),
        person.get_absolute_url(),
        "/search/?q=ceasefire",
    ):
        page = client.get(url).content.decode()
        assert article.headline in visible_text(page), url
        for slug in ("iraq", "syria"):
            assert f'class="tag" href="/topics/{slug}/"' in page, (url, slug)
    search = visible_text(client.get("/search/?q=ceasefire").content.decode())
    assert "Mentions Ceasefire Monitors" in search
