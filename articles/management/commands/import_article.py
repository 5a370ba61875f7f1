from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from articles.importer import ArticleImportError, parse_file
from articles.importer.apply import article_import


class Command(BaseCommand):
    help = (
        "Import plain-text pages (wire copy, scraped pages) as articles with their quotes, "
        "organisations and donation appeal. Each file is imported in its own transaction: "
        "good files are imported, bad ones are listed, one line each, and the command "
        "exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the articles (default: drafts)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be created or changed, and write nothing.",
        )

    def handle(self, *args, files, publish, dry_run, **options):
        failures = []
        for name in files:
            try:
                report = article_import(parsed=parse_file(name), publish=publish, dry_run=dry_run)
            except ArticleImportError as error:
                failures.append(f"{name}: {error}")
                continue
            except ValidationError as error:
                failures.append(f"{name}: {' '.join(error.messages)}")
                continue
            except DatabaseError as error:
                # A limit no validation foresaw loses this file, not the rest of the batch:
                # its transaction was rolled back whole.
                failures.append(f"{name}: the database refused it: {str(error).splitlines()[0]}")
                continue
            self._print(name, report, dry_run)
        if failures:
            raise CommandError("\n".join(failures))

    def _print(self, name, report, dry_run):
        if dry_run:
            heading = f"{name}: would make {len(report.changes)} change(s), dry run"
        elif not report.changes:
            heading = f"{name}: already up to date"
        else:
            heading = f"{name}: {len(report.changes)} change(s)"
        self.stdout.write(heading)
        for line in report.changes:
            self.stdout.write(f"  {line}")
        for line in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {line}"))
