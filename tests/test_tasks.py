"""Work outside the request (articles/tasks/): each chore is a row written with the change
that needs it, run by a worker, tried again with backoff, parked after its last attempt
and shown to editors; the editor's save and Stripe's webhook wait on no cache or mail
server.

The worker here is django-tasks-db's own, run in the test's process over the rows the
test's transaction holds; tests/test_tasks_worker_killed.py runs real worker processes.
"""

import socket
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from articles.cache_keys import FRONT, key_for
from articles.caching.purging import DJANGO_CACHE, purge_cache
from articles.donations.receipts import send_receipt
from articles.management.commands import db_worker
from articles.management.commands.db_worker import Housekeeping
from articles.models import Article, Donation, Organisation
from articles.tasks import requeue_lost

from . import stripe_events as stripe
from .admin_forms import change_form_data
from .cache_stand_in import CacheStandIn
from .conftest import make_appeal, make_article, make_organisation, worker_options

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


@task()
def always_fails():
    raise RuntimeError("the poison in this task")


@pytest.fixture
def slow_varnish(settings):
    # Each purge waits 5 s (or until the test lets it go) before it is answered.
    stand_in = CacheStandIn(stalls=lambda number: True, stall_seconds=5)
    settings.FRONTEND_CACHE_BACKENDS = [
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": stand_in.url}
    ]
    yield stand_in
    stand_in.close()


def _purge_rows(cache_name):
    return [
        row
        for row in DBTaskResult.objects.filter(task_path=purge_cache.module_path)
        if row.args_kwargs["args"][0] == cache_name
    ]


# --- A change and its chores commit together ----------------------------------------------


def test_a_save_writes_a_purge_task_for_each_cache_in_its_own_transaction(
    run_worker, slow_varnish
):
    article = make_article()
    DBTaskResult.objects.all().delete()

    with pytest.raises(RuntimeError), transaction.atomic():
        article.headline = "Rolled back"
        article.save()
        assert len(_purge_rows(slow_varnish.url)) == 1
        raise RuntimeError("the edit fails")
    assert DBTaskResult.objects.count() == 0, "a purge outlived the edit it was for"

    article.headline = "Kept"
    article.save()
    [django_purge] = _purge_rows(DJANGO_CACHE)
    [varnish_purge] = _purge_rows(slow_varnish.url)
    assert key_for(Article, article.pk) in varnish_purge.args_kwargs["args"][1]
    assert slow_varnish.received == []  # sent by a worker, never by the save


def test_the_editors_save_returns_before_a_stalled_varnish_is_even_asked(
    run_worker, slow_varnish, editor_client
):
    article = make_article(headline="Before")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(editor_client.get(url), headline="After")
    events = []

    response = editor_client.post(url, data)
    events.append("save answered")
    assert response.status_code == 302
    assert slow_varnish.received == []

    # The worker shares the test's connection (its rows are not committed), so it runs
    # here; the stand-in is watched from another thread, which lets the purge be
    # answered once it has arrived.
    def watch():
        slow_varnish.arrived.wait(10)
        events.append("purge arrived")
        slow_varnish.resume.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    run_worker()
    events.append("purge answered")
    watcher.join(10)

    assert events == ["save answered", "purge arrived", "purge answered"]
    assert any(key_for(Article, article.pk) in keys for keys in slow_varnish.answered)
    assert {row.status for row in _purge_rows(slow_varnish.url)} == {SUCCESSFUL}


# --- Retries, backoff and parking ------------------------------------------------------


def test_a_failing_task_is_tried_again_later_with_backoff_then_parked(run_worker, settings):
    settings.TASK_MAX_ATTEMPTS, settings.TASK_RETRY_SECONDS = 3, 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        result = always_fails.enqueue()
        run_worker()
        row = DBTaskResult.objects.get(pk=result.id)
        assert (row.status, len(row.worker_ids)) == (READY, 1)
        assert row.run_after == start + timedelta(seconds=60)
        assert "the poison in this task" in row.traceback
        run_worker()  # not due yet
        assert len(DBTaskResult.objects.get(pk=result.id).worker_ids) == 1

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        run_worker()
        row = DBTaskResult.objects.get(pk=result.id)
        assert (row.status, len(row.worker_ids)) == (READY, 2)
        # Twice as long after the second failure.
        assert row.run_after == start + timedelta(seconds=61 + 120)

    with time_machine.travel(start + timedelta(seconds=182), tick=False):
        run_worker()
    with time_machine.travel(start + timedelta(days=30), tick=False):
        run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, len(row.worker_ids)) == (FAILED, 3), "tried again after parking"
    assert "the poison in this task" in row.traceback


