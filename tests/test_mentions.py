"""Finding organisations named in a text: the matcher alone, then built from the database."""

import pytest

from articles import services
from articles.mentions import MentionMatcher

from .conftest import make_organisation

MATCHER = MentionMatcher(
    [
        (1, ["US-led coalition", "Coalition"]),
        (3, ["ISIS", "Daesh", "Islamic State"]),
        (7, ["Popular Mobilization Units", "Iraqi Popular Mobilization Units", "PMU"]),
        (9, ["Iraqi"]),
    ]
)


def _found(text):
    return [(text[m.start : m.end], m.organisation_id) for m in MATCHER.find(text)]


def test_it_ignores_case():
    assert _found("isis and DAESH") == [("isis", 3), ("DAESH", 3)]


def test_it_matches_across_line_breaks():
    assert _found("the Islamic\n  State said") == [("Islamic\n  State", 3)]


def test_it_matches_before_possessives():
    assert _found("the Coalition's bases and the Coalition’s troops") == [
        ("Coalition", 1),
        ("Coalition", 1),
    ]


def test_it_never_matches_inside_another_word():
    assert _found("the crisis in Daeshland and the coalitions") == []


def test_it_prefers_the_longest_name():
    assert _found("the Iraqi Popular Mobilization Units and Iraqi troops") == [
        ("Iraqi Popular Mobilization Units", 7),
        ("Iraqi", 9),
    ]
    assert _found("the US-led coalition") == [("US-led coalition", 1)]


def test_it_gives_a_name_two_organisations_share_to_the_first():
    matcher = MentionMatcher([(1, ["Front"]), (2, ["Front", "Other Front"])])
    assert matcher.organisation_ids("the Front said") == {1}


def test_it_answers_nothing_without_organisations():
    assert MentionMatcher([]).find("ISIS") == []


def test_its_offsets_point_into_the_original_text():
    text = "A\u00a0\u00a0long  \n run of   space, then ISIS and İstanbul Daesh."
    for mention in MATCHER.find(text):
        assert text[mention.start : mention.end].lower() in {"isis", "daesh"}


@pytest.mark.django_db
def test_the_database_matcher_is_rebuilt_when_organisations_change():
    organisation = make_organisation(name="Red Crescent")
    assert services.organisation_matcher().organisation_ids("the Red Crescent") == {
        organisation.pk
    }
    organisation.aliases = "IFRC"
    organisation.save()
    assert services.organisation_matcher().organisation_ids("IFRC") == {organisation.pk}
    organisation.delete()
    assert services.organisation_matcher().organisation_ids("the Red Crescent") == set()


@pytest.mark.django_db
def test_the_database_matcher_is_reused_while_nothing_changes(django_assert_num_queries):
    make_organisation(name="Red Crescent")
    first = services.organisation_matcher()
    with django_assert_num_queries(1):
        assert services.organisation_matcher() is first
