import io
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError, connection

from articles.management.commands.generate_demo import (
    BATCH,
    QUOTE_FIELDS,
    SEARCH_INDEX,
    BulkTable,
)
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
    # Written in bulk, not through save(): each body must be what clean_body() stores, and
    # its Quote rows what read_marks() reads from it, field for field.
    fields = [name for name in QUOTE_FIELDS]
    for article in Article.objects.all():
        assert article.body == clean_body(article.body)
        assert not read_marks(article.body).problems
        assert list(article.quotes.order_by("position").values(*fields)) == [
            {name: mark.row_fields()[name] for name in fields}
            for mark in read_marks(article.body).marks
        ]
    assert Quote.objects.filter(is_statement=True).exists()


@pytest.mark.django_db
def test_running_it_twice_adds_more_without_clashes():
    _generate(articles=10, organisations=5, topics=3, seed=1)
    _generate(articles=10, organisations=5, topics=3, seed=1)
    assert Article.objects.count() == 20


@pytest.mark.django_db
def test_it_refuses_nonsense_sizes():
    with pytest.raises(CommandError, match="--organisations"):
        _generate(articles=10, organisations=0)


@pytest.mark.only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_postgres_batches_written_by_threads_are_all_there():
    # Outside a transaction the batches are written by two threads, each on its own
    # connection, and the search index is dropped and built again around the load.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [SEARCH_INDEX])
        definition = cursor.fetchone()[0]
    _generate(articles=BATCH + 7, organisations=20, topics=4)
    assert Article.objects.count() == BATCH + 7
    assert Quote.objects.count() == 2 * (BATCH + 7)
    assert Article.objects.filter(tags__isnull=True).count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [SEARCH_INDEX])
        assert cursor.fetchone()[0] == definition
        # Vacuumed, so that counts read the indexes alone.
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
            [Article._meta.db_table],
        )
        assert cursor.fetchone()[0]


@pytest.mark.only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_postgres_a_failed_load_stops_and_leaves_the_search_index(monkeypatch):
    def refuse(table, rows):
        raise DataError("value too long")

    monkeypatch.setattr(BulkTable, "write", refuse)
    with pytest.raises(DataError):
        _generate(articles=30, organisations=5, topics=2)
    assert Article.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [SEARCH_INDEX])
        assert cursor.fetchone()


@pytest.mark.only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_postgres_the_search_index_is_built_after_the_last_batch_is_written(monkeypatch):
    events = []
    write = BulkTable.write

    def slow_write(table, rows):
        time.sleep(0.3)  # the writers are still busy when the last batch is queued
        write(table, rows)
        events.append("rows")

    def watch(execute, sql, params, many, context):
        if sql.startswith("CREATE INDEX"):
            events.append("index")
        return execute(sql, params, many, context)

    monkeypatch.setattr(BulkTable, "write", slow_write)
    with connection.execute_wrapper(watch):
        _generate(articles=BATCH + 7, organisations=5, topics=2)
    assert events[-1] == "index" and events.count("index") == 1
