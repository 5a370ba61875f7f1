"""An article's organisations follow its text, and the editor's hand over it."""

import pytest

from articles import services

from .conftest import make_article, make_organisation

pytestmark = pytest.mark.django_db


def _linked(article):
    return set(article.organisations.values_list("name", flat=True))


def _organisations():
    return (
        make_organisation(name="ISIS", aliases="Daesh"),
        make_organisation(name="Red Crescent"),
        make_organisation(name="Northern Front"),
    )


def test_it_links_what_the_text_names_anywhere_in_the_article():
    _organisations()
    article = make_article(
        headline="Daesh retreats",
        paragraphs=["The <a href='https://example.org'>Red Crescent</a> arrived."],
    )
    services.article_link_mentions(article=article)
    assert _linked(article) == {"ISIS", "Red Crescent"}


def test_it_unlinks_what_the_text_no_longer_names():
    _organisations()
    article = make_article(paragraphs=["ISIS and the Red Crescent."])
    services.article_link_mentions(article=article)
    article.body = "Only ISIS now."
    article.save()
    change = services.article_link_mentions(article=article)
    assert _linked(article) == {"ISIS"}
    assert len(change.unlinked) == 1


def test_an_organisation_the_editor_adds_stays_though_the_text_does_not_name_it():
    _, _, front = _organisations()
    article = make_article(paragraphs=["ISIS attacked."])
    services.article_link_mentions(article=article, added=[front])
    article.body = "ISIS attacked again."
    article.save()
    services.article_link_mentions(article=article)
    assert _linked(article) == {"ISIS", "Northern Front"}


def test_an_organisation_the_editor_removes_stays_removed():
    isis, _, _ = _organisations()
    article = make_article(paragraphs=["ISIS and the Red Crescent."])
    services.article_link_mentions(article=article)
    services.article_link_mentions(article=article, removed=[isis])
    article.body = "ISIS, ISIS and the Red Crescent."
    article.save()
    services.article_link_mentions(article=article)
    assert _linked(article) == {"Red Crescent"}


def test_adding_a_removed_organisation_back_lifts_the_exclusion():
    isis, _, _ = _organisations()
    article = make_article(paragraphs=["ISIS attacked."])
    services.article_link_mentions(article=article, removed=[isis])
    services.article_link_mentions(article=article, added=[isis])
    assert _linked(article) == {"ISIS"}
    assert not article.excluded_organisations.exists()


def test_relinking_many_articles_takes_the_same_queries_as_one(django_assert_num_queries):
    _organisations()
    matcher = services.organisation_matcher()
    articles = [make_article(paragraphs=[f"ISIS and the Red Crescent, {n}."]) for n in range(20)]
    with django_assert_num_queries(5):
        changes = services.articles_relink_mentions(articles=articles, matcher=matcher)
    assert len(changes) == 20
    assert all(_linked(article) == {"ISIS", "Red Crescent"} for article in articles)
