import pytest
from django.urls import reverse

from articles import services
from articles.models import (
    Article,
    OrganisationTag,
    OrganisationTagRedirect,
    TopicTag,
    TopicTagRedirect,
)

from .conftest import make_article, make_organisation


def test_merging_topics_moves_every_article_and_redirects_the_old_page(client, db):
    iraq, iraq_typo = TopicTag.objects.create(name="Iraq"), TopicTag.objects.create(name="Irak")
    both = make_article()
    both.tags.add(iraq, iraq_typo)
    only_typo = make_article()
    only_typo.tags.add(iraq_typo)

    services.tags_merge(source=iraq_typo, target=iraq)

    assert not TopicTag.objects.filter(name="Irak").exists()
    assert set(Article.objects.filter(tags=iraq)) == {both, only_typo}
    response = client.get(reverse("articles:topic-detail", args=["irak"]))
    assert response.status_code == 301
    assert response["Location"] == iraq.get_absolute_url()


def test_merging_organisation_tags_redirects_their_page(client, db):
    keep = OrganisationTag.objects.create(name="armed group")
    drop = OrganisationTag.objects.create(name="Armed groups")
    organisation = make_organisation()
    organisation.tags.add(drop)
    services.tags_merge(source=drop, target=keep)
    assert list(organisation.tags.all()) == [keep]
    response = client.get(reverse("articles:organisation-tag-detail", args=["armed-groups"]))
    assert (response.status_code, response["Location"]) == (301, keep.get_absolute_url())


def test_a_chain_of_merges_redirects_straight_to_the_last_survivor(db):
    a, b, c = (TopicTag.objects.create(name=n) for n in ("A", "B", "C"))
    services.tags_merge(source=a, target=b)
    services.tags_merge(source=b, target=c)
    assert set(TopicTagRedirect.objects.values_list("old_slug", "tag__slug")) == {
        ("a", "c"),
        ("b", "c"),
    }


def test_a_merge_that_fails_changes_nothing(db, monkeypatch):
    keep, drop = TopicTag.objects.create(name="Keep"), TopicTag.objects.create(name="Drop")
    make_article().tags.add(drop)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TopicTagRedirect.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.tags_merge(source=drop, target=keep)
    assert Article.objects.filter(tags=drop).count() == 1
    assert not Article.objects.filter(tags=keep).exists()


def test_similar_tags_are_found_across_case_and_accents(db):
    from django.db.models import Count

    names = ("Société Générale", "societe generale", "Iraq", "IRAQ ", "Syria")
    for number, name in enumerate(names):
        TopicTag.objects.create(name=name, slug=f"tag-{number}")
    groups = services.tags_similar(TopicTag.objects.annotate(item_count=Count("tagged_articles")))
    assert sorted(sorted(t.name for t in group) for group in groups) == [
        ["IRAQ ", "Iraq"],
        ["Société Générale", "societe generale"],
    ]


def test_an_editor_merges_similar_tags_from_the_admin(editor_client, db):
    keep = TopicTag.objects.create(name="Iraq", slug="iraq")
    drop = TopicTag.objects.create(name="iraq ", slug="iraq-2")
    make_article().tags.add(keep)
    make_article().tags.add(drop)
    url = reverse("admin:articles_topictag_similar")
    assert "Keep this one" in editor_client.get(url).content.decode()
    editor_client.post(url, {"source": [keep.pk, drop.pk], "target": keep.pk})
    assert list(TopicTag.objects.all()) == [keep]
    assert Article.objects.filter(tags=keep).count() == 2


def test_the_merge_action_keeps_the_most_used_tag(editor_client, db):
    keep = OrganisationTag.objects.create(name="militia")
    drop = OrganisationTag.objects.create(name="militias")
    for _ in range(2):
        make_organisation().tags.add(keep)
    make_organisation().tags.add(drop)
    editor_client.post(
        reverse("admin:articles_organisationtag_changelist"),
        {"action": "merge", "_selected_action": [keep.pk, drop.pk], "into": ""},
    )
    assert list(OrganisationTag.objects.all()) == [keep]
    assert OrganisationTagRedirect.objects.get().old_slug == "militias"


def test_taggers_cannot_merge_tags(client, make_staff, db):
    client.force_login(make_staff("Taggers"))
    a, b = OrganisationTag.objects.create(name="x"), OrganisationTag.objects.create(name="X ")
    client.post(
        reverse("admin:articles_organisationtag_similar"), {"source": [a.pk, b.pk], "target": a.pk}
    )
    assert OrganisationTag.objects.count() == 2
