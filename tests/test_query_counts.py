"""A list page costs the same number of queries for 2 rows as for 30."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Organisation
from articles.services import appeal_record_donation

from .conftest import (
    MACHINE_PAGES,
    make_appeal,
    make_article,
    make_organisation,
    make_person,
    make_quote,
)

PAGES = [
    "/",
    "/?page=2",
    "/archive/",
    "/2021/",
    "/2021/03/",
    "/organisations/",
    "/organisations/?tag=armed-group&letter=G",
    "/organisations/isis/",
    "/organisations/tags/armed-group/",
    "/quotes/",
    "/quotes/?organisation=isis&tag=armed-group&topic=iraq",
    "/topics/",
    "/topics/iraq/",
    "/search/?q=story",
    "/search/?q=daesh",
    "/appeals/",
    *MACHINE_PAGES,
]


def _add_rows(first, count):
    isis, _ = Organisation.objects.get_or_create(
        slug="isis", defaults={"name": "ISIS", "aliases": "Daesh"}
    )
    isis.tags.add("armed group")
    for n in range(first, first + count):
        article = make_article(
            headline=f"Story {n}",
            published_at=datetime(2021, 3, 1, tzinfo=UTC) + timedelta(hours=n),
        )
        article.tags.add("Iraq", f"Topic {n}")
        group = make_organisation(name=f"Group {n}", aliases=f"Alias {n}")
        group.tags.add("armed group", f"Region {n}")
        article.organisations.add(isis, group)
        make_quote(article, organisation=isis, paragraph=1)
        make_quote(article, organisation=group, paragraph=2)
        appeal = make_appeal(campaign_month=date(2000 + n // 12, n % 12 + 1, 1))
        appeal_record_donation(appeal=appeal, amount=Decimal(n + 1))


@pytest.mark.parametrize("url", PAGES)
def test_the_query_count_does_not_grow_with_the_rows(
    client, db, django_assert_max_num_queries, url
):
    make_appeal(campaign_month=date(2021, 3, 1), is_active=True)
    _add_rows(0, 2)
    client.get(url)  # warm caches that are filled once per process, like ContentTypes
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _add_rows(2, 28)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_the_article_page_query_count_does_not_grow_with_its_links(
    client, db, django_assert_max_num_queries
):
    make_appeal(campaign_month=date(2021, 3, 1), is_active=True)
    article = make_article(paragraphs=[f"Paragraph {n}." for n in range(30)])
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as bare:
        client.get(article.get_absolute_url())
    for n in range(30):
        article.tags.add(f"Topic {n}")
        organisation = make_organisation()
        article.organisations.add(organisation)
        make_quote(article, organisation=organisation, paragraph=n + 1)
    with django_assert_max_num_queries(len(bare)):
        client.get(article.get_absolute_url())


def test_the_article_page_takes_at_most_ten_queries_with_50_quotes_by_50_speakers(
    client, db, django_assert_max_num_queries
):
    make_appeal(campaign_month=date(2021, 3, 1), is_active=True)
    article = make_article(paragraphs=[f"Paragraph {n}, said someone." for n in range(50)])
    for n in range(50):
        # Half people (a few of them speaking for an organisation), half organisations;
        # statements and quotes inside a sentence.
        speaker = (
            {"person": make_person(organisation=make_organisation() if n % 4 else None)}
            if n % 2
            else {"organisation": make_organisation()}
        )
        text = f"Paragraph {n}" if n % 3 else f"Paragraph {n}, said someone."
        make_quote(article, text=text, paragraph=n + 1, attribution="said someone", **speaker)
    assert article.quotes.values("person", "organisation").distinct().count() == 50
    with django_assert_max_num_queries(10):
        page = client.get(article.get_absolute_url()).content.decode()
    assert page.count('<q class="quote"') + page.count('<blockquote class="statement"') == 50
    assert page.count("/people/") >= 25
