"""Full-text search over published articles: SQLite FTS5 or PostgreSQL, by database vendor.

An article matches when its headline, standfirst and body (which hold its quotes' words)
contain every word of the query, or when it mentions or quotes an organisation whose name
or aliases contain every word: "Daesh" finds the articles linked to ISIS.

`search_articles()` is the one entry point. The indexes are created by migration
`0002_reader_search`, which calls `create_index()`.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection, connections
from django.db.models import FloatField, Q
from django.db.models.expressions import Col, Expression, RawSQL
from django.db.models.functions import Coalesce, Length
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Article, Organisation
from .rendering.html import words_of

# A query is cut to this many distinct words, so a 10 KB query costs what a short one does.
MAX_TERMS = 10
MAX_TERM_LENGTH = 40
# Letters and digits only: quotes, operators and control characters never reach an index.
_WORD = re.compile(r"[^\W_]+")


def query_terms(text):
    """The distinct words of a query, lowercased, at most MAX_TERMS of them."""
    terms = []
    # lower(), not casefold(): the indexes lowercase too, and keep "ß" as it is.
    for word in _WORD.findall(text.lower()):
        word = word[:MAX_TERM_LENGTH]
        if word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


# Each way of matching (the words, an organisation named or quoted) offers at most this
# many articles, its newest, to be ranked. Ranking reads every candidate's text: a word
# found in most of a million articles would otherwise rank all of them on each request.
CANDIDATES = 100
# A query that names an organisation ("Daesh") names one or a few; one whose words are in
# hundreds of names ("ceasefire" in every "… Ceasefire Committee") is not naming any, and
# looking through the articles of all of them for their newest was most of the time of a
# search at a million articles (1.2 s for 830 names; 7 ms more for 20 than for 5, whose
# articles are as many as all of a small site's). The closest names are kept: each holds
# every word of the query, so the shortest hold the fewest others.
MATCHED_ORGANISATIONS = 5


def search_articles(text):
    """Published articles matching `text`, best first, each annotated with `rank`: the
    newest CANDIDATES of each way an article can match, ranked."""
    articles = Article.objects.published()
    terms = query_terms(text)
    if not terms:
        return articles.none()
    backend = _postgres if connection.vendor == "postgresql" else _sqlite
    text_matches, organisations_named, rank = backend(terms)
    # Asked first, not left as a subquery: the planner cannot tell one matching organisation
    # from a thousand, and for a rare name it walked every article looking for mentions.
    organisations = list(
        Organisation.objects.filter(organisations_named)
        .order_by(Length("name"), "pk")
        .values_list("pk", flat=True)[:MATCHED_ORGANISATIONS]
    )
    newest = articles.order_by("-published_at", "-pk").values("pk")

    def newest_matching(condition):
        newest_ids = newest.filter(condition)[:CANDIDATES]
        if connection.features.supports_slicing_ordering_in_compound:
            return newest_ids
        # SQLite allows no LIMIT in a UNION's parts: there it sits in a subquery of its own.
        return Article.objects.filter(pk__in=newest_ids).order_by().values("pk")

    candidates = newest_matching(text_matches).union(
        newest_matching(Q(organisations__in=organisations)),
        newest_matching(Q(quotes__organisation__in=organisations)),
    )
    # Each candidate is published already (`newest` is).
    return (
        Article.objects.filter(pk__in=candidates)
        # An article found only through an organisation's name has no text rank: it
        # comes after the articles that use the words themselves.
        .annotate(rank=Coalesce(rank, 0.0, output_field=FloatField()))
        .order_by("-rank", "-published_at", "-pk")
    )


def words_condition(text):
    """A filter for every article, drafts included, whose headline, standfirst or body
    holds each word of `text`, the last as the start of a word (the admin's search box,
    where an editor may stop typing mid-word); None when `text` has no words. Through
    the same indexes as readers' search: an `icontains` over three text columns reads
    every row."""
    terms = query_terms(text)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        # "raw" takes tsquery syntax; the terms are letters and digits only.
        words = [*terms[:-1], f"{terms[-1]}:*"]
        query = SearchQuery(" & ".join(words), search_type="raw", config=CONFIG)
        whole_words = SearchQuery(" & ".join(terms), search_type="raw", config=CONFIG)
        return _postgres_text_matches(query, whole_words)
    return _sqlite_text_matches(" ".join(f'"{term}"' for term in terms) + "*")


def ranked_ids(text):
    """The ids of `search_articles(text)`, best first. There are at most three times
    CANDIDATES, so the results page takes its count and its page from this one query;
    counting the ranked queryset apart would find and rank every candidate again."""
    return list(search_articles(text).values_list("pk", flat=True))


# --- SQLite: FTS5 ----------------------------------------------------------------------

# FTS5 tables fed by triggers, which keep them in step with every write, raw SQL and
# fixtures included. The porter tokenizer stems English ("attacks" finds "attack") as
# PostgreSQL's english configuration does. Each column is indexed as an SQL expression of
# the row: the body is stored as HTML, and its index takes only the words (PostgreSQL's
# parser drops tags by itself), or every article would match "quote" or "data". The
# article index is contentless, since it holds text the table does not; the
# organisation index reads its table's own columns.
SQLITE_INDEXES = {
    "articles_article_fts": (
        "articles_article",
        {
            "headline": "{row}.headline",
            "standfirst": "{row}.standfirst",
            "body": "newsroom_words_of({row}.body)",
        },
    ),
    "articles_organisation_fts": (
        "articles_organisation",
        {"name": "{row}.name", "aliases": "{row}.aliases"},
    ),
}
# bm25() weights, in column order: a word in the headline counts most.
_ARTICLE_WEIGHTS = "10.0, 4.0, 1.0"


def register_sqlite_functions(sqlite_connection):
    """Give one SQLite connection the functions the index triggers call (apps.py does it
    for every connection Django opens). A write to articles through a connection without
    them, such as the sqlite3 shell, fails with "no such function", which keeps the index
    from going stale."""
    sqlite_connection.create_function("newsroom_words_of", 1, words_of, deterministic=True)


def _sqlite(terms):
    # Each term as a quoted FTS5 string: no word can act as an operator (AND, NEAR, *).
    match = " ".join(f'"{term}"' for term in terms)
    text_matches = _sqlite_text_matches(match)
    organisations_named = Q(
        pk__in=RawSQL(
            "SELECT rowid FROM articles_organisation_fts WHERE articles_organisation_fts MATCH %s",
            [match],
        )
    )
    # bm25() is lower for better matches.
    rank = RawSQL(
        f"SELECT -bm25(articles_article_fts, {_ARTICLE_WEIGHTS}) FROM articles_article_fts "
        'WHERE articles_article_fts MATCH %s AND rowid = "articles_article"."id"',
        [match],
        output_field=FloatField(),
    )
    return text_matches, organisations_named, rank


def _sqlite_text_matches(match):
    return Q(
        pk__in=RawSQL(
            "SELECT rowid FROM articles_article_fts WHERE articles_article_fts MATCH %s", [match]
        )
    )


def _is_contentless(columns):
    return any(expression != f"{{row}}.{name}" for name, expression in columns.items())


def _sqlite_triggers(fts, table, columns):
    names = ", ".join(columns)
    new = ", ".join(expression.format(row="new") for expression in columns.values())
    old = ", ".join(expression.format(row="old") for expression in columns.values())
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    # Both kinds of table forget a row when given the values it was indexed with.
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return {
        f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert} END",
        f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete} END",
        f"{fts}_update": f"AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
    }


def _sqlite_create(cursor):
    for fts, (table, columns) in SQLITE_INDEXES.items():
        content = "''" if _is_contentless(columns) else f"'{table}', content_rowid='id'"
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({', '.join(columns)}, "
            f"content={content}, tokenize='porter unicode61 remove_diacritics 2')"
        )
        for name, body in _sqlite_triggers(fts, table, columns).items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        # Not 'rebuild', which would read the table's raw columns.
        rows = ", ".join(expression.format(row=table) for expression in columns.values())
        cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {fts}(rowid, {', '.join(columns)}) SELECT id, {rows} FROM {table}"
        )


def _sqlite_drop(cursor):
    for fts, (table, columns) in SQLITE_INDEXES.items():
        for name in _sqlite_triggers(fts, table, columns):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {fts}")


def rebuild_sqlite_index(apps, schema_editor):
    """Drop the SQLite indexes and make them again as this module declares them (for a
    migration that changes what they hold)."""
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            _sqlite_drop(cursor)
            _sqlite_create(cursor)


def repair_sqlite_index(using_connection):
    """Put back triggers that a later migration dropped, and re-index.

    SQLite alters a table by copying it to a new one and dropping the old, which drops
    the old table's triggers with it; from then on the index would silently go stale.
    Runs after every `migrate` (see `apps.py`); does nothing while the index is whole or
    was never created.
    """
    if using_connection.vendor != "sqlite":
        return
    with using_connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for _, name in cursor.fetchall()}
        expected = {
            name
            for fts, (table, columns) in SQLITE_INDEXES.items()
            for name in _sqlite_triggers(fts, table, columns)
        }
        if set(SQLITE_INDEXES) <= present and not expected <= present:
            _sqlite_create(cursor)


# --- PostgreSQL: tsvector with GIN indexes -----------------------------------------------

CONFIG = "english"


class _StoredDocument(Expression):
    """An article's search vector as PostgreSQL stores it: the generated column
    `search_document` (migration 0021: headline weighted A, the first 10,000
    characters of the standfirst B, the body C), indexed by
    article_search_idx. The model does not declare the column, so that loading an
    article never reads its vector; this expression names it in the article table of
    whatever query it is resolved in, under that table's alias."""

    output_field = SearchVectorField()
    column = SearchVectorField()
    column.set_attributes_from_name("search_document")

    def resolve_expression(self, query=None, *args, **kwargs):
        return Col(query.get_initial_alias(), self.column, self.output_field)


