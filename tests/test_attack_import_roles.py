"""Issue 13, item 2: "Import from text" writes only what the importing role may write.

Each attack goes through the admin's import URL as a Writer; an Editor's import still
writes everything, and its ledger entries name who recorded them.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Donation, DonationAppeal, Organisation, Quote

from .conftest import make_appeal, make_article, make_organisation, make_quote

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:articles_article_import")
HEADLINE = "Relief Convoy Reaches Besieged Town"
STORY = f"""{HEADLINE}

A relief convoy reached the town on Tuesday after weeks of talks.

“Our teams delivered food and medicine to 4,000 families,” the Red Crescent said.

Support our journalism: become a supporter today.
"""


def _page(month=date(2024, 4, 1), goal="2,000", raised="250"):
    return f"0 $\n1,000 $\n{goal} $\n{raised} $\n{month:%B %Y}\n\n{STORY}"


def _import(client, text, **options):
    return client.post(IMPORT_URL, {"text": text, **options}, follow=True)


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def _live_imported_article():
    article = make_article(
        headline=HEADLINE,
        paragraphs=["The live story.", "“We stay,” the Coalition said."],
        source_fingerprint="f" * 64,
    )
    make_quote(article, text="We stay", paragraph=2, source="the Coalition")
    return article


def test_a_writer_cannot_overwrite_a_published_article_by_its_headline(client, make_staff):
    live = _live_imported_article()
    body = live.body
    client.force_login(make_staff("Writers"))

    response = _import(client, STORY)

    page = response.content.decode()
    assert response.status_code == 200
    assert "is published and you may not change it" in page
    live.refresh_from_db()
    assert live.body == body
    assert list(live.quotes.values_list("text", flat=True)) == ["We stay"]
    assert Article.objects.count() == 1
    assert not Organisation.objects.exists()


def test_a_writer_cannot_change_the_active_appeal(client, make_staff):
    appeal = make_appeal(
        campaign_month=date(2024, 4, 1),
        goal=Decimal(5000),
        message="Keep us going",
        is_active=True,
    )
    client.force_login(make_staff("Writers"))

    response = _import(client, _page())

    appeal.refresh_from_db()
    assert (appeal.goal, appeal.tick_count, appeal.message) == (
        Decimal(5000),
        3,
        "Keep us going",
    )
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.appeal is None
    assert not Donation.objects.exists()
    assert (
        "appeal for April 2024 not updated (goal, message): you may not change appeals"
        in _messages(response)
    )


def test_a_writer_cannot_create_an_appeal_or_write_the_ledger(client, make_staff):
    client.force_login(make_staff("Writers"))

    response = _import(client, _page(month=timezone.localdate().replace(day=1)))

    assert not DonationAppeal.objects.exists()
    assert not Donation.objects.exists()
    assert Article.objects.get().status == Article.Status.DRAFT
    month = f"{timezone.localdate():%B %Y}"
    assert f"appeal for {month} not created: you may not add appeals" in _messages(response)
    assert "opening balance 250 $ not recorded: you may not record donations" in _messages(
        response
    )


def test_a_writer_s_import_names_unknown_organisations_without_creating_them(client, make_staff):
    client.force_login(make_staff("Writers"))

    response = _import(client, STORY)

    assert not Organisation.objects.exists()
    quote = Quote.objects.get()
    assert (quote.organisation, quote.source) == (None, "Red Crescent")
    assert "organisation “Red Crescent” not created: you may not add organisations" in _messages(
        response
    )


def test_a_writer_s_dry_run_reports_what_it_would_leave_out(client, make_staff):
    client.force_login(make_staff("Writers"))

    response = _import(client, _page(), dry_run="on")

    page = response.content.decode()
    assert "appeal for April 2024 not created: you may not add appeals" in page
    assert not Article.objects.exists()


def test_a_writer_still_updates_their_own_imported_draft(client, make_staff):
    client.force_login(make_staff("Writers"))
    _import(client, STORY)
    draft = Article.objects.get()

    _import(client, STORY.replace("4,000 families", "5,000 families"))

    draft.refresh_from_db()
    assert "5,000 families" in draft.body
    assert draft.status == Article.Status.DRAFT


def test_an_editor_s_import_updates_a_live_article_appeal_and_records_the_recorder(
    client, make_staff
):
    live = _live_imported_article()
    make_organisation(name="Red Crescent")
    appeal = make_appeal(campaign_month=date(2024, 4, 1), goal=Decimal(5000))
    editor = make_staff("Editors")
    client.force_login(editor)

    response = _import(client, _page())

    assert response.status_code == 200
    live.refresh_from_db()
    assert "4,000 families" in live.body
    assert live.status == Article.Status.PUBLISHED
    assert live.appeal == appeal
    appeal.refresh_from_db()
    assert appeal.goal == Decimal(2000)
    donation = Donation.objects.get()
    assert (donation.amount, donation.recorded_by) == (Decimal(250), editor)


def test_an_editor_s_import_creating_an_appeal_records_the_recorder(client, make_staff):
    editor = make_staff("Editors")
    client.force_login(editor)

    _import(client, _page(), publish="on")

    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.appeal.goal == Decimal(2000)
    assert Donation.objects.get().recorded_by == editor
