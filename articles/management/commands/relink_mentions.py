from django.core.management.base import BaseCommand

from articles import services
from articles.models import Article

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Recompute every article's organisation links from its text, in batches. "
        "Resumable: each batch is committed, and --after-id starts after the last id "
        "the progress bar showed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--after-id", type=int, default=0, help="Start after this article id.")

    def handle(self, *args, batch_size, after_id, **options):
        total = Article.objects.filter(pk__gt=after_id).count()
        done = linked = unlinked = 0
        for batch, changes in services.articles_relink_all_mentions(
            batch_size=batch_size, after_id=after_id
        ):
            linked += sum(len(change.linked) for change in changes.values())
            unlinked += sum(len(change.unlinked) for change in changes.values())
            done += len(batch)
            self._progress(done, total, batch[-1].pk)
        if total:
            self.stderr.write("")
        self.stdout.write(
            f"Relinked {done} article(s): {linked} link(s) added, {unlinked} removed."
        )

    def _progress(self, done, total, last_id):
        share = done / total if total else 1
        filled = round(share * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stderr.write(
            f"\r[{bar}] {share:4.0%} {done:,}/{total:,} articles, last id {last_id}",
            ending="",
        )
        self.stderr.flush()
