import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, Organisation, Person, Quote
from articles.rendering.html import clean_body
from articles.rendering.marks import read_marks


def _generate(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_demo", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_builds_articles_with_quotes_tags_and_mentions():
    out, err = _generate(articles=120, organisations=30, topics=10)
    assert "Created 120 articles" in out
    assert "120/120" in err  # the progress bar
    assert Article.objects.count() == 120
    assert Organisation.objects.count() == 30
    assert Article.objects.published().count() > 90
    article = Article.objects.prefetch_related("organisations", "tags", "quotes").first()
    assert 1 <= article.organisations.count() <= 6
    assert article.tags.count() == 2
    # Bodies with marks by organisations and people, and the index exactly as they say.
    assert Quote.objects.count() == 240
    assert Quote.objects.filter(person__isnull=False).count() == 120
    assert Person.objects.count() == 15
    for article in Article.objects.all()[:50]:
        assert article.body == clean_body(article.body)
        indexed = list(article.quotes.values("key", "text", "person", "organisation"))
        marked = read_marks(article.body).marks
        assert indexed == [
            {"key": m.key, "text": m.text}
            | {
                "person": m.row_fields()["person_id"],
                "organisation": m.row_fields()["organisation_id"],
            }
            for m in marked
        ]


@pytest.mark.django_db
def test_running_it_twice_adds_more_without_clashes():
    _generate(articles=10, organisations=5, topics=3, seed=1)
    _generate(articles=10, organisations=5, topics=3, seed=1)
    assert Article.objects.count() == 20


@pytest.mark.django_db
def test_it_refuses_nonsense_sizes():
    with pytest.raises(CommandError, match="--organisations"):
        _generate(articles=10, organisations=0)