def test_a_task_whose_worker_died_is_put_back_after_its_lease_then_parked(run_worker, settings):
    settings.TASK_MAX_ATTEMPTS, settings.TASK_LEASE_SECONDS = 2, 300
    result = purge_cache.enqueue(DJANGO_CACHE, [FRONT])
    claimed = timezone.now()
    # A worker took it and was killed: the row stays "running".
    DBTaskResult.objects.filter(pk=result.id).update(
        status=RUNNING, started_at=claimed, worker_ids=["killed-worker"]
    )
    assert requeue_lost() == 0  # it may still be running: within its lease

    with time_machine.travel(claimed + timedelta(seconds=301), tick=False):
        assert requeue_lost() == 1
        run_worker()
    assert DBTaskResult.objects.get(pk=result.id).status == SUCCESSFUL

    # A task that kills its worker every time is parked once its attempts are used up.
    result = purge_cache.enqueue(DJANGO_CACHE, [FRONT])
    DBTaskResult.objects.filter(pk=result.id).update(
        status=RUNNING, started_at=claimed, worker_ids=["killed", "killed-again"]
    )
    with time_machine.travel(claimed + timedelta(seconds=301), tick=False):
        assert requeue_lost() == 0
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == FAILED
    assert row.exception_class_path == "articles.tasks.retries.WorkerLost"


def test_an_edits_purge_is_sent_before_the_gifts_purges_written_earlier(run_worker):
    appeal, article = make_appeal(), make_article()
    DBTaskResult.objects.all().delete()
    for amount in ("5", "10", "20"):
        Donation.objects.create(appeal=appeal, amount=Decimal(amount))
    article.headline = "Rockets hit Camp Taji again"
    article.save()
    # One task, as a worker back from an outage finds them: the edit's first.
    db_worker.Worker(**worker_options(batch=True, interval=0, max_tasks=1)).run()
    [done] = DBTaskResult.objects.filter(status=SUCCESSFUL)
    assert key_for(Article, article.pk) in done.args_kwargs["args"][1]
    assert DBTaskResult.objects.filter(status=READY).count() == 3


# --- Finished tasks are forgotten, parked ones kept for editors ---------------------------


def _finished(status, days_ago):
    result = purge_cache.enqueue(DJANGO_CACHE, [FRONT])
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=timezone.now() - timedelta(days=days_ago)
    )
    return result.id


def _task_ids():
    return {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}


def test_workers_prune_finished_tasks_and_keep_parked_ones_for_editors(run_worker, settings):
    settings.TASK_KEEP_DAYS, settings.TASK_KEEP_FAILED_DAYS = 7, 90
    settings.TASK_PRUNE_SECONDS = 3600
    recent = {_finished(SUCCESSFUL, 6), _finished(FAILED, 89)}
    waiting = purge_cache.enqueue(DJANGO_CACHE, [FRONT]).id
    _finished(SUCCESSFUL, 8)
    _finished(FAILED, 91)  # parked three months ago
    housekeeping = Housekeeping()

    housekeeping.run(now=1000.0)
    assert _task_ids() == recent | {waiting}

    # Pruned again an hour later, not before.
    DBTaskResult.objects.filter(pk__in=recent).update(
        finished_at=timezone.now() - timedelta(days=100)
    )
    housekeeping.run(now=1000.0 + 3599)
    assert _task_ids() == recent | {waiting}
    housekeeping.run(now=1000.0 + 3600)
    assert _task_ids() == {waiting}


# --- Parked tasks in the admin, and who may see them -------------------------------------


@pytest.fixture
def parked(run_worker, settings):
    settings.TASK_MAX_ATTEMPTS = 1
    result = always_fails.enqueue()
    run_worker()
    return DBTaskResult.objects.get(pk=result.id)


def _tasks_urls(row):
    return [
        reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status__exact=FAILED",
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[row.pk]),
    ]


