"""Full-text search indexes: FTS5 tables kept in step by triggers on SQLite, GIN indexes
on PostgreSQL. Nothing in the models changes, so the operations are written by hand and
decide by the database vendor; see `articles/search.py`."""

from django.db import migrations

from articles import search


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_editorial_roles"),
    ]

    operations = [
        migrations.RunPython(search.create_index, search.drop_index),
    ]
