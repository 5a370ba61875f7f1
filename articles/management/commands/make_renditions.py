from django.core.management.base import BaseCommand, CommandError

from articles.images import RenditionError
from articles.models import Article
from articles.tasks.renditions import store_renditions


class Command(BaseCommand):
    help = (
        "Cut the responsive renditions of lead images that have none yet (images stored "
        "before renditions existed, whose file arrived after the article was saved, or "
        "whose task was parked), here and now rather than by a worker."
    )

    def handle(self, *args, **options):
        made = failed = 0
        for article in Article.objects.exclude(lead_image="").only(
            "lead_image", "lead_image_renditions"
        ):
            if not article.needs_renditions:
                continue
            try:
                made += store_renditions(article.pk, article.lead_image.name)
            except (OSError, RenditionError) as error:
                # One image that cannot be read or written must not stop the others; the
                # renditions it got before failing are already deleted.
                self.stderr.write(f"article {article.pk}: {article.lead_image.name}: {error}")
                failed += 1
        self.stdout.write(f"Made renditions for {made} article(s).")
        if failed:
            raise CommandError(f"Renditions failed for {failed} article(s); see above.")