ARTICLE_DOCUMENT = _StoredDocument()
# Queries use an expression index only when they repeat the indexed expression exactly
# (changing one needs a migration).
ORGANISATION_VECTOR = SearchVector("name", "aliases", config=CONFIG)
POSTGRES_INDEXES = {
    "Organisation": GinIndex(ORGANISATION_VECTOR, name="organisation_search_idx"),
}


def _postgres(terms):
    # "plain" ANDs the words and ignores any syntax; the terms carry none anyway.
    query = SearchQuery(" ".join(terms), search_type="plain", config=CONFIG)
    # On the row itself, not through a subquery of every match: for a word in most
    # articles, the newest matches are found by walking the newest articles.
    text_matches = _postgres_text_matches(query)
    # On the organisation row itself: as a subquery of ids, every organisation was read
    # to join it (15 ms at 50,000).
    organisations_named = SearchVectorExact(ORGANISATION_VECTOR, query)
    return text_matches, organisations_named, SearchRank(ARTICLE_DOCUMENT, query)


# A query found in no more than this many articles is matched by their ids, read from the
# GIN index; a commoner one by its condition on each row (see _postgres_text_matches).
RARE_MATCHES = 1_000


def _postgres_text_matches(query, whole_words=None):
    """The condition for articles whose vector matches `query`, in the form the planner
    serves fastest. Asking for the newest matches, it walks the newest articles testing
    each, right for a word in most of them; but it cannot tell a rare word (it assumes
    a word it has no statistics for is in 0.5 % of rows), and for one only the seed
    article holds it walked all million. So the index is asked first, for at most
    RARE_MATCHES ids: fewer means every match is known, and those ids are the condition.

    The probe is cheap both ways for whole words: the planner knows the common ones and
    stops a scan at the cap. It knows nothing of a prefix ("ceasef:*"), and reads every
    match through the index; so where `query` ends in one, `whole_words` (the same words
    whole, which match fewer articles) is asked first, and a common one settles it."""
    condition = SearchVectorExact(ARTICLE_DOCUMENT, query)
    if whole_words is not None and _rare_ids(whole_words) is None:
        # The whole words are common, and said beside the prefix (they match nothing it
        # does not) tell the planner so: on the prefix alone it guessed 2 % of rows and
        # read all 950,000 matches through the index to count the first 10,000.
        return SearchVectorExact(ARTICLE_DOCUMENT, whole_words) | condition
    ids = _rare_ids(query)
    return condition if ids is None else Q(pk__in=ids)