def test_a_parked_task_is_shown_to_editors_with_its_error(parked, client, make_staff):
    assert parked.status == FAILED
    client.force_login(make_staff("Editors"))
    changelist, change = _tasks_urls(parked)
    assert "always_fails" in client.get(changelist).content.decode()
    page = client.get(change).content.decode()
    assert "RuntimeError: the poison in this task" in page


@pytest.mark.parametrize("role", [None, "Writers", "Taggers"])
def test_the_tasks_admin_is_refused_to_other_roles(parked, client, make_staff, role):
    if role:
        client.force_login(make_staff(role))
    for url in _tasks_urls(parked):
        response = client.get(url)
        if role:
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login"))
        assert "poison" not in response.content.decode()


def test_no_one_changes_or_deletes_a_task_in_the_admin(parked, editor_client):
    change = reverse("admin:django_tasks_database_dbtaskresult_change", args=[parked.pk])
    delete = reverse("admin:django_tasks_database_dbtaskresult_delete", args=[parked.pk])
    assert editor_client.post(change, {"status": "READY"}).status_code == 403
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert DBTaskResult.objects.get(pk=parked.pk).status == FAILED


# --- Scheduled publication -------------------------------------------------------------


def test_a_scheduled_article_is_purged_again_when_it_goes_live(run_worker, slow_varnish):
    slow_varnish.resume.set()
    goes_live = timezone.now() + timedelta(hours=2)
    article = make_article(published_at=goes_live)
    run_worker()
    slow_varnish.received.clear()

    run_worker()
    assert slow_varnish.received == []  # not before its time
    with time_machine.travel(goes_live + timedelta(seconds=1), tick=False):
        run_worker()
    assert any(
        FRONT in keys and key_for(Article, article.pk) in keys for keys in slow_varnish.received
    )


# --- Receipts ------------------------------------------------------------------------


@pytest.fixture
def hung_mail_server(settings):
    """An SMTP server that takes connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    yield accepted
    listener.close()
    for connection in accepted:
        connection.close()


def test_a_hung_mail_server_does_not_hold_up_the_webhook(
    run_worker, hung_mail_server, client, settings
):
    settings.STRIPE_WEBHOOK_SECRET = stripe.WEBHOOK_SECRET
    payload = stripe.checkout_completed(make_appeal(currency="USD"), amount=1000)
    response = client.post(
        "/donate/webhook/stripe/",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": stripe.signature(payload)},
    )
    assert response.status_code == 200
    assert hung_mail_server == [], "the webhook spoke to the mail server"
    [gift] = Donation.objects.all()
    [receipt] = DBTaskResult.objects.filter(task_path=send_receipt.module_path)
    assert (receipt.status, receipt.args_kwargs["args"]) == (READY, [gift.pk])

    run_worker()  # the worker waits EMAIL_TIMEOUT, then the receipt is tried later
    receipt.refresh_from_db()
    assert len(hung_mail_server) == 1
    assert (receipt.status, len(receipt.worker_ids)) == (READY, 1)
    assert "ReceiptNotSent" in receipt.traceback
    assert "reader@example.org" not in receipt.traceback


# --- Relinking mentions --------------------------------------------------------------


def test_renaming_an_organisation_relinks_the_articles_that_name_it(db, commit):
    article = make_article(paragraphs=["Fighters of Daesh were seen near the base."])
    isis = make_organisation(name="ISIS")
    assert list(article.organisations.all()) == []

    def add_alias():
        isis.aliases = "Daesh"
        isis.save()

    commit(add_alias)
    assert list(article.organisations.all()) == [isis]


def test_renaming_by_queryset_update_relinks_too(db, commit):
    article = make_article(paragraphs=["The Coalition said so."])
    coalition = make_organisation(name="Global Coalition Against Daesh")

    commit(lambda: Organisation.objects.filter(pk=coalition.pk).update(aliases="Coalition"))
    assert list(article.organisations.all()) == [coalition]


def test_editing_an_organisation_without_new_names_relinks_nothing(run_worker):
    isis = make_organisation(name="ISIS")
    DBTaskResult.objects.all().delete()
    isis.description = "An armed group."
    isis.save()
    Organisation.objects.filter(pk=isis.pk).update(country="Iraq")
    assert not DBTaskResult.objects.exclude(task_path=purge_cache.module_path).exists()
