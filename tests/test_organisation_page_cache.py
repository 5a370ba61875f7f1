"""An organisation's page stays cached through edits that do not touch it, and is fetched
anew when what it shows changes: its statements carry a key of their own
(`organisation-<id>-statements`), not the quotes page's, which every article edit purges."""

import pytest
from django.utils import timezone

from articles.models import Article

from .conftest import make_article, make_organisation, make_person, make_quote


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.FRAGMENT_CACHE_SECONDS = 600


@pytest.fixture
def ministry(db):
    """An organisation quoted in one article, by one of its people."""
    organisation = make_organisation(name="Ministry of Defence")
    spokesman = make_person(name="Yahya Rasool", organisation=organisation)
    article = make_article(headline="Ministry answers")
    make_quote(article, text="The bases are secure", person=spokesman)
    return organisation


def _page(client, organisation):
    response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    return response


def test_an_edit_to_an_article_that_does_not_quote_it_keeps_its_page_cached(
    client, ministry, commit
):
    other = make_organisation(name="Interior Ministry")
    elsewhere = make_article(headline="Elsewhere")
    make_quote(elsewhere, text="Nothing to add", organisation=other)
    _page(client, ministry)

    def edit():
        elsewhere.headline = "Elsewhere, edited"
        elsewhere.save()

    commit(edit)
    assert _page(client, ministry)["X-Cache"] == "HIT"


def test_an_article_quoting_it_refreshes_its_statements(client, ministry, commit):
    draft = make_article(headline="Held back", status=Article.Status.DRAFT, published_at=None)
    make_quote(draft, text="A new statement", organisation=ministry)
    assert "A new statement" not in _page(client, ministry).content.decode()

    def publish():
        draft.status = Article.Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.save()

    commit(publish)
    response = _page(client, ministry)
    assert response["X-Cache"] == "MISS"
    assert "A new statement" in response.content.decode()


def test_a_person_who_leaves_takes_their_statements_to_the_new_organisation(
    client, ministry, commit
):
    spokesman = ministry.people.get()
    army = make_organisation(name="Iraqi Army")
    assert "The bases are secure" in _page(client, ministry).content.decode()
    assert "The bases are secure" not in _page(client, army).content.decode()

    def move():
        spokesman.organisation = army
        spokesman.save()

    commit(move)
    assert "The bases are secure" not in _page(client, ministry).content.decode()
    assert "The bases are secure" in _page(client, army).content.decode()


def test_a_quote_given_to_another_speaker_leaves_the_first_ones_page(client, ministry, commit):
    army = make_organisation(name="Iraqi Army")
    quote = ministry.people.get().quotes.get()
    assert "The bases are secure" in _page(client, ministry).content.decode()
    assert "The bases are secure" not in _page(client, army).content.decode()

    def reattribute():
        quote.person = None
        quote.organisation = army
        quote.save()

    commit(reattribute)
    assert "The bases are secure" not in _page(client, ministry).content.decode()
    assert "The bases are secure" in _page(client, army).content.decode()
