"""The same Stripe event delivered to two worker processes at the same moment, on SQLite
and on PostgreSQL: both answer 2xx and the ledger holds one entry. (The payment's unique
constraint decides, not a look-up first: the loser's insert fails or waits on the
winner's, then finds it.)"""

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

from articles.models import Donation

from . import stripe_events as stripe
from .conftest import make_appeal

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
# Each round is a new payment sent to both processes together: one lucky interleaving
# would prove little, several give the race many chances to go wrong.
ROUNDS = 6


class _Appeal:
    """The few fields stripe_events reads, for an appeal made by another process."""

    def __init__(self, pk):
        self.pk = pk


def _env(database_url):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="tests-only-not-a-secret-" + "x" * 40,
        STRIPE_WEBHOOK_SECRET=stripe.WEBHOOK_SECRET,
        ALLOWED_HOSTS="testserver",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONPATH=str(ROOT),
    )
    return env


def _deliver_each_event_twice_at_once(env, events):
    """Every answer, per round, from WORKERS processes given each event together."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.webhook_deliverer"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    answers = []
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        for payload in events:
            # One signature, signed now: what Stripe sends on a retry of the same event.
            line = json.dumps({"payload": payload, "signature": stripe.signature(payload)})
            for worker in workers:  # the barrier: both are waiting on this line
                worker.stdin.write(line + "\n")
                worker.stdin.flush()
            answers.append([json.loads(worker.stdout.readline()) for worker in workers])
        for worker in workers:
            worker.stdin.close()
            assert worker.wait(timeout=60) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    return answers


def _events(appeal):
    return [
        stripe.checkout_completed(appeal, amount=1000 + n, payment=f"pi_race_{n}")
        for n in range(ROUNDS)
    ]


def _assert_each_round_recorded_once(answers, payments):
    for round_answers in answers:
        assert [answer["status"] for answer in round_answers] == [200] * WORKERS
        # One process recorded the gift, the other found it recorded.
        assert sorted(answer["body"] for answer in round_answers) == ["OK."] * WORKERS
    assert sorted(payments) == sorted(f"pi_race_{n}" for n in range(ROUNDS))


def test_two_processes_on_one_sqlite_file_record_one_gift_per_event(tmp_path):
    database = tmp_path / "newsroom.sqlite3"
    env = _env(f"sqlite:///{database}")
    run = {"cwd": ROOT, "env": env, "check": True, "timeout": 180}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], **run)
    create = (
        "import datetime; from articles.models import DonationAppeal; "
        "print(DonationAppeal.objects.create("
        "campaign_month=datetime.date(2021, 3, 1), goal=5000, currency='USD').pk)"
    )
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", create], capture_output=True, text=True, **run
    )
    appeal = _Appeal(int(made.stdout.split()[-1]))

    answers = _deliver_each_event_twice_at_once(env, _events(appeal))

    with closing(sqlite3.connect(database)) as db:
        payments = [
            row[0] for row in db.execute("SELECT provider_payment_id FROM articles_donation")
        ]
    _assert_each_round_recorded_once(answers, payments)


@pytest.mark.only_on("postgresql")
@pytest.mark.django_db(transaction=True)
def test_two_processes_on_postgresql_record_one_gift_per_event():
    appeal = make_appeal(currency="USD")
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{login}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"

    answers = _deliver_each_event_twice_at_once(_env(url), _events(appeal))

    payments = list(Donation.objects.values_list("provider_payment_id", flat=True))
    _assert_each_round_recorded_once(answers, payments)
