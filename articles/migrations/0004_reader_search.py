"""Full-text search indexes: FTS5 tables kept in step by triggers on SQLite, GIN indexes
on PostgreSQL. Nothing in the models changes, so the operations are written by hand and
decide by the database vendor; see `articles/search.py`."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

from articles import search

# The article index as this step made it, spelled out: later steps replace it (0010 bounds
# the standfirst, 0021 moves the vector to a stored column), and articles.search no
# longer holds it.
ARTICLE_INDEX = GinIndex(
    SearchVector("headline", weight="A", config="english")
    + SearchVector("standfirst", weight="B", config="english")
    + SearchVector("body", weight="C", config="english"),
    name="article_search_idx",
)


def create_article_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), ARTICLE_INDEX)


def drop_article_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), ARTICLE_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_editorial_roles"),
    ]

    operations = [
        migrations.RunPython(search.create_index, search.drop_index),
        migrations.RunPython(create_article_index, drop_article_index),
    ]
