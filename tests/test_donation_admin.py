"""The donations in the admin: source and kind shown and filtered, CSV export, the report
(monthly totals, monthly donors, refunds) and erasing a donor's personal data."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from articles import services
from articles.models import Donation

from .conftest import make_appeal

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:articles_donation_changelist")
REPORT = reverse("admin:articles_donation_report")


@pytest.fixture
def ledger():
    appeal = make_appeal(currency="USD")
    services.appeal_record_donation(
        appeal=appeal, amount=Decimal("100"), received_date=date(2021, 3, 2), note="Cheque"
    )
    gift = services.appeal_record_online_gift(
        appeal=appeal,
        amount=Decimal("25"),
        payment_id="pi_1",
        event_id="evt_1",
        received_date=date(2021, 3, 5),
        donor_email="reader@example.org",
        donor_name="=HYPERLINK(1)",
    )
    for n, month in enumerate((3, 4), start=1):
        services.appeal_record_online_gift(
            appeal=appeal,
            amount=Decimal("10"),
            payment_id=f"in_{n}",
            event_id=f"evt_in_{n}",
            received_date=date(2021, month, 9),
            donor_email="monthly@example.org",
            donor_name="Monthly Reader",
            subscription_id="sub_1",
        )
    services.donation_record_reversal(
        payment_ids=["pi_1"],
        reversal_id="re_1",
        amount=Decimal("5"),
        event_id="evt_re_1",
        note="Refund",
        received_date=date(2021, 3, 20),
    )
    return appeal, gift


def test_the_list_shows_and_filters_by_source(editor_client, ledger):
    page = editor_client.get(CHANGELIST, {"source__exact": "online"}).content.decode()
    assert "Online (Stripe)" in page
    assert "Cheque" not in page
    manual = editor_client.get(CHANGELIST, {"source__exact": "manual"}).content.decode()
    assert "Cheque" in manual
    assert "pi_1" not in manual


def test_the_export_is_a_csv_of_the_selected_entries_without_emails(editor_client, ledger):
    response = editor_client.post(
        CHANGELIST,
        {
            "action": "export_csv",
            "_selected_action": Donation.objects.values_list("pk", flat=True),
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(row["amount"] for row in rows) == ["-5.00", "10.00", "10.00", "100.00", "25.00"]
    assert {row["source"] for row in rows} == {"online", "manual"}
    assert "reader@example.org" not in response.content.decode()
    # A name a spreadsheet would run as a formula is written as text.
    assert "'=HYPERLINK(1)" in {row["donor_name"] for row in rows}


def test_the_report_shows_monthly_totals_monthly_donors_and_refunds(
    editor_client, ledger, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = editor_client.get(REPORT).content.decode()
    march = Donation.objects.monthly_totals().get(month=date(2021, 3, 1))
    assert (march["gift_count"], march["gifts"], march["reversals"], march["net"]) == (
        3,
        Decimal("135.00"),
        Decimal("-5.00"),
        Decimal("130.00"),
    )
    assert "March 2021" in page and "April 2021" in page
    assert "130.00" in page
    [monthly] = Donation.objects.recurring_donors()
    assert (monthly["payments"], monthly["total"]) == (2, Decimal("20.00"))
    assert "Monthly Reader" in page and "sub_1" in page
    assert "re_1" in page and "-5 $" in page


def test_the_changelist_links_to_the_report(editor_client, ledger):
    assert REPORT in editor_client.get(CHANGELIST).content.decode()


@pytest.fixture
def data_officer(django_user_model):
    """Staff who answer data requests: the ledger's view and the erasure permission only."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="privacy", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles", codename__in=["view_donation", "erase_donor_data"]
        )
    )
    return user


def test_erasing_a_donor_keeps_the_amounts_and_reaches_every_entry_of_theirs(
    client, data_officer, ledger
):
    client.force_login(data_officer)
    appeal, _ = ledger
    first = Donation.objects.get(provider_payment_id="in_1")
    gift = Donation.objects.filter(kind="gift")
    response = client.post(
        CHANGELIST, {"action": "erase_donor", "_selected_action": [first.pk]}, follow=True
    )
    assert "the amounts stay in the ledger" in response.content.decode()
    monthly = Donation.objects.filter(subscription_id="sub_1")
    assert [(d.donor_email, d.donor_name) for d in monthly] == [("", ""), ("", "")]
    assert all(d.donor_erased_at for d in monthly)
    assert gift.get(provider_payment_id="pi_1").donor_email == "reader@example.org"
    assert appeal.raised == Decimal("140.00")
    assert not Donation.objects.filter(donor_email="monthly@example.org").exists()


def test_erasing_reaches_the_donors_gifts_whatever_the_case_of_their_email(
    client, data_officer, ledger
):
    appeal, gift = ledger
    again = services.appeal_record_online_gift(
        appeal=appeal,
        amount=Decimal("5"),
        payment_id="pi_2",
        event_id="evt_2",
        donor_email="Reader@Example.ORG",
    )
    client.force_login(data_officer)
    client.post(CHANGELIST, {"action": "erase_donor", "_selected_action": [gift.pk]})
    again.refresh_from_db()
    assert (again.donor_email, again.amount) == ("", Decimal("5.00"))


def test_a_writer_can_neither_see_the_report_nor_erase(make_staff, client, ledger):
    client.force_login(make_staff("Writers"))
    assert client.get(REPORT).status_code == 403
    pk = Donation.objects.get(kind="gift", provider_payment_id="pi_1").pk
    client.post(CHANGELIST, {"action": "erase_donor", "_selected_action": [pk]})
    assert Donation.objects.get(pk=pk).donor_email == "reader@example.org"


def test_an_editor_who_records_gifts_is_not_offered_erasure_and_cannot_force_it(
    make_staff, client, ledger
):
    client.force_login(make_staff("Editors"))
    page = client.get(CHANGELIST)
    assert "erase_donor" not in page.content.decode()
    pk = Donation.objects.get(kind="gift", provider_payment_id="pi_1").pk
    client.post(CHANGELIST, {"action": "erase_donor", "_selected_action": [pk]})
    assert Donation.objects.get(pk=pk).donor_email == "reader@example.org"


def test_the_data_officer_is_offered_erasure(client, data_officer, ledger):
    client.force_login(data_officer)
    assert "erase_donor" in client.get(CHANGELIST).content.decode()
