"""People as speakers: their page, "who said what", their organisation's page, the
sitemap, and merging two records of one person in the admin."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Person, Quote

from .conftest import make_article, make_organisation, make_person, make_quote, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def spokeswoman():
    ministry = make_organisation(name="Ministry of Health")
    haddad = make_person(
        name="Lina Haddad",
        other_names="L. Haddad",
        role="spokeswoman",
        organisation=ministry,
        description="Speaks for the ministry.",
    )
    older = make_article(headline="Older story", paragraphs=["“Old words,” Haddad said."])
    newer = make_article(headline="Newer story", paragraphs=["“New words,” Haddad said."])
    older.published_at, newer.published_at = newer.published_at, older.published_at
    Article.objects.filter(pk=older.pk).update(published_at=older.published_at)
    Article.objects.filter(pk=newer.pk).update(published_at=newer.published_at)
    make_quote(older, person=haddad, text="Old words", attribution="Haddad said")
    make_quote(newer, person=haddad, text="New words", attribution="Haddad said")
    draft = make_article(status=Article.Status.DRAFT, paragraphs=["“Secret,” Haddad said."])
    make_quote(draft, person=haddad, text="Secret")
    return haddad


def test_the_person_page_shows_their_quotes_newest_first_and_their_organisation(
    client, spokeswoman
):
    response = client.get(f"/people/{spokeswoman.slug}/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert text.index("New words") < text.index("Old words")
    assert "Secret" not in text  # a draft's quote stays unpublished
    assert "Ministry of Health" in text and "spokeswoman" in text and "L. Haddad" in text
    assert "Articles that quote Lina Haddad" in text
    assert "Newer story" in text and "Older story" in text


def test_the_person_page_describes_them_in_json_ld(client, spokeswoman):
    html = client.get(spokeswoman.get_absolute_url()).content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "Person"
    assert (data["name"], data["jobTitle"], data["alternateName"]) == (
        "Lina Haddad",
        "spokeswoman",
        ["L. Haddad"],
    )
    assert data["affiliation"]["name"] == "Ministry of Health"


def test_an_unknown_person_is_not_found(client):
    assert client.get("/people/nobody/").status_code == 404


def test_a_person_quoted_only_in_a_draft_has_no_page_until_it_is_published(client):
    # The importer makes people from drafts: their names must not leak before publication.
    insider = make_person(name="Unnamed Insider")
    draft = make_article(status=Article.Status.DRAFT, paragraphs=["“Secret,” an insider said."])
    make_quote(draft, person=insider, text="Secret")
    assert client.get(insider.get_absolute_url()).status_code == 404
    assert insider.get_absolute_url() not in client.get("/sitemap-people.xml").content.decode()
    Article.objects.filter(pk=draft.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now()
    )
    assert client.get(insider.get_absolute_url()).status_code == 200


def test_who_said_what_lists_people_and_organisations_with_their_counts(client, spokeswoman):
    html = client.get("/quotes/").content.decode()
    speakers = re.search(r'<section class="speakers".*?</section>', html, re.S).group()
    assert f'href="{spokeswoman.get_absolute_url()}">Lina Haddad</a> <span class="count">2' in (
        speakers
    )
    filtered = client.get(f"/quotes/?person={spokeswoman.slug}")
    assert [q.text for q in filtered.context["page_obj"]] == ["New words", "Old words"]


def test_the_organisation_page_lists_what_its_people_said(client, spokeswoman):
    text = visible_text(client.get(spokeswoman.organisation.get_absolute_url()).content.decode())
    assert "New words" in text and "Old words" in text


def test_people_who_are_quoted_are_in_the_sitemap(client, spokeswoman):
    make_person(name="Never quoted")
    xml = client.get("/sitemap-people.xml").content.decode()
    assert spokeswoman.get_absolute_url() in xml and "never-quoted" not in xml


def test_renaming_a_person_shows_on_the_article_page_at_once(client, spokeswoman):
    article = make_article(paragraphs=["“Fresh words.”"])
    make_quote(article, person=spokeswoman, text="Fresh words.")
    cited = '<cite><a href="/people/lina-haddad/">{}</a></cite>'
    assert cited.format("Lina Haddad") in client.get(article.get_absolute_url()).content.decode()
    spokeswoman.name = "Lina Haddad-Nour"
    spokeswoman.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert cited.format("Lina Haddad-Nour") in page


# --- Merging two records of one person -----------------------------------------------


def _merge(client, people, **extra):
    return client.post(
        reverse("admin:articles_person_changelist"),
        {"action": "merge", "_selected_action": [p.pk for p in people], **extra},
    )


def test_merging_asks_which_to_keep_then_moves_quotes_and_marks(client, make_staff, spokeswoman):
    duplicate = make_person(name="Lina Hadad", role="ministry spokeswoman")
    article = make_article(paragraphs=["“Typo words,” Hadad said."])
    make_quote(article, person=duplicate, text="Typo words", key="d")
    client.force_login(make_staff("Editors"))

    confirm = _merge(client, [spokeswoman, duplicate])
    assert confirm.status_code == 200
    assert "Keep" in confirm.content.decode() and Person.objects.count() == 2

    done = _merge(client, [spokeswoman, duplicate], confirm="yes", keep=spokeswoman.pk)
    assert done.status_code == 302
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    spokeswoman.refresh_from_db()
    assert spokeswoman.other_name_list == ["L. Haddad", "Lina Hadad"]
    assert spokeswoman.role == "spokeswoman"  # the kept record's own stays
    article.refresh_from_db()
    assert f'data-person="{spokeswoman.pk}"' in article.body
    assert f'data-person="{duplicate.pk}"' not in article.body
    assert Quote.objects.get(article=article).person == spokeswoman
    assert spokeswoman.quotes.count() == 4


def test_merging_needs_exactly_two_people(client, make_staff, spokeswoman):
    client.force_login(make_staff("Editors"))
    _merge(client, [spokeswoman], confirm="yes", keep=spokeswoman.pk)
    assert Person.objects.count() == 1


@pytest.mark.parametrize("role", ["Writers", "Taggers"])
def test_only_editors_may_merge_people(client, make_staff, spokeswoman, role):
    duplicate = make_person(name="Lina Hadad")
    client.force_login(make_staff(role))
    _merge(client, [spokeswoman, duplicate], confirm="yes", keep=spokeswoman.pk)
    assert Person.objects.count() == 2


def test_the_person_admin_finds_people_by_another_name(client, make_staff, spokeswoman):
    client.force_login(make_staff("Writers"))
    response = client.get(reverse("admin:articles_person_changelist"), {"q": "L. Haddad"})
    assert list(response.context["cl"].result_list) == [spokeswoman]


@pytest.mark.only_on("postgresql")
def test_postgres_an_organisations_quotes_are_found_through_indexes(db, spokeswoman):
    # "Its own quotes or its people's" across the join used no index and read every
    # quote: 0.3 s, twice a page, at a million articles.
    from django.db import connection

    organisation = spokeswoman.organisation
    make_quote(make_article(), organisation=organisation, text="Its own words")
    other = make_organisation(name="Another group")
    articles = Article.objects.bulk_create(
        Article(
            headline=f"Story {n}",
            slug=f"story-{n}",
            body="<p>Words.</p>",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for n in range(500)
    )
    Quote.objects.bulk_create(
        Quote(article=article, key="q1", text="Other words", organisation=other, paragraph=1)
        for article in articles
    )
    said = Quote.objects.published().said_for(organisation)
    assert sorted(said.values_list("text", flat=True)) == [
        "Its own words",
        "New words",
        "Old words",
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_quote, articles_article, articles_person")
        cursor.execute("SET enable_seqscan = off")  # 500 rows are cheaper to read whole
        plan = said.explain()
        cursor.execute("RESET enable_seqscan")
    assert "articles_quote_organisation_id" in plan and "articles_quote_person_id" in plan
