"""Migration 0015 turns every body of blank-line-separated paragraphs into sanitised
HTML blocks and every quote into a mark over its words; backwards it gives the old
bodies and quotes back. Run on the seed and on 1,000 generated articles, there and back.
"""

import html
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.rendering.html import clean_body, plain_text, split_blocks, split_paragraphs
from articles.rendering.marks import read_marks

from .conftest import SEED_FIXTURES, visible_text

BEFORE = [("articles", "0014_people_roles")]
LATEST = None  # the app's newest migration, whichever it is

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes("articles")
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def at_latest_afterwards():
    yield
    _migrate(LATEST)


def _words(text):
    return " ".join(html.unescape(plain_text(text)).split())


def test_the_seed_goes_back_to_paragraphs_and_forward_to_exactly_the_fixture(
    client, at_latest_afterwards
):
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)
    apps = _migrate(LATEST)
    fixture_body = apps.get_model("articles", "Article").objects.get().body
    fixture_quotes = list(
        apps.get_model("articles", "Quote").objects.order_by("position").values()
    )

    old = _migrate(BEFORE)
    article = old.get_model("articles", "Article").objects.get()
    paragraphs = split_paragraphs(article.body)
    assert len(paragraphs) == 5 and "<" not in article.body
    assert [(q.paragraph, q.source) for q in old.get_model("articles", "Quote").objects.all()] == [
        (3, ""),
        (4, ""),
    ]

    new = _migrate(LATEST)
    assert new.get_model("articles", "Article").objects.get().body == fixture_body
    assert (
        list(new.get_model("articles", "Quote").objects.order_by("position").values())
        == fixture_quotes
    )
    page = visible_text(client.get("/articles/" + article.slug + "/").content.decode())
    for paragraph in paragraphs:
        sentence = _words(paragraph)
        assert page.count(sentence[:80]) == 1  # every sentence once, in order


def _old_article(rng, n):
    paragraphs = [
        " ".join(rng.choices(["the", "army", "said", "rockets", "base", "&", "talks"], k=12))
        for _ in range(rng.randint(2, 7))
    ]
    paragraphs[0] += " <b>bold</b> and <i>italic</i> and <script>x</script>"
    quotes = []
    at = rng.randrange(len(paragraphs))
    words = f"We will stay in {n}"
    paragraphs[at] = f"“{words},” the ministry said."
    quotes.append({"paragraph": at + 1, "text": words, "attribution": "the ministry said"})
    if len(paragraphs) > at + 2:
        # A statement over two paragraphs, and one whose words drifted from the body.
        paragraphs[at + 1] = "“First half,” she said."
        paragraphs[at + 2] = "“Second half.”"
        quotes.append({"paragraph": at + 2, "paragraph_count": 2, "text": "Drifted words"})
    return "\n\n".join(paragraphs), quotes


def test_a_thousand_articles_there_and_back(at_latest_afterwards):
    old = _migrate(BEFORE)
    Article = old.get_model("articles", "Article")
    Quote = old.get_model("articles", "Quote")
    Organisation = old.get_model("articles", "Organisation")
    ministry = Organisation.objects.create(name="Ministry", slug="ministry")
    rng = random.Random(16)
    plans = [_old_article(rng, n) for n in range(1000)]
    articles = Article.objects.bulk_create(
        Article(headline=f"Story {n}", slug=f"story-{n}", body=body)
        for n, (body, _) in enumerate(plans)
    )
    Quote.objects.bulk_create(
        Quote(
            article=article,
            organisation=ministry if i == 0 else None,
            source="" if i == 0 else "A source",
            **fields,
        )
        for article, (_, quotes) in zip(articles, plans, strict=True)
        for i, fields in enumerate(quotes)
    )
    old_bodies = dict(Article.objects.values_list("pk", "body"))
    quote_count = Quote.objects.count()

    new = _migrate(LATEST)
    for article in new.get_model("articles", "Article").objects.all():
        assert article.body == clean_body(article.body)
        before = split_paragraphs(old_bodies[article.pk])
        blocks = split_blocks(article.body)
        assert len(blocks) == len(before)
        for old_paragraph, block in zip(before, blocks, strict=True):
            assert _words(block) == _words(clean_body(old_paragraph))  # what readers read
        if "<b>bold</b>" in before[0]:  # unless the quote took the first paragraph
            assert "<strong>bold</strong> and <em>italic</em>" in blocks[0]
        marks = {m.key: m for m in read_marks(article.body).marks}
        rows = list(new.get_model("articles", "Quote").objects.filter(article=article))
        assert {q.key for q in rows} == set(marks)
        for quote in rows:
            assert quote.text == marks[quote.key].text
            assert quote.is_statement  # each was a whole paragraph's statement, as shown
    assert new.get_model("articles", "Quote").objects.count() == quote_count

    back = _migrate(BEFORE)
    for article in back.get_model("articles", "Article").objects.all():
        assert "<q" not in article.body
        assert [_words(p) for p in split_paragraphs(article.body)] == [
            _words(clean_body(p)) for p in split_paragraphs(old_bodies[article.pk])
        ]
    assert back.get_model("articles", "Quote").objects.count() == quote_count
