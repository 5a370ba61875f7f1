"""The article changelist at any size: its search goes through the search index (words,
the last as typed so far, drafts included) and its count stops at the last page it
offers, so neither reads every row of a large table."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import search
from articles.models import Article

from .conftest import make_article, make_person, make_quote

CHANGELIST = reverse("admin:articles_article_changelist")


def _found(client, query):
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    return sorted(article.headline for article in response.context["cl"].result_list)


def test_search_finds_drafts_by_the_words_of_their_text(editor_client):
    make_article(headline="Rockets hit Camp Taji", status=Article.Status.DRAFT)
    make_article(headline="Convoy", paragraphs=["The militia claimed the attacks."])
    make_article(headline="Unrelated")
    assert _found(editor_client, "taji") == ["Rockets hit Camp Taji"]
    assert _found(editor_client, "militia attack") == ["Convoy"]
    # The last word as far as it is typed; the others whole.
    assert _found(editor_client, "camp ta") == ["Rockets hit Camp Taji"]
    assert _found(editor_client, "ca taji") == []


def test_search_finds_an_article_by_its_exact_slug(editor_client):
    article = make_article(headline="Rockets hit Camp Taji", slug="rockets-taji-2021")
    make_article(headline="Other")
    assert _found(editor_client, article.slug) == [article.headline]


def test_search_ignores_the_bodys_markup(editor_client):
    article = make_article(headline="Talks", paragraphs=["They spoke at length."])
    make_quote(article, text="They spoke", person=make_person(name="Amal Haddad"))
    for markup in ["data", "quote", "person", "href"]:
        assert _found(editor_client, markup) == [], markup


@pytest.mark.parametrize("query", ["%", "'", '"', "\x00", "*", "a OR b", "NEAR(", "-"])
def test_any_search_answers(editor_client, query):
    make_article(headline="Rockets hit Camp Taji")
    assert editor_client.get(CHANGELIST, {"q": query}).status_code == 200


@pytest.fixture
def short_pages(monkeypatch):
    article_admin = admin.site._registry[Article]
    monkeypatch.setattr(article_admin, "list_per_page", 2)
    monkeypatch.setattr(article_admin, "max_pages", 2)


def test_the_count_stops_at_the_last_page_offered(editor_client, short_pages):
    for _ in range(5):
        make_article()
    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(CHANGELIST).content.decode()
    assert "4+ articles" in page
    assert "Select all 4+ articles" in page
    [count] = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert "LIMIT 4" in count.upper()
    # Any 4 rows count the same: sorted first, a common word's every match was found and
    # sorted (3 s at a million articles).
    assert "ORDER BY" not in count.upper()


def test_a_search_is_counted_less_deep(editor_client, short_pages, monkeypatch):
    monkeypatch.setattr(admin.site._registry[Article], "searched_max_pages", 1)
    for _ in range(5):
        make_article(standfirst="A convoy story")
    assert "4+ articles" in editor_client.get(CHANGELIST).content.decode()
    page = editor_client.get(CHANGELIST, {"q": "convoy"}).content.decode()
    assert "2+ articles" in page


def test_a_list_within_the_cap_shows_its_exact_count(editor_client, short_pages):
    for _ in range(3):
        make_article()
    page = editor_client.get(CHANGELIST).content.decode()
    assert "3 articles" in page and "3+ articles" not in page


@pytest.mark.only_on("postgresql")
def test_postgres_admin_search_uses_the_gin_index(db, monkeypatch):
    # As for a common word (see test_search.test_postgres_search_uses_the_gin_indexes).
    monkeypatch.setattr("articles.search.RARE_MATCHES", 1)
    make_article(headline="Indexed words")
    Article.objects.bulk_create(
        Article(headline=f"Story {n}", slug=f"story-{n}", body="<p>Other words.</p>")
        for n in range(500)
    )
    article_admin = admin.site._registry[Article]
    found, _ = article_admin.get_search_results(None, Article.objects.all(), "indexed wor")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        cursor.execute("SET enable_seqscan = off")
        plan = found.explain()
        cursor.execute("RESET enable_seqscan")
    assert "article_search_idx" in plan


@pytest.mark.parametrize("role", ["Writers", "Taggers"])
@pytest.mark.parametrize("query", ["taji", "camp ta", "\x00", "' OR 1=1 --", "NEAR(a b)"])
def test_every_role_searching_the_list_gets_an_answer_not_an_error(
    client, make_staff, role, query
):
    make_article(headline="Rockets hit Camp Taji", status=Article.Status.DRAFT)
    client.force_login(make_staff(role))
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code in (200, 403)
    if response.status_code == 200 and query in ("taji", "camp ta"):
        found = [article.headline for article in response.context["cl"].result_list]
        assert found == ["Rockets hit Camp Taji"]


@pytest.mark.only_on("postgresql")
def test_postgres_a_common_whole_word_is_not_probed_as_a_prefix(db, monkeypatch):
    # The planner knows nothing of a prefix ("zeugma:*") and reads every match through
    # the index (70 ms at a million for a common word); the whole word settles it.
    monkeypatch.setattr("articles.search.RARE_MATCHES", 3)
    for n in range(3):
        make_article(headline=f"Zeugma {n}")
    with CaptureQueriesContext(connection) as queries:
        condition = search.words_condition("zeugma")
    # The planner's estimate for the whole word, the table's size, the whole word's probe.
    assert len(queries) == 3
    assert not any(":*" in query["sql"] for query in queries)
    # The whole word said beside the prefix, so the planner knows it is common.
    assert str(Article.objects.filter(condition).query).count("search_document") == 2
    assert Article.objects.filter(search.words_condition("zeug")).count() == 3
