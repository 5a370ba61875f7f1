"""The speaker search behind the body editor's "Mark a quote" dialog."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.admin.speakers import SPEAKER_RESULTS
from articles.models import Person

from .conftest import make_organisation

SPEAKERS = reverse("admin:articles_article_speakers")


def _search(client, **params):
    response = client.get(SPEAKERS, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_it_finds_organisations_by_name_and_by_other_name(editor_client):
    coalition = make_organisation(name="US-led coalition", aliases="CJTF-OIR\nCoalition")
    isis = make_organisation(name="ISIS", aliases="Daesh\nIslamic State")
    make_organisation(name="Ministry of Defence")

    assert _search(editor_client, q="coalition") == [
        {
            "id": f"organisation:{coalition.pk}",
            "name": "US-led coalition",
            "label": "US-led coalition — organisation",
        }
    ]
    assert [r["id"] for r in _search(editor_client, q="daesh")] == [f"organisation:{isis.pk}"]


def test_it_finds_people_by_name_and_other_name_with_their_role_and_organisation(editor_client):
    ministry = make_organisation(name="Ministry of Defence")
    jane = Person.objects.create(
        name="Jane Smith", other_names="J. Smith-Jones", role="spokeswoman", organisation=ministry
    )
    witness = Person.objects.create(name="Ali Hassan")
    assert _search(editor_client, q="smith-jones") == [
        {
            "id": f"person:{jane.pk}",
            "name": "Jane Smith",
            "label": "Jane Smith — spokeswoman, Ministry of Defence",
        }
    ]
    assert [r["label"] for r in _search(editor_client, q="hassan")] == ["Ali Hassan — person"]
    found = _search(editor_client, ids=f"person:{witness.pk},organisation:{ministry.pk}")
    assert {r["id"] for r in found} == {f"person:{witness.pk}", f"organisation:{ministry.pk}"}


def test_people_and_organisations_take_turns_in_the_results(editor_client):
    for n in range(SPEAKER_RESULTS):
        make_organisation(name=f"Northern Brigade {n}")
        Person.objects.create(name=f"Northern Spokesman {n}")
    kinds = [r["id"].split(":")[0] for r in _search(editor_client, q="northern")]
    assert kinds == ["person", "organisation"] * (SPEAKER_RESULTS // 2)


def test_names_that_start_with_the_words_typed_come_first(editor_client):
    inner = make_organisation(name="Alliance of the State")
    first = make_organisation(name="State Department")
    found = [r["id"] for r in _search(editor_client, q="state")]
    assert found == [f"organisation:{first.pk}", f"organisation:{inner.pk}"]


def test_an_empty_or_blank_query_finds_nothing_and_asks_the_database_nothing(editor_client):
    make_organisation(name="ISIS")
    with CaptureQueriesContext(connection) as queries:
        assert _search(editor_client, q="   ") == []
        assert _search(editor_client) == []
    assert not [q for q in queries if "articles_organisation" in q["sql"]]


def test_results_are_limited_and_cost_one_query_per_kind_of_speaker(editor_client):
    for n in range(SPEAKER_RESULTS + 5):
        organisation = make_organisation(name=f"Brigade {n:02}")
        Person.objects.create(name=f"Brigade spokesman {n:02}", organisation=organisation)
    editor_client.get(SPEAKERS, {"q": "x"})  # the session and user, read once
    with CaptureQueriesContext(connection) as queries:
        results = _search(editor_client, q="brigade")
    assert len(results) == SPEAKER_RESULTS
    assert len(queries) == 2 + 2  # people with their organisations, organisations; the session


def test_a_long_or_odd_query_is_answered_not_refused(editor_client):
    make_organisation(name="Ministry of Defence")
    assert _search(editor_client, q="ministry" + "x" * 5000) == []
    assert _search(editor_client, q="%_\\'\"<script>") == []
    assert _search(editor_client, q="\x00") == []


def test_it_names_the_speakers_already_marked_in_a_body(editor_client):
    isis = make_organisation(name="ISIS")
    found = _search(editor_client, ids=f"organisation:{isis.pk},organisation:999999,bogus:1,x")
    assert found == [
        {"id": f"organisation:{isis.pk}", "name": "ISIS", "label": "ISIS — organisation"}
    ]
    assert _search(editor_client, ids="organisation:１２") == []  # digits, ASCII only


@pytest.mark.parametrize("role", ["Writers", "Editors"])
def test_whoever_may_change_articles_may_search(client, make_staff, role):
    make_organisation(name="ISIS")
    client.force_login(make_staff(role))
    assert [r["label"] for r in _search(client, q="isis")] == ["ISIS — organisation"]
