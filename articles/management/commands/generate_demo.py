import html
import queue
import random
import secrets
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import (
    Article,
    DonationAppeal,
    Organisation,
    OrganisationTag,
    Person,
    Quote,
    TaggedArticle,
    TaggedOrganisation,
    TopicTag,
)

BATCH = 5_000
# Updating it row by row is most of the cost of a large load (see rebuilt_afterwards).
SEARCH_INDEX = "article_search_idx"
WORDS = (
    "the forces said officials attack rockets base province government security "
    "troops ministry statement week conflict region city border village militia "
    "report according spokesman talks ceasefire negotiations aid refugees camp "
    "convoy airstrike drone checkpoint patrol parliament election vote budget "
    "oil electricity protest court investigation commander withdrawal deployment"
).split()
FIRST_NAMES = ["Amira", "Karim", "Layla", "Omar", "Sara", "Yusuf", "Nadia", "John", "Mary"]
LAST_NAMES = ["Haddad", "Saleh", "Rahman", "Aziz", "Nouri", "Smith", "Jones", "Kareem", "Fadel"]
ROLES = ["spokesperson", "commander", "minister", "adviser", "deputy director", "envoy"]
PLACES = ["Baghdad", "Erbil", "Mosul", "Basra", "Kirkuk", "Damascus", "Aleppo", "Idlib", "Raqqa"]
KINDS = [kind for kind, _ in Organisation.Kind.choices]
QUOTE_FIELDS = (
    "key",
    "text",
    "person_id",
    "organisation_id",
    "source",
    "attribution",
    "paragraph",
    "paragraph_count",
    "is_statement",
    "position",
)


@dataclass
class DemoArticle:
    headline: str
    standfirst: str
    body: str
    mentioned: list  # organisation ids
    quotes: list  # Quote rows as dicts of QUOTE_FIELDS, in position order


class BulkTable:
    """New rows for one model's table, sent as plain tuples: by COPY on PostgreSQL,
    where a million articles would otherwise spend most of their time building model
    instances and INSERT statements; by executemany elsewhere. Rows give `columns`
    (field names) in order; every other column takes the value given here (a callable
    is called per row) or its field's default, prepared once.
    """

    def __init__(self, model, columns, **values):
        meta = model._meta
        self.table = meta.db_table
        varying = [meta.get_field(name) for name in columns]
        fixed = [field for field in meta.concrete_fields if field not in varying]
        if meta.pk in fixed and meta.pk.name not in values:
            fixed.remove(meta.pk)  # the database numbers the rows
        self.fields = varying + fixed
        self.fixed = []
        for field in fixed:
            value = values.get(field.name, field.get_default())
            if value is None and not field.null:
                raise ValueError(f"{model.__name__}.{field.name} needs a value.")
            self.fixed.append((field, value))

    def new_ids(self, count):
        """`count` primary keys no other writer will take, in order."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, count],
                )
                return [pk for (pk,) in cursor.fetchall()]
            # SQLite: one writer at a time, and the caller's transaction holds the lock
            # from here until its rows are written.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")
            last = cursor.fetchone()[0]
            return list(range(last + 1, last + 1 + count))

    def write(self, rows):
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # psycopg adapts plain values itself; the fixed ones are prepared once
                # (a JSON default needs its adapter).
                fixed = [
                    value if callable(value) else self._prepared(field, value)
                    for field, value in self.fixed
                ]
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row((*row, *(v() if callable(v) else v for v in fixed)))
                return
            prepared = [
                [
                    self._prepared(field, value)
                    for field, value in zip(
                        self.fields,
                        (*row, *(v() if callable(v) else v for _, v in self.fixed)),
                        strict=True,
                    )
                ]
                for row in rows
            ]
            placeholders = ", ".join(["%s"] * len(self.fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared
            )

    @staticmethod
    def _prepared(field, value):
        return field.get_db_prep_save(value, connection)


class BatchWriters:
    """Writes batches of rows, each batch in one transaction. On PostgreSQL two threads,
    each with a connection of its own, write while the next batch is generated: the
    server's work on a batch (search vectors, indexes, foreign keys) takes longer than
    making it, and the machine has more than one core. Inline on SQLite, which has one
    writer at a time, and inside a caller's transaction, whose rows (the organisations
    the articles name) other connections cannot see until it commits."""

    THREADS = 2

    def __init__(self, progress):
        self.progress = progress
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.lock = threading.Lock()
        self.errors = []

    def __enter__(self):
        if self.threaded:
            self.queue = queue.Queue(maxsize=self.THREADS)
            self.threads = [threading.Thread(target=self._work) for _ in range(self.THREADS)]
            for thread in self.threads:
                thread.start()
        return self

    def write(self, size, batch):
        if self.errors:
            raise self.errors[0]
        if self.threaded:
            self.queue.put((size, batch))  # waits while the writers are behind
        else:
            self._write(size, batch)

    def __exit__(self, *exc_info):
        if self.threaded:
            for _ in self.threads:
                self.queue.put(None)
            for thread in self.threads:
                thread.join()
        if self.errors and exc_info[0] is None:
            raise self.errors[0]

    def _work(self):
        try:
            while (item := self.queue.get()) is not None:
                if not self.errors:  # after a failure, drain without writing
                    try:
                        self._write(*item)
                    except Exception as error:
                        self.errors.append(error)
        finally:
            connection.close()  # this thread's own

    def _write(self, size, batch):
        with transaction.atomic():
            for table, rows in batch:
                table.write(rows)
        with self.lock:
            self.progress.advance(size)


@contextmanager
def rebuilt_afterwards(index_name, adding):
    """On PostgreSQL, drops the index while more rows are added than its table holds and
    builds it again at the end, as pg_restore does: building a GIN index over a million
    search vectors once costs a fraction of updating it a million times. Readers' search
    is slow meanwhile; the index comes back even when the load fails. Not inside a
    caller's transaction, which would hold the table locked from the drop to its end."""
    definition = None
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexdef, c.reltuples FROM pg_indexes i "
                "JOIN pg_class c ON c.relname = i.tablename WHERE i.indexname = %s",
                [index_name],
            )
            found = cursor.fetchone()
            if found and adding > max(found[1], 0):
                definition = found[0]
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(index_name)}")
    try:
        yield
    finally:
        if definition:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '512MB'")
                cursor.execute(definition)


