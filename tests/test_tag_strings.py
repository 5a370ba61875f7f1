"""Tags typed into the admin's comma-separated tag box become the tags a person means,
in any script, each with a page at its own address."""

from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from articles.models import OrganisationTag, TopicTag

from .admin_forms import change_form_data
from .conftest import make_article, make_organisation, visible_text

# For each form with a tag box: how to make a row, and its tag model.
TAGGED = {
    "article": (make_article, TopicTag),
    "organisation": (make_organisation, OrganisationTag),
}


def _type_tags(client, obj, typed):
    url = reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])
    response = client.post(url, change_form_data(client.get(url), tags=typed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return set(obj.tags.names())


@pytest.mark.parametrize("form", TAGGED)
@pytest.mark.parametrize(
    "typed, names",
    [
        ("Iraq", {"Iraq"}),
        ("US military", {"US military"}),
        ("Iraq, US military", {"Iraq", "US military"}),
        ("  Iraq ,, Syria , ", {"Iraq", "Syria"}),
        ('"New York, NY", Iraq', {"New York, NY", "Iraq"}),
        ('"New York, NY"', {"New York, NY"}),
        ("“New York, NY”, Iraq", {"New York, NY", "Iraq"}),
        ("O'Brien, Iraq", {"O'Brien", "Iraq"}),
        ("Iraq, iraq, IRAQ", {"Iraq"}),
        ("العراق, Ирак, 伊拉克", {"العراق", "Ирак", "伊拉克"}),
        ("", set()),
    ],
)
def test_a_typed_tag_string_gives_the_tags_a_person_means(editor_client, form, typed, names):
    make, _ = TAGGED[form]
    assert _type_tags(editor_client, make(), typed) == names


@pytest.mark.parametrize("form", TAGGED)
def test_iraq_and_iraq_typed_on_different_rows_are_one_tag(editor_client, form):
    make, tag_model = TAGGED[form]
    first, second = make(), make()
    _type_tags(editor_client, first, "Iraq")
    _type_tags(editor_client, second, "iraq")
    assert list(tag_model.objects.values_list("name", flat=True)) == ["Iraq"]
    assert set(second.tags.names()) == {"Iraq"}


@pytest.mark.parametrize("form", TAGGED)
def test_the_form_shows_saved_tags_so_that_saving_again_keeps_them(editor_client, form):
    make, _ = TAGGED[form]
    obj = make()
    names = {"New York, NY", "US military", "العراق"}
    _type_tags(editor_client, obj, '"New York, NY", US military, العراق')
    url = reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])
    assert editor_client.post(url, change_form_data(editor_client.get(url))).status_code == 302
    assert set(obj.tags.names()) == names


@pytest.mark.only_on("postgresql")  # SQLite folds the case of ASCII letters only
def test_capitals_of_other_scripts_are_one_tag_too(editor_client):
    article = make_article()
    assert _type_tags(editor_client, article, "Ирак, ирак, ИРАК") == {"Ирак"}


UNICODE_TAGS = [
    ("العراق", "العراق"),
    ("Ирак", "ирак"),
    ("伊拉克", "伊拉克"),
    ("Irak à l'été", "irak-à-lété"),
]


@pytest.mark.parametrize("name, slug", UNICODE_TAGS)
def test_a_topic_in_any_script_has_a_page_that_resolves_and_reverses(
    editor_client, client, name, slug
):
    article = make_article(headline="Tagged story")
    _type_tags(editor_client, article, name)
    tag = TopicTag.objects.get()
    assert tag.slug == slug
    url = tag.get_absolute_url()
    assert url == reverse("articles:topic-detail", kwargs={"slug": slug})
    assert resolve(unquote(url)).kwargs == {"slug": slug}
    page = client.get(url)
    assert page.status_code == 200
    assert name in visible_text(page.content.decode())
    assert "Tagged story" in visible_text(page.content.decode())
    assert f'href="{url}"' in client.get(article.get_absolute_url()).content.decode()
    for feed in ("topic-rss", "topic-atom"):
        assert client.get(reverse(f"articles:{feed}", kwargs={"slug": slug})).status_code == 200
    assert client.get("/quotes/", {"topic": slug}).status_code == 200


@pytest.mark.parametrize("name, slug", UNICODE_TAGS)
def test_an_organisation_tag_in_any_script_has_a_page_too(editor_client, client, name, slug):
    organisation = make_organisation(name="Tagged group")
    _type_tags(editor_client, organisation, name)
    url = OrganisationTag.objects.get().get_absolute_url()
    assert resolve(unquote(url)).kwargs == {"slug": slug}
    assert "Tagged group" in visible_text(client.get(url).content.decode())
    assert client.get("/organisations/", {"tag": slug}).status_code == 200


@pytest.mark.parametrize("form", TAGGED)
@pytest.mark.parametrize("typed", ["?", "<>", "!!!, ...", "＜＞"])
def test_a_tag_of_punctuation_alone_still_gets_a_page(editor_client, client, form, typed):
    make, tag_model = TAGGED[form]
    obj = make()
    _type_tags(editor_client, obj, typed)
    for tag in tag_model.objects.all():
        assert tag.slug
        assert client.get(tag.get_absolute_url()).status_code == 200
    # The page of the article or organisation links to each of its tags.
    assert client.get(obj.get_absolute_url()).status_code == 200