def _rare_ids(query):
    """The ids of the articles matching `query`, or None when RARE_MATCHES or more do."""
    condition = SearchVectorExact(ARTICLE_DOCUMENT, query)
    # Unordered (not the model's newest first), or the probe walks the newest articles too.
    probe = Article.objects.filter(condition).order_by().values_list("pk", flat=True)
    if _known_to_be_common(probe):
        return None
    ids = list(probe[:RARE_MATCHES])
    return ids if len(ids) < RARE_MATCHES else None


# The planner guesses that a word it has no statistics for is in 0.5 % of rows (less for
# a word its statistics lack); a guess above this share comes from statistics that
# list the word among the column's commonest.
KNOWN_COMMON_SHARE = 0.01


def _known_to_be_common(probe):
    """Whether the planner's statistics say `probe` matches more than KNOWN_COMMON_SHARE
    of all articles. Asking costs two catalogue reads; the probe itself, for a word in
    most articles, reads a thousand rows' vectors: a third of the database's time for a
    search at a million articles."""
    sql, params = probe.query.sql_with_params()
    # Where the probe would run: a replica, for readers.
    with connections[probe.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        estimated = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
        # -1 until the table is first analysed.
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Article._meta.db_table]
        )
        rows = cursor.fetchone()[0]
    return rows > 0 and estimated > KNOWN_COMMON_SHARE * rows


