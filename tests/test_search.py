"""Search, on whichever database the suite runs on (SQLite by default; PostgreSQL with
DATABASE_URL=postgres://…)."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.models import Article, Organisation
from articles.search import query_terms, search_articles

from .conftest import make_article, make_organisation, make_person, make_quote, visible_text


def _headlines(query):
    return [article.headline for article in search_articles(query)]


def test_it_finds_words_in_headlines_standfirsts_and_bodies(db):
    make_article(headline="Rockets hit Camp Taji")
    make_article(headline="Two", standfirst="Troops leave smaller bases")
    make_article(headline="Three", paragraphs=["Intro.", "The militia claimed the attack."])
    make_article(headline="Unrelated")
    assert _headlines("taji") == ["Rockets hit Camp Taji"]
    assert _headlines("bases") == ["Two"]
    assert _headlines("militia") == ["Three"]


def test_every_word_must_match(db):
    make_article(headline="Rockets hit Camp Taji")
    make_article(headline="Rockets hit Baghdad")
    assert _headlines("rockets taji") == ["Rockets hit Camp Taji"]


def test_it_matches_other_forms_of_a_word(db):
    make_article(headline="Militia attacks convoy")
    assert _headlines("attack") == ["Militia attacks convoy"]


def test_an_alias_finds_the_articles_linked_to_the_organisation(db):
    isis = make_organisation(name="ISIS", aliases="Daesh\nIslamic State")
    mentions = make_article(headline="Mentions the group", paragraphs=["ISIS retreated."])
    mentions.organisations.add(isis)
    quoted = make_article(headline="Quotes the group", paragraphs=["A statement."])
    make_quote(quoted, organisation=isis, text="A statement")
    make_article(headline="Unrelated")
    assert set(_headlines("Daesh")) == {"Mentions the group", "Quotes the group"}
    assert set(_headlines("islamic state")) == {"Mentions the group", "Quotes the group"}


def test_an_article_is_found_by_the_aliases_of_the_organisations_it_names(story):
    assert _headlines("Daesh") == [story.headline]
    assert _headlines("ISIL") == [story.headline]
    assert _headlines("CJTF") == [story.headline]


def test_a_headline_match_ranks_above_a_body_match(db):
    now = timezone.now()
    make_article(
        headline="Other news",
        paragraphs=["A long paragraph that mentions Taji once among many other words."],
        published_at=now,
    )
    make_article(headline="Taji base closes", published_at=now - timedelta(days=30))
    assert _headlines("taji") == ["Taji base closes", "Other news"]


def test_it_never_returns_drafts_or_scheduled_articles(db):
    make_article(headline="Published Zanzibar")
    make_article(headline="Draft Zanzibar", status=Article.Status.DRAFT)
    make_article(headline="Scheduled Zanzibar", published_at=timezone.now() + timedelta(hours=1))
    isis = make_organisation(name="Zanzibar Front")
    make_article(headline="Draft mention", status=Article.Status.DRAFT).organisations.add(isis)
    assert _headlines("zanzibar") == ["Published Zanzibar"]


def test_the_index_follows_edits_and_deletions(db):
    article = make_article(headline="Before the edit")
    article.headline = "After the correction"
    article.save()
    assert _headlines("correction") == ["After the correction"]
    assert _headlines("before") == []
    organisation = make_organisation(name="Renamed Group")
    article.organisations.add(organisation)
    organisation.aliases = "Newalias"
    organisation.save()
    assert _headlines("newalias") == ["After the correction"]
    article.delete()
    assert _headlines("correction") == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '"unbalanced',
        "NEAR(a b)",
        "a OR b AND NOT c",
        "*",
        "col:value",
        "^start",
        "'; DROP TABLE articles_article; --",
        "\x00",
        "nul\x00byte",
        "\ufffd\ufffd",
        "x" * 10_240,
        "word " * 2_000,
        "!@#$%^&*()",
        "(((",
        "-",
    ],
)
def test_odd_queries_are_safe(db, query):
    make_article(headline="A story")
    list(search_articles(query))


def test_a_query_is_cut_to_a_few_distinct_words():
    assert query_terms('"Daesh" AND (bases) OR daesh*') == ["daesh", "and", "bases", "or"]
    assert len(query_terms("word " * 2_000 + " ".join(f"w{n}" for n in range(50)))) == 10


@pytest.mark.parametrize(
    "query_string",
    [
        "q=",
        "q=%00",
        "q=%ff%fe%fd",
        "q=%22%22%22",
        "q=NEAR%28a%29",
        "q=" + "x" * 10_240,
        "q=Daesh&page=abc",
        "q=Daesh&page=999999",
        "q=a&q=b",
        "",
    ],
)
def test_the_search_page_answers_odd_queries_with_a_normal_page(client, db, query_string):
    make_article(headline="A story about Daesh")
    response = client.get(f"/search/?{query_string}")
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_the_search_page_refuses_an_overlong_query_politely(client, db):
    response = client.get("/search/", {"q": "x" * 10_240})
    assert response.status_code == 200
    assert "at most 200 characters" in visible_text(response.content.decode())
    assert len(response.content) < 20_000


def test_the_search_page_highlights_the_matched_words(client, story):
    response = client.get("/search/", {"q": "daesh"})
    html = response.content.decode()
    assert "1 result for “daesh”" in visible_text(html)
    assert "<mark>Daesh</mark>" in html
    assert f'href="{story.get_absolute_url()}"' in html


def test_a_result_shows_the_passage_around_the_first_match(client, db):
    filler = " ".join(f"word{n}" for n in range(200))
    make_article(paragraphs=[filler, "Here the needle sits.", filler])
    html = client.get("/search/", {"q": "needle"}).content.decode()
    excerpt = re.search(r'<p class="search-results__excerpt">(.*?)</p>', html, re.S).group(1)
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert "Here the <mark>needle</mark> sits." in excerpt
    assert len(excerpt) < 400


def test_the_body_is_searched_by_its_words_not_its_markup(db):
    speaker = make_person(name="Amal Haddad")
    article = make_article(
        headline="Talks resume",
        paragraphs=["<h2>Background</h2>", "Delegates met on Monday.", "They spoke."],
    )
    make_quote(article, text="We will return", paragraph=3, person=speaker)
    make_quote(article, text="They spoke", paragraph=3, source="a security official")
    # The marks' tags and attributes (data-quote, data-person, data-source's text) are
    # not words of the article.
    for markup in ["data", "quote", "person", "source", "security official", "href", "h2"]:
        assert _headlines(markup) == [], markup
    assert _headlines("background delegates") == ["Talks resume"]
    assert _headlines("return") == ["Talks resume"]


def test_the_passage_shown_keeps_a_heading_apart_from_the_paragraph_after_it(client, db):
    make_article(paragraphs=["<h2>Background</h2>", "Talks resumed &amp; the needle moved."])
    html = client.get("/search/", {"q": "needle"}).content.decode()
    excerpt = re.search(r'<p class="search-results__excerpt">(.*?)</p>', html, re.S).group(1)
    assert "Background Talks resumed &amp; the <mark>needle</mark> moved." in excerpt


def test_a_result_found_by_an_alias_names_the_organisation(client, db):
    isis = make_organisation(name="ISIS", aliases="Daesh")
    make_article(paragraphs=["No alias in the text."]).organisations.add(isis)
    html = client.get("/search/", {"q": "daesh"}).content.decode()
    assert "Mentions" in html
    assert "ISIS · <mark>Daesh</mark>" in html


def test_highlighting_escapes_the_text_around_the_marks(client, db):
    make_article(headline="<b>Bold</b> claims & counter-claims")
    html = client.get("/search/", {"q": "claims"}).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; <mark>claims</mark> &amp; counter-<mark>claims</mark>" in html


def test_the_search_page_is_paginated(client, db):
    for _ in range(25):
        make_article(paragraphs=["Common word zebra."])
    first = client.get("/search/", {"q": "zebra"})
    second = client.get("/search/", {"q": "zebra", "page": 2})
    assert first.context["page_obj"].paginator.count == 25
    assert len(first.context["hits"]) == 20
    assert len(second.context["hits"]) == 5
    assert 'href="?q=zebra&amp;page=2"' in first.content.decode()


@pytest.mark.only_on("sqlite")
def test_the_index_survives_a_later_migration_that_rebuilds_the_table(transactional_db):
    # SQLite alters most columns by copying the table and dropping the old one, which
    # drops its triggers too; the next `migrate` puts them back and re-indexes.
    with connection.schema_editor() as editor:
        editor._remake_table(Article)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert "articles_article_fts_insert" not in {name for (name,) in cursor.fetchall()}
    make_article(headline="Written while the triggers were gone")
    call_command("migrate", verbosity=0)
    make_article(headline="Written after the repair")
    assert set(_headlines("written")) == {
        "Written while the triggers were gone",
        "Written after the repair",
    }


@pytest.mark.only_on("postgresql")
def test_postgres_search_uses_the_gin_indexes(db, monkeypatch):
    # A common word keeps its condition on the row (a rare one is asked of the index
    # first, by the same condition): "indexed" counts as common here.
    monkeypatch.setattr("articles.search.RARE_MATCHES", 1)
    make_article(headline="Indexed")
    Organisation.objects.bulk_create(
        Organisation(name=f"Group {n}", slug=f"group-{n}") for n in range(500)
    )
    Article.objects.bulk_create(
        Article(
            headline=f"Story {n}",
            slug=f"story-{n}",
            body="Other words.",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for n in range(500)
    )
    text_matches, organisations_named, _ = search._postgres(["indexed"])
    with connection.cursor() as cursor:
        # Tiny tables are cheaper to scan whole; enough rows, fresh statistics and no
        # sequential scans show whether each condition repeats its indexed expression.
        # Each is asked alone: how the whole search combines them (newest matches first)
        # depends on how many rows earlier tests left dead in the tables.
        cursor.execute("ANALYZE articles_article, articles_organisation")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = Article.objects.filter(text_matches).explain()
        plan += Organisation.objects.filter(organisations_named).explain()
        cursor.execute("RESET enable_indexscan")
        cursor.execute("RESET enable_seqscan")
    assert "article_search_idx" in plan
    assert "organisation_search_idx" in plan


@pytest.mark.django_db
def test_each_way_of_matching_offers_only_its_newest_articles(monkeypatch):
    # A word in most of a million articles must not have all of them ranked per request.
    monkeypatch.setattr("articles.search.CANDIDATES", 2)
    now = timezone.now()
    for days in (1, 2, 3):
        make_article(headline=f"Zebra sighting {days}", published_at=now - timedelta(days=days))

    assert set(_headlines("zebra")) == {"Zebra sighting 1", "Zebra sighting 2"}


@pytest.mark.only_on("postgresql")
def test_postgres_matches_and_ranks_by_the_stored_vector(db):
    # Recomputing to_tsvector() per row made ranking and the walk down the newest
    # articles read every candidate's body again: seconds a search at a million.
    make_article(headline="Ceasefire talks resume")
    sql = str(search_articles("ceasefire").query) + str(
        Article.objects.filter(search.words_condition("ceasef")).query
    )
    assert "search_document" in sql and "to_tsvector" not in sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document FROM articles_article WHERE headline = %s",
            ["Ceasefire talks resume"],
        )
        assert "'ceasefir':1A" in cursor.fetchone()[0]


@pytest.mark.only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_postgres_vectors_of_existing_articles_are_stored_by_the_migration():
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        target = target or executor.loader.graph.leaf_nodes("articles")
        executor.migrate(target)
        return executor.loader.project_state(target).apps

    old = migrate([("articles", "0020_article_modified_index_and_withdrawals")])
    try:
        old.get_model("articles", "Article").objects.create(
            headline="Old story",
            slug="old-story",
            body="<p>Written before the column</p>",
            status="published",
            published_at=timezone.now(),
        )
    finally:
        migrate(None)
    assert _headlines("column") == ["Old story"]


@pytest.mark.django_db
def test_a_query_in_many_organisation_names_uses_the_closest_ones(monkeypatch):
    # "ceasefire" in hundreds of names is not naming an organisation; looking through
    # all their articles cost most of a search at a million articles.
    monkeypatch.setattr("articles.search.MATCHED_ORGANISATIONS", 1)
    closest = make_organisation(name="Ceasefire Board")
    farther = make_organisation(name="Ceasefire Monitoring Board")
    make_article(headline="Closest one's story").organisations.add(closest)
    make_article(headline="Farther one's story").organisations.add(farther)

    assert _headlines("ceasefire board") == ["Closest one's story"]


@pytest.mark.only_on("postgresql")
@pytest.mark.parametrize("matches, found_by", [(2, "ids"), (3, "condition")])
def test_postgres_asks_the_index_first_whether_a_word_is_rare(db, monkeypatch, matches, found_by):
    # Asked for the newest matches, the planner walked every article for a word only
    # one holds (it assumes a word it has no statistics for is in 0.5 % of rows).
    monkeypatch.setattr("articles.search.RARE_MATCHES", 3)
    for n in range(matches):
        make_article(headline=f"Zeugma {n}")
    make_article(headline="Other")
    condition = search._postgres_text_matches(search.SearchQuery("zeugma", config="english"))
    sql = str(Article.objects.filter(condition).query)
    assert ("search_document" not in sql) == (found_by == "ids")
    assert sorted(_headlines("zeugma")) == [f"Zeugma {n}" for n in range(matches)]


@pytest.mark.only_on("postgresql")
def test_postgres_skips_the_probe_for_a_word_its_statistics_call_common(db):
    # For a word in most of a million articles, the probe read a thousand rows' vectors
    # to learn what the planner's statistics already said: a third of the database's
    # time for a search.
    Article.objects.bulk_create(
        Article(
            headline=f"Zeugma {n}" if n % 2 else f"Story {n}",
            slug=f"story-{n}",
            body="Other words.",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(minutes=n),
        )
        for n in range(200)
    )
    make_article(headline="Quokka sighted")

    def probes(word):
        with CaptureQueriesContext(connection) as queries:
            found = _headlines(word)
        return found, [q["sql"] for q in queries if f"LIMIT {search.RARE_MATCHES}" in q["sql"]]

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    found, probes_run = probes("zeugma")
    assert probes_run == []
    assert len(found) == search.CANDIDATES
    assert all(headline.startswith("Zeugma") for headline in found)
    # A word the statistics do not list is still asked of the index first.
    found, probes_run = probes("quokka")
    assert found == ["Quokka sighted"] and len(probes_run) == 1
