"""The Content API over HTTP: cached and purged like the pages, a valid OpenAPI schema,
a docs page served from our own static files, and no parameter that makes it fail."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from articles import services
from articles.api.endpoints import api
from articles.cache_keys import APPEALS, QUOTES
from articles.caching.purging import PurgeBackend
from articles.models import Article
from articles.services import appeal_record_donation

from .conftest import STORY_SLUG, make_article, make_organisation, make_person

DETAIL = f"/api/v1/articles/{STORY_SLUG}/"
purged = []


class RecordingBackend(PurgeBackend):
    """An HTTP cache in front that notes the keys it is told to purge."""

    def __init__(self, location, **options):
        pass

    def purge_keys(self, keys):
        purged.append(set(keys))


@pytest.fixture
def frontend(settings):
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "tests.test_api_http.RecordingBackend", "LOCATION": "memory"}
    ]
    purged.clear()
    return purged


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # The fuzz tests send hundreds of requests in one test; limits are test_api_keys.py's.
    settings.API_ANONYMOUS_RATE_LIMIT = 1_000_000


def _keys(response):
    assert response["xkey"] == response["Surrogate-Key"]
    return set(response["xkey"].split())


def test_responses_are_cacheable_like_the_pages(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 600
    response = client.get(DETAIL)
    assert response["Cache-Control"] == (
        "public, max-age=0, s-maxage=600, stale-while-revalidate=30"
    )
    coalition = story.organisations.get(name="US-led coalition")
    iraq = story.tags.get(name="Iraq")
    assert _keys(response) >= {
        f"article-{story.pk}",
        f"organisation-{coalition.pk}",
        f"topictag-{iraq.pk}",
    }
    page = client.get(story.get_absolute_url())
    # The API names what it shows with the keys the article's page carries.
    assert _keys(response) == _keys(page)


def test_a_response_is_not_cached_past_the_next_scheduled_article(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 600
    make_article(published_at=timezone.now() + timedelta(seconds=90))
    response = client.get("/api/v1/articles/")
    assert re.search(r"s-maxage=9[01]\b", response["Cache-Control"])


def test_an_unchanged_response_is_a_304(client, story):
    first = client.get(DETAIL)
    again = client.get(DETAIL, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    story.headline = "A new headline"
    story.save()
    changed = client.get(DETAIL, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_an_edit_purges_the_api_responses_that_show_it(client, story, frontend, commit):
    detail, listing = client.get(DETAIL), client.get("/api/v1/articles/")

    def edit():
        story.headline = "A new headline"
        story.save()

    commit(edit)
    assert frontend and frontend[-1] & _keys(detail)
    assert frontend[-1] & _keys(listing)


def test_renaming_a_quoted_organisation_purges_the_quotes(client, story, frontend, commit):
    quotes = client.get("/api/v1/quotes/")
    organisation = story.quotes.first().organisation

    def rename():
        organisation.name = "Combined Joint Task Force"
        organisation.save()

    commit(rename)
    assert QUOTES in _keys(quotes) and QUOTES in frontend[-1]


def test_a_donation_purges_the_appeal(client, story, frontend, commit):
    response = client.get("/api/v1/appeal/")
    appeal = story.appeal
    commit(lambda: appeal_record_donation(appeal=appeal, amount=Decimal("5")))
    assert APPEALS in _keys(response) and frontend[-1] & _keys(response)


READ_URLS = [
    DETAIL,
    "/api/v1/articles/",
    "/api/v1/articles/?topic=iraq",
    "/api/v1/quotes/",
    "/api/v1/people/",
    "/api/v1/organisations/",
    "/api/v1/appeal/",
    "/api/v1/withdrawn-articles/",
]


@pytest.mark.parametrize("url", READ_URLS)
def test_every_response_is_cached_as_a_page_is(client, story, settings, url):
    settings.PAGE_CACHE_SECONDS = 600
    page = client.get(story.get_absolute_url())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == page["Cache-Control"]
    assert "Accept-Encoding" in response["Vary"]
    assert response["ETag"]
    assert _keys(response)


def _new_organisation():
    make_organisation(name="Popular Mobilization Forces")


def _renamed_person():
    person = make_person(name="Someone")
    person.name = "Someone Else"
    person.save()


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/api/v1/articles/", lambda: make_article(headline="Just published")),
        ("/api/v1/articles/?topic=iraq", lambda: make_article().tags.add("Iraq")),
        ("/api/v1/quotes/", lambda: make_article(headline="Quoting")),
        ("/api/v1/organisations/", _new_organisation),
        ("/api/v1/people/", _renamed_person),
        ("/api/v1/withdrawn-articles/", lambda: Article.objects.get(slug=STORY_SLUG).delete()),
    ],
)
def test_a_change_a_list_shows_purges_it(client, story, frontend, commit, url, change):
    response = client.get(url)
    commit(change)
    assert set().union(*frontend) & _keys(response)


def test_unpublishing_purges_the_article_and_the_lists(client, story, frontend, commit):
    detail, listing = client.get(DETAIL), client.get("/api/v1/articles/")
    commit(lambda: services.article_unpublish(article=story))
    purged_keys = set().union(*frontend)
    assert f"article-{story.pk}" in _keys(detail) & purged_keys
    assert _keys(listing) & purged_keys


def test_errors_are_never_cached(client, db):
    for url in ("/api/v1/articles/?limit=abc", "/api/v1/articles/nothing-here/"):
        assert client.get(url)["Cache-Control"] == "no-store"


def test_the_schema_is_valid_openapi():
    # As served: JSON, where the responses' status codes are strings.
    schema = json.loads(json.dumps(api.get_openapi_schema()))
    validate(schema)
    assert {"/api/v1/articles/", "/api/v1/articles/{slug}/", "/api/v1/quotes/"} <= set(
        schema["paths"]
    )
    assert {"/api/v1/organisations/", "/api/v1/people/", "/api/v1/appeal/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiKeyOrAnonymous"]["name"] == "X-API-Key"


def test_the_schema_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json())


def test_the_docs_page_loads_only_our_own_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert addresses
    for address in addresses:
        assert not urlsplit(address).netloc, address
        assert address.startswith("/static/ninja/"), address
        assert finders.find(address.removeprefix("/static/")), address
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    # Swagger UI's validator badge would be an image from another host.
    assert '"validatorUrl": null' in html


# --- Bad parameters: 400 naming the parameter, never a 500 --------------------------------

BAD = [
    ("limit", "0"),
    ("limit", "101"),
    ("limit", "ten"),
    ("published_after", "yesterday"),
    ("published_after", "2021-02-30"),
    ("published_before", "0001-01-01T00:00:00+14:00"),
    ("updated_since", "9999-12-31T23:59:59-14:00"),
    ("topic", "bad slug"),
    ("topic", "nul\x00"),
    ("organisation", "x" * 201),
    ("cursor", "%%%"),
]


@pytest.mark.parametrize(("parameter", "value"), BAD)
def test_a_bad_parameter_is_a_400_naming_it(client, db, parameter, value):
    response = client.get("/api/v1/articles/", {parameter: value})
    assert response.status_code == 400
    body = response.json()
    assert [error["parameter"] for error in body["errors"]] == [parameter]
    assert parameter in body["detail"]


LISTS = {
    "/api/v1/articles/": [
        "topic",
        "organisation",
        "person",
        "published_after",
        "published_before",
        "updated_since",
        "cursor",
        "limit",
    ],
    "/api/v1/quotes/": [
        "organisation",
        "person",
        "published_after",
        "published_before",
        "cursor",
        "limit",
    ],
    "/api/v1/people/": ["organisation", "cursor", "limit"],
    "/api/v1/organisations/": ["tag", "cursor", "limit"],
}
VALUES = st.one_of(
    st.text(max_size=40),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.integers().map(str),
    st.sampled_from(["iraq", "isis", "state-actor", "9999-12-31", "-1", "1e9", "\x00"]),
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=st.sampled_from(sorted(LISTS)),
    data=st.data(),
)
def test_no_parameters_make_a_list_fail(client, story, url, data):
    names = st.sampled_from(LISTS[url])
    params = data.draw(st.dictionaries(names, VALUES, max_size=4))
    response = client.get(url, params)
    assert response.status_code in (200, 400), (params, response.content)
    body = response.json()
    if response.status_code == 400:
        assert {error["parameter"] for error in body["errors"]} <= set(LISTS[url])


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(slug=st.text(min_size=1, max_size=60))
def test_no_slug_makes_the_detail_fail(client, db, slug):
    response = client.get(f"/api/v1/articles/{quote(slug, safe='')}/")
    assert response.status_code in (200, 404)


# --- The docs page in a browser -----------------------------------------------------------


@pytest.mark.browser
def test_the_docs_page_works_in_a_browser_under_the_sites_csp(
    chromium, transactional_db, live_server
):
    Article.objects.create(
        headline="Visible",
        slug="visible",
        body="Text.",
        status="published",
        published_at=timezone.now(),
    )
    context = chromium.new_context()
    page = context.new_page()
    requested, problems = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Newsroom Content API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("text=/api/v1/articles/")
    context.close()
    origin = urlsplit(live_server.url).netloc
    assert all(urlsplit(url).netloc == origin for url in requested if not url.startswith("data:"))
    assert not problems, problems
