import html
import random
import secrets
import time
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
from articles.rendering.html import clean_body
from articles.rendering.marks import read_marks

BATCH = 2_000
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
        # Fresh planner statistics for the tables' new sizes (SQLite and PostgreSQL alike).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
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
        Mention = Article.organisations.through
        for start in range(0, count, BATCH):
            with transaction.atomic():
                rows, plans = [], []
                for n in range(start, min(start + BATCH, count)):
                    mentioned = rng.sample(
                        range(len(org_ids)), k=min(len(org_ids), rng.randint(1, 6))
                    )
                    paragraphs = [self._sentence(rng) for _ in range(rng.randint(4, 9))]
                    for index in mentioned:
                        spot = rng.randrange(len(paragraphs))
                        paragraphs[spot] += f" {org_names[index]} was involved."
                    paragraphs = [html.escape(p, quote=False) for p in paragraphs]
                    # A statement by an organisation, and a few words by a person.
                    speaker = mentioned[0]
                    said = html.escape(f"{org_names[speaker]} said")
                    paragraphs[rng.randrange(len(paragraphs))] = (
                        f'“<q data-quote="q1" data-organisation="{org_ids[speaker]}" '
                        f'data-attribution="{said}">{self._sentence(rng).rstrip(".")}</q>,” '
                        f"{said}."
                    )
                    person_id, person_name = rng.choice(speakers)
                    person_name = html.escape(person_name)
                    at = rng.randrange(len(paragraphs))
                    paragraphs[at] += (
                        f' {person_name} called it “<q data-quote="q2" '
                        f'data-person="{person_id}" data-attribution="{person_name}">'
                        f"{' '.join(rng.choices(WORDS, k=3))}</q>”."
                    )
                    status = (
                        Article.Status.PUBLISHED if rng.random() < 0.95 else Article.Status.DRAFT
                    )
                    published_at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 5))
                    headline = f"{self._sentence(rng, 8).rstrip('.')} ({run}-{n})"
                    rows.append(
                        Article(
                            headline=headline,
                            slug=slugify(headline)[:200],
                            standfirst=self._sentence(rng, 20),
                            # Stored clean, as Article.save() would (bulk_create skips it).
                            body=clean_body("".join(f"<p>{p}</p>" for p in paragraphs)),
                            status=status,
                            published_at=published_at,
                            appeal=appeal,
                        )
                    )
                    plans.append(mentioned)
                created = Article.objects.bulk_create(rows)
                Mention.objects.bulk_create(
                    Mention(article_id=a.pk, organisation_id=org_ids[i])
                    for a, mentioned in zip(created, plans, strict=True)
                    for i in mentioned
                )
                # The index as services.article_index_quotes() builds it, in bulk.
                Quote.objects.bulk_create(
                    Quote(article_id=a.pk, **mark.row_fields())
                    for a in created
                    for mark in read_marks(a.body).marks
                )
                TaggedArticle.objects.bulk_create(
                    TaggedArticle(
                        content_object_id=a.pk, tag_id=tag_id, published_at=a.listing_time
                    )
                    for a in created
                    for tag_id in rng.sample(topic_ids, k=min(len(topic_ids), 2))
                )
            progress.advance(len(rows))

    @staticmethod
    def _sentence(rng, length=None):
        words = rng.choices(WORDS, k=length or rng.randint(12, 30))
        return " ".join(words).capitalize() + "."
