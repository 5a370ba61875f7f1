"""PostgreSQL keeps each article's search vector in a stored generated column,
`search_document`, and the GIN index is built on the column instead of the expression.

With the expression index every query that could not use the index alone recomputed
to_tsvector() over the body: ranking the candidates, and the walk down the newest
articles that looks for a word's newest matches, which at a million articles read
seconds of bodies per search. The column is computed once per write; the model does not
declare it, so loading an article never reads it (see search.ARTICLE_DOCUMENT).

The column rewrites the table (its vectors are computed for every row): on a large
database, run this migration in a quiet hour. SQLite's FTS5 index is unchanged.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models.functions import Left
from django.db.models.sql import Query

COLUMN = "search_document"
INDEX = "article_search_idx"
# Spelled out rather than read from articles.search, so this step stays what it was.
# PostgreSQL cannot make a tsvector of more than 1 MB of lexemes, and a row whose vector
# fails cannot be saved at all. The table bounds the headline (300 characters) and the
# body (MAX_BODY_LENGTH) but not the standfirst, so only its start is indexed: even in
# the costliest words (see MAX_BODY_LENGTH) the three fit, with a fifth to spare.
ARTICLE_VECTOR = (
    SearchVector("headline", weight="A", config="english")
    + SearchVector(Left("standfirst", 10_000), weight="B", config="english")
    + SearchVector("body", weight="C", config="english")
)
EXPRESSION_INDEX = GinIndex(ARTICLE_VECTOR, name=INDEX)


def _vector_sql(schema_editor, model):
    """ARTICLE_VECTOR as SQL over the row, as GeneratedField compiles its expression; its
    parameters inlined, since DDL takes none."""
    query = Query(model, alias_cols=False)
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = compiler.compile(ARTICLE_VECTOR.resolve_expression(query, allow_joins=False))
    return sql % tuple(schema_editor.quote_value(param) for param in params)


def store_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    article = apps.get_model("articles", "Article")
    table = schema_editor.quote_name(article._meta.db_table)
    schema_editor.remove_index(article, EXPRESSION_INDEX)
    schema_editor.execute(
        f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({_vector_sql(schema_editor, article)}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {table} USING gin ({COLUMN})")


def compute_vector_again(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    article = apps.get_model("articles", "Article")
    table = schema_editor.quote_name(article._meta.db_table)
    # Dropping the column drops its index.
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {COLUMN}")
    schema_editor.add_index(article, EXPRESSION_INDEX)


class Migration(migrations.Migration):
    dependencies = [("articles", "0020_article_modified_index_and_withdrawals")]

    operations = [migrations.RunPython(store_search_document, compute_vector_again)]
