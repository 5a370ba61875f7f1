"""One writer process for tests/test_faults.py: an editor or a staff member on SQLite.

Run as `python -m tests.concurrent_writer ROLE COUNT TARGET_PK` with DATABASE_URL naming a
SQLite file. It uses the project's own settings (WAL, busy timeout, BEGIN IMMEDIATE), so
several of these at once behave like gunicorn workers sharing one database file. It
prints "ready", waits for a line on stdin so that all writers start together, then prints
one JSON line per committed write (the acknowledgement) and one per error.
"""

import json
import os
import sys
import time
from decimal import Decimal

# The project's settings, not the test settings: the point is the real SQLite OPTIONS.
os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"

# Stands for the rest of an admin save (inlines, tags, log entry) and makes the writers
# hold the lock long enough to queue behind one another.
WORK_INSIDE_TRANSACTION = 0.004


def _editor(count, article_pk, name):
    from django.db import transaction

    from articles.models import Article

    for n in range(count):
        marker = f"[{name} edit {n}]"
        with transaction.atomic():
            # Read, change, write: a lost update would drop an earlier writer's marker.
            article = Article.objects.get(pk=article_pk)
            article.body = f"{article.body}\n\n{marker}"
            article.headline = marker
            time.sleep(WORK_INSIDE_TRANSACTION)
            article.save()
        yield {"edit": marker, "article": article_pk}


def _staff(count, appeal_pk, name):
    from django.db import transaction

    from articles.models import DonationAppeal
    from articles.services import appeal_record_donation

    appeal = DonationAppeal.objects.get(pk=appeal_pk)
    for n in range(count):
        # Amounts with cents, different per writer, so a lost or doubled one shows.
        amount = Decimal(f"{(n % 9) + 1}.{(len(name) * 7 + n) % 100:02d}")
        with transaction.atomic():
            donation = appeal_record_donation(appeal=appeal, amount=amount, note=name)
            time.sleep(WORK_INSIDE_TRANSACTION)
        yield {"donation": donation.pk, "amount": str(amount)}


def main(role, count, target_pk):
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    name = f"{role}-{os.getpid()}"
    writes = {"editor": _editor, "staff": _staff}[role](int(count), int(target_pk), name)
    print("ready", flush=True)
    sys.stdin.readline()
    while True:
        try:
            ack = next(writes)
        except StopIteration:
            return 0
        except Exception as error:  # reported to the test, which fails on any error
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
            return 1
        print(json.dumps(ack), flush=True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
