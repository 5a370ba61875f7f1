from datetime import timedelta

from django.utils import timezone

from .conftest import make_article, make_organisation, make_quote, visible_text


def test_the_directory_is_grouped_a_to_z_with_a_letter_index(client, db):
    make_organisation(name="ISIS")
    make_organisation(name="Iraqi Security Forces")
    make_organisation(name="Quds Force")
    response = client.get("/organisations/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert text.index("I Iraqi Security Forces") < text.index("ISIS") < text.index("Q Quds")
    assert list(response.context["initials"]) == ["I", "Q"]


def test_the_directory_filters_by_letter_and_by_tag(client, db):
    isis = make_organisation(name="ISIS")
    isis.tags.add("armed group")
    make_organisation(name="Iraqi Security Forces")
    quds = make_organisation(name="Quds Force")
    quds.tags.add("armed group")
    by_letter = client.get("/organisations/?letter=q")
    assert [o.name for o in by_letter.context["page_obj"]] == ["Quds Force"]
    by_tag = client.get("/organisations/?tag=armed-group")
    assert [o.name for o in by_tag.context["page_obj"]] == ["ISIS", "Quds Force"]
    both = client.get("/organisations/?tag=armed-group&letter=I")
    assert [o.name for o in both.context["page_obj"]] == ["ISIS"]
    assert client.get("/organisations/?tag=no-such-tag").status_code == 404


def test_the_organisation_page_shows_aliases_tags_and_mentions_newest_first(client, db):
    isis = make_organisation(name="ISIS", aliases="Daesh\nISIL")
    isis.tags.add("armed group")
    now = timezone.now()
    old = make_article(headline="Old mention", published_at=now - timedelta(days=3))
    new = make_article(headline="New mention", published_at=now - timedelta(days=1))
    make_article(headline="Not about them")
    old.organisations.add(isis)
    new.organisations.add(isis)
    response = client.get(isis.get_absolute_url())
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Also called Daesh, ISIL" in text
    assert "armed group" in text
    assert text.index("New mention") < text.index("Old mention")
    assert "Not about them" not in text


def test_the_organisation_page_paginates_its_articles(client, db):
    isis = make_organisation(name="ISIS")
    for _ in range(25):
        make_article().organisations.add(isis)
    response = client.get(f"{isis.get_absolute_url()}?page=2")
    assert len(response.context["page_obj"]) == 5


def test_the_organisation_page_shows_what_it_said_linked_to_the_place(client, db):
    coalition = make_organisation(name="US-led coalition")
    article = make_article(paragraphs=["Intro.", "We remain in Iraq, the coalition said."])
    quote = make_quote(article, organisation=coalition, text="We remain in Iraq", paragraph=2)
    response = client.get(coalition.get_absolute_url())
    html = response.content.decode()
    assert "We remain in Iraq" in visible_text(html)
    assert f'href="{article.get_absolute_url()}#quote-{quote.key}"' in html
    assert quote.get_absolute_url().endswith(f"#quote-{quote.key}")


def test_the_organisation_page_links_to_all_statements_when_there_are_many(client, db):
    coalition = make_organisation(name="Coalition")
    for _ in range(12):
        make_quote(make_article(), organisation=coalition)
    response = client.get(coalition.get_absolute_url())
    assert len(response.context["quotes"]) == 10
    assert "All 12 statements by Coalition" in visible_text(response.content.decode())


def test_the_coalition_page_shows_both_its_statements(client, story):
    response = client.get("/organisations/us-led-coalition/")
    text = visible_text(response.content.decode())
    assert "What US-led coalition said" in text
    assert "As a result of the success of Iraqi Security Forces" in text
    assert "The Coalition remains in Iraq at the invitation" in text
    assert "Also called Coalition, Combined Joint Task Force" in text


def test_an_unknown_organisation_is_not_found(client, db):
    assert client.get("/organisations/nobody/").status_code == 404
