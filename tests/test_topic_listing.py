"""Topic lists read each article's publication time from a copy on its tagging
(`TaggedArticle.published_at`); every way of changing an article or its tags keeps it."""

import importlib
from datetime import timedelta

import reversion
import time_machine
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Version

from articles import services
from articles.models import Article, TaggedArticle, TopicTag

from .conftest import make_article

copy_listing_times = importlib.import_module(
    "articles.migrations.0009_topic_listing_time"
).copy_listing_times


def topic_headlines(client, slug="iraq"):
    response = client.get(f"/topics/{slug}/")
    assert response.status_code == 200
    return [article.headline for article in response.context["page_obj"]]


def copies(article):
    return list(
        TaggedArticle.objects.filter(content_object=article).values_list("published_at", flat=True)
    )


def test_publishing_and_unpublishing_move_the_article_on_and_off_its_topic(client, db):
    article = make_article(headline="Draft story", status=Article.Status.DRAFT)
    article.tags.add("Iraq")
    assert copies(article) == [None]
    assert topic_headlines(client) == []

    services.article_publish(article=article)
    assert copies(article) == [article.published_at]
    assert topic_headlines(client) == ["Draft story"]

    services.article_unpublish(article=article)
    assert copies(article) == [None]
    assert topic_headlines(client) == []


def test_a_scheduled_article_joins_its_topic_at_its_time(client, db):
    due = timezone.now() + timedelta(hours=2)
    article = make_article(headline="Scheduled story", published_at=due)
    article.tags.add("Iraq")
    assert copies(article) == [due]
    assert topic_headlines(client) == []
    with time_machine.travel(due + timedelta(minutes=1)):
        assert topic_headlines(client) == ["Scheduled story"]


def test_newest_first_with_the_newer_id_first_on_the_same_minute(client, db):
    moment = timezone.now() - timedelta(hours=1)
    older = make_article(headline="Older", published_at=moment - timedelta(hours=1))
    first = make_article(headline="Same time, first", published_at=moment)
    second = make_article(headline="Same time, second", published_at=moment)
    for article in (older, first, second):
        article.tags.add("Iraq")
    assert topic_headlines(client) == ["Same time, second", "Same time, first", "Older"]


def test_a_tag_added_later_carries_the_publication_time(db):
    article = make_article()
    article.tags.set(["Iraq", "Syria"])
    assert copies(article) == [article.published_at] * 2


def test_a_merged_tag_keeps_the_copies(client, db):
    article = make_article(headline="Merged story")
    article.tags.add("Irak")
    services.tags_merge(
        source=TopicTag.objects.get(name="Irak"), target=TopicTag.objects.create(name="Iraq")
    )
    assert topic_headlines(client) == ["Merged story"]


def test_the_seed_fixtures_load_with_their_copies(seed, client):
    article = Article.objects.get()
    assert copies(article) == [article.published_at] * article.tags.count()
    slug = article.tags.first().slug
    assert topic_headlines(client, slug) == [article.headline]


def test_a_fixture_with_the_tagging_before_its_article_loads_right(db, tmp_path):
    article = make_article(headline="Loaded")
    article.tags.add("Iraq")
    tagging = TaggedArticle.objects.get(content_object=article)
    rows = serializers.serialize("json", [tagging, article])  # the tagging first
    Article.objects.filter(pk=article.pk).delete()
    fixture = tmp_path / "tagging-first.json"
    fixture.write_text(rows)
    call_command("loaddata", str(fixture), verbosity=0)
    loaded = Article.objects.get(pk=article.pk)
    assert copies(loaded) == [loaded.published_at]


def test_the_migration_fills_the_copies_of_existing_articles(db):
    live = make_article()
    draft = make_article(status=Article.Status.DRAFT)
    live.tags.add("Iraq")
    draft.tags.add("Iraq")
    TaggedArticle.objects.update(published_at=None)
    copy_listing_times(apps, None)
    assert copies(live) == [live.published_at]
    assert copies(draft) == [None]


def test_the_topic_page_counts_only_what_it_lists(client, db):
    for _ in range(3):
        make_article().tags.add("Iraq")
    make_article(status=Article.Status.DRAFT).tags.add("Iraq")
    make_article(published_at=timezone.now() + timedelta(days=1)).tags.add("Iraq")
    response = client.get("/topics/iraq/")
    assert response.context["page_obj"].paginator.count == 3
    assert len(response.context["page_obj"]) == 3


def test_reverting_to_a_published_revision_puts_the_article_back_on_its_topic(client, db):
    article = make_article(headline="Reverted story")
    with reversion.create_revision():
        article.save()
        article.tags.add("Iraq")
    services.article_unpublish(article=article)
    assert topic_headlines(client) == []

    Version.objects.get_for_object(article).first().revision.revert()
    assert copies(article) == [Article.objects.get(pk=article.pk).published_at]
    assert topic_headlines(client) == ["Reverted story"]
