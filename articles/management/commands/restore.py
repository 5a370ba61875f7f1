from django.core.management.base import BaseCommand, CommandError

from articles.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Replace the database rows and media files with a backup archive's (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        try:
            manifest = restore_backup(archive)
        except (BackupError, OSError) as error:
            raise CommandError(f"restore failed: {error}") from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Restored {archive}: {rows} rows, {len(manifest['media'])} media files."
        )
