from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write every row and media file to one .tar.gz archive (restore with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="Archive path; default backups/newsroom-<time>.tar.gz"
        )

    def handle(self, *args, output=None, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = Path(output or f"backups/newsroom-{stamp}.tar.gz")
        try:
            manifest = create_backup(target)
        except (BackupError, OSError) as error:
            raise CommandError(f"backup failed: {error}") from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"Wrote {target}: {rows} rows, {len(manifest['media'])} media files.")