# --- Creating the indexes (called by the migration) --------------------------------------


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            _sqlite_create(cursor)
    elif vendor == "postgresql":
        for model_name, index in POSTGRES_INDEXES.items():
            schema_editor.add_index(apps.get_model("articles", model_name), index)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            _sqlite_drop(cursor)
    elif vendor == "postgresql":
        for model_name, index in POSTGRES_INDEXES.items():
            schema_editor.remove_index(apps.get_model("articles", model_name), index)


# --- Showing results -------------------------------------------------------------------


@dataclass
class Hit:
    """One search result as the page shows it; the HTML fields are escaped and safe."""

    article: Article
    headline: str
    excerpt: str
    organisations: list


def hits(articles, terms):
    """The results of one page, read by `for_search_results()`."""
    pattern = _highlight_pattern(terms)
    return [
        Hit(
            article=article,
            headline=highlight(article.headline, pattern),
            excerpt=highlight(_excerpt(_plain_article_text(article), pattern), pattern),
            organisations=[
                (organisation, highlight(" · ".join(organisation.names), pattern))
                for organisation in article.listed_organisations
                if any(pattern.search(name) for name in organisation.names)
            ],
        )
        for article in articles
    ]


def _stem(term):
    # Enough stemming to mark "attack" for the query "attacks", as the indexes match it.
    if len(term) > 4 and term.endswith("s") and not term.endswith("ss"):
        return term[:-1]
    return term


def _highlight_pattern(terms):
    stems = sorted({_stem(term) for term in terms}, key=len, reverse=True)
    alternatives = "|".join(re.escape(stem) for stem in stems) or r"(?!)"
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def highlight(text, pattern):
    """`text` escaped, with every word that starts with a query term wrapped in <mark>."""
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


def _plain_article_text(article):
    return " ".join(filter(None, [article.standfirst, words_of(article.body)]))


def _excerpt(text, pattern, length=280):
    """About `length` characters of `text` around its first match, cut between words."""
    match = pattern.search(text)
    start = max(0, match.start() - length // 4) if match else 0
    if start:
        start = text.find(" ", start) + 1 or start
    lead = "…" if start else ""
    end = start + length
    if end >= len(text):
        return lead + text[start:]
    space = text.rfind(" ", start, end)
    return lead + text[start : space if space > start else end] + "…"