class Progress:
    """A one-line progress bar on stderr, so stdout stays clean for the summary."""

    def __init__(self, label, total, stream):
        self.label, self.total, self.stream = label, total, stream
        self.done, self.started = 0, time.monotonic()

    def advance(self, count):
        self.done += count
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.label:<14} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:>7}/{self.total} {elapsed:6.1f}s",
            ending="\n" if self.done >= self.total else "",
        )
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Build a realistic demo data set (articles with paragraphs, quotes, topic tags and "
        "organisation mentions) with bulk inserts. Adds to what is there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1_000)
        parser.add_argument("--organisations", type=int, default=200)
        parser.add_argument("--topics", type=int, default=200)
        parser.add_argument(
            "--people", type=int, default=None, help="Quoted people (default: organisations / 2)."
        )
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (repeatable).")

    def handle(self, *args, articles, organisations, topics, people, seed, **options):
        people = max(1, organisations // 2) if people is None else people
        if articles < 0 or organisations < 1 or topics < 1 or people < 1:
            raise CommandError(
                "--articles must be ≥ 0; --organisations, --topics and --people ≥ 1."
            )
        rng = random.Random(seed)
        started = time.monotonic()
        # Names and slugs are unique: a run suffix lets the command add to earlier runs.
        run = f"{seed}-{secrets.token_hex(3)}"
        with transaction.atomic():
            org_ids, org_names = self._organisations(rng, organisations, run)
            topic_ids = self._topics(topics, run)
            speakers = self._people(rng, people, run, org_ids)
            appeal = DonationAppeal.objects.filter(is_active=True).first()
        self._articles(rng, articles, run, org_ids, org_names, topic_ids, speakers, appeal)
        # Fresh planner statistics for the tables' new sizes. On PostgreSQL a vacuum too,
        # outside a caller's transaction (it cannot run in one): until it has marked the
        # new pages all-visible, counting a topic's first 1,000 articles read each row
        # (4.7 ms at a million) instead of its index alone (0.4 ms).
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
        self.stdout.write(
            f"Created {articles} articles, {organisations} organisations, {people} people and "
            f"{topics} topics in {time.monotonic() - started:.1f}s."
        )

    def _organisations(self, rng, count, run):
        tags = [
            OrganisationTag(name=f"{label} {run}", slug=slugify(f"{label} {run}"))
            for label in ("armed group", "state actor", "militia", "Iraq", "Syria")
        ]
        OrganisationTag.objects.bulk_create(tags)
        tag_ids = list(
            OrganisationTag.objects.filter(slug__in=[t.slug for t in tags]).values_list(
                "id", flat=True
            )
        )
        progress = Progress("organisations", count, self.stderr)
        ids, names = [], []
        for start in range(0, count, BATCH):
            rows = []
            for n in range(start, min(start + BATCH, count)):
                name = f"{rng.choice(PLACES)} {rng.choice(WORDS).title()} Group {run}-{n}"
                aliases = [f"{name} Alias {i}" for i in range(rng.randint(0, 3))]
                rows.append(
                    Organisation(
                        name=name,
                        slug=slugify(name),
                        aliases="\n".join(aliases),
                        kind=rng.choice(KINDS),
                        country=rng.choice(["Iraq", "Syria", "Iran", ""]),
                        description=f"A demo organisation based in {rng.choice(PLACES)}.",
                    )
                )
            created = Organisation.objects.bulk_create(rows)
            ids.extend(o.pk for o in created)
            names.extend(o.name for o in created)
            TaggedOrganisation.objects.bulk_create(
                TaggedOrganisation(content_object_id=o.pk, tag_id=rng.choice(tag_ids))
                for o in created
            )
            progress.advance(len(rows))
        return ids, names

    def _people(self, rng, count, run, org_ids):
        """(pk, name) of `count` new people, most of them speaking for an organisation."""
        rows = []
        for n in range(count):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {run}-{n}"
            rows.append(
                Person(
                    name=name,
                    slug=slugify(name),
                    role=rng.choice(ROLES),
                    organisation_id=rng.choice(org_ids) if rng.random() < 0.8 else None,
                )
            )
        created = Person.objects.bulk_create(rows, batch_size=BATCH)
        return [(p.pk, p.name) for p in created]

    def _topics(self, count, run):
        tags = [TopicTag(name=f"Topic {n} {run}", slug=f"topic-{n}-{run}") for n in range(count)]
        TopicTag.objects.bulk_create(tags)
        return list(TopicTag.objects.filter(slug__endswith=f"-{run}").values_list("id", flat=True))

    def _articles(self, rng, count, run, org_ids, org_names, topic_ids, speakers, appeal):
        now = timezone.now()
        progress = Progress("articles", count, self.stderr)
        articles = BulkTable(
            Article,
            ["id", "headline", "slug", "standfirst", "body", "status", "published_at"],
            edit_token=uuid.uuid4,
            appeal=appeal.pk if appeal else None,
            created_at=now,
            updated_at=now,
        )
        mentions = BulkTable(Article.organisations.through, ["article", "organisation"])
        quotes = BulkTable(Quote, ["article", *QUOTE_FIELDS])
        tags = BulkTable(TaggedArticle, ["content_object", "tag", "published_at"])
        # The index is built again once the writers have finished, not while they write.
        with rebuilt_afterwards(SEARCH_INDEX, count), BatchWriters(progress) as writers:
            for start in range(0, count, BATCH):
                size = min(BATCH, count - start)
                article_rows, mention_rows, quote_rows, tag_rows = [], [], [], []
                # On SQLite the ids are only ours until this transaction ends, and the
                # batch is written in it (BatchWriters writes inline there).
                with transaction.atomic():
                    ids = articles.new_ids(size)
                    for n, pk in zip(range(start, start + size), ids, strict=True):
                        article = self._article(rng, f"{run}-{n}", org_ids, org_names, speakers)
                        # Plain strings: psycopg writes an Enum by its name.
                        status = (
                            Article.Status.PUBLISHED.value
                            if rng.random() < 0.95
                            else Article.Status.DRAFT.value
                        )
                        minutes_ago = rng.randint(0, 60 * 24 * 365 * 5)
                        published_at = now - timedelta(minutes=minutes_ago)
                        article_rows.append(
                            (
                                pk,
                                article.headline,
                                slugify(article.headline)[:200],
                                article.standfirst,
                                article.body,
                                status,
                                published_at,
                            )
                        )
                        mention_rows.extend((pk, org_id) for org_id in article.mentioned)
                        quote_rows.extend(
                            (pk, *(quote[name] for name in QUOTE_FIELDS))
                            for quote in article.quotes
                        )
                        # TaggedArticle keeps the article's listing time (None for a draft).
                        listed = published_at if status == Article.Status.PUBLISHED else None
                        tag_rows.extend(
                            (pk, tag_id, listed)
                            for tag_id in rng.sample(topic_ids, k=min(len(topic_ids), 2))
                        )
                    writers.write(
                        size,
                        [
                            (articles, article_rows),
                            (mentions, mention_rows),
                            (quotes, quote_rows),
                            (tags, tag_rows),
                        ],
                    )

    def _article(self, rng, label, org_ids, org_names, speakers):
        """One article's text, written as the editor would store it: clean HTML paragraphs
        (what clean_body() keeps, so it is not run on each), a statement by one of the
        organisations it mentions and a few words by a person, each as a quote mark, and
        the Quote rows the marks give (what read_marks() reads, built alongside)."""
        mentioned = rng.sample(range(len(org_ids)), k=min(len(org_ids), rng.randint(1, 6)))
        paragraphs = [self._sentence(rng) for _ in range(rng.randint(4, 9))]
        for index in mentioned:
            paragraphs[rng.randrange(len(paragraphs))] += f" {org_names[index]} was involved."
        paragraphs = [html.escape(p, quote=False) for p in paragraphs]
        # The statement fills a paragraph of its own (mentions written there are dropped:
        # the link stays, as when an editor rewrites a paragraph).
        speaker = mentioned[0]
        said = f"{org_names[speaker]} said"
        statement_at = rng.randrange(len(paragraphs))
        statement = self._sentence(rng).rstrip(".")
        paragraphs[statement_at] = (
            f'“<q data-quote="q1" data-organisation="{org_ids[speaker]}" '
            f'data-attribution="{html.escape(said)}">{statement}</q>,” {html.escape(said)}.'
        )
        person_id, person_name = rng.choice(speakers)
        words = " ".join(rng.choices(WORDS, k=3))
        quoted_at = rng.randrange(len(paragraphs))
        paragraphs[quoted_at] += (
            f' {html.escape(person_name)} called it “<q data-quote="q2" '
            f'data-person="{person_id}" data-attribution="{html.escape(person_name)}">'
            f"{words}</q>”."
        )
        quotes = [
            {
                "key": "q1",
                "organisation_id": org_ids[speaker],
                "person_id": None,
                "attribution": said,
                "text": statement,
                "source": "",
                "paragraph": statement_at + 1,
                "paragraph_count": 1,
                # A statement stands alone in its paragraph, unless the person's words
                # were added to it.
                "is_statement": quoted_at != statement_at,
                "position": 0 if statement_at <= quoted_at else 1,
            },
            {
                "key": "q2",
                "organisation_id": None,
                "person_id": person_id,
                "attribution": person_name,
                "text": words,
                "source": "",
                "paragraph": quoted_at + 1,
                "paragraph_count": 1,
                "is_statement": False,
                "position": 1 if statement_at <= quoted_at else 0,
            },
        ]
        headline = f"{self._sentence(rng, 8).rstrip('.')} ({label})"
        return DemoArticle(
            headline=headline,
            standfirst=self._sentence(rng, 20),
            body="\n".join(f"<p>{p}</p>" for p in paragraphs),
            mentioned=[org_ids[index] for index in mentioned],
            quotes=sorted(quotes, key=lambda quote: quote["position"]),
        )

    @staticmethod
    def _sentence(rng, length=None):
        words = rng.choices(WORDS, k=length or rng.randint(12, 30))
        return " ".join(words).capitalize() + "."
