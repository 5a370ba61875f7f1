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
    Quote,
    TaggedArticle,
    TaggedOrganisation,
    TopicTag,
)

BATCH = 2_000
WORDS = (
    "the forces said officials attack rockets base province government security "
    "troops ministry statement week conflict region city border village militia "
    "report according spokesman talks ceasefire negotiations aid refugees camp "
    "convoy airstrike drone checkpoint patrol parliament election vote budget "
    "oil electricity protest court investigation commander withdrawal deployment"
).split()
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
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (repeatable).")

    def handle(self, *args, articles, organisations, topics, seed, **options):
        if articles < 0 or organisations < 1 or topics < 1:
            raise CommandError("--articles must be ≥ 0; --organisations and --topics ≥ 1.")
        rng = random.Random(seed)
        started = time.monotonic()
        # Names and slugs are unique: a run suffix lets the command add to earlier runs.
        run = f"{seed}-{secrets.token_hex(3)}"
        with transaction.atomic():
            org_ids, org_names = self._organisations(rng, organisations, run)
            topic_ids = self._topics(topics, run)
            appeal = DonationAppeal.objects.filter(is_active=True).first()
        self._articles(rng, articles, run, org_ids, org_names, topic_ids, appeal)
        # Fresh planner statistics for the tables' new sizes (SQLite and PostgreSQL alike).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Created {articles} articles, {organisations} organisations and {topics} topics "
            f"in {time.monotonic() - started:.1f}s."
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

    def _topics(self, count, run):
        tags = [TopicTag(name=f"Topic {n} {run}", slug=f"topic-{n}-{run}") for n in range(count)]
        TopicTag.objects.bulk_create(tags)
        return list(TopicTag.objects.filter(slug__endswith=f"-{run}").values_list("id", flat=True))

    def _articles(self, rng, count, run, org_ids, org_names, topic_ids, appeal):
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
                    speaker = mentioned[0]
                    quote_at = rng.randrange(len(paragraphs))
                    quote_text = self._sentence(rng).rstrip(".")
                    paragraphs[quote_at] = f"“{quote_text},” {org_names[speaker]} said."
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
                            body="\n\n".join(paragraphs),
                            status=status,
                            published_at=published_at,
                            appeal=appeal,
                        )
                    )
                    plans.append((mentioned, speaker, quote_at, quote_text))
                created = Article.objects.bulk_create(rows)
                Mention.objects.bulk_create(
                    Mention(article_id=a.pk, organisation_id=org_ids[i])
                    for a, (mentioned, *_rest) in zip(created, plans, strict=True)
                    for i in mentioned
                )
                Quote.objects.bulk_create(
                    Quote(
                        article_id=a.pk,
                        text=text,
                        organisation_id=org_ids[speaker],
                        attribution=f"{org_names[speaker]} said",
                        paragraph=at + 1,
                    )
                    for a, (_m, speaker, at, text) in zip(created, plans, strict=True)
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
