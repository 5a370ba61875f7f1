"""The SQLite search index takes the body's words, not its HTML (see search.SQLITE_INDEXES).

PostgreSQL's index needs no change: its parser already drops tags.
"""

from django.db import migrations

from articles.search import rebuild_sqlite_index


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_donation_erasure_and_payment_intent")]

    operations = [migrations.RunPython(rebuild_sqlite_index, migrations.RunPython.noop)]
