from django.core.management.base import BaseCommand, CommandError

from articles.images import RenditionError, renditions_for
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Cut the responsive renditions of lead images that have none yet (images stored "
        "before renditions existed, or whose file arrived after the article was saved)."
    )

    def handle(self, *args, **options):
        made = failed = 0
        for article in Article.objects.exclude(lead_image="").only(
            "lead_image", "lead_image_renditions"
        ):
            if article.lead_image_renditions.get("source") == article.lead_image.name:
                continue
            try:
                renditions = renditions_for(article.lead_image)
            except (OSError, RenditionError) as error:
                # One image that cannot be read or written must not stop the others; the
                # renditions it got before failing are already deleted.
                self.stderr.write(f"article {article.pk}: {article.lead_image.name}: {error}")
                failed += 1
                continue
            if renditions:
                # update(), not save(): this is bookkeeping, not an edit (no new edit token,
                # no "Updated" line for readers).
                Article.objects.filter(pk=article.pk).update(lead_image_renditions=renditions)
                made += 1
        self.stdout.write(f"Made renditions for {made} article(s).")
        if failed:
            raise CommandError(f"Renditions failed for {failed} article(s); see above.")
