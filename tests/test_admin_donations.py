"""The admin writes the donation ledger one way, through the ledger's service, from the
appeal form's inline and from the donation list alike, and never deletes an entry."""

from decimal import Decimal

import pytest
from django.urls import reverse

from articles import services
from articles.models import Donation

from .admin_forms import change_form_data
from .conftest import make_appeal


@pytest.fixture
def recordings(monkeypatch):
    calls = []
    record = services.appeal_record_donation

    def spy(**kwargs):
        calls.append(kwargs)
        return record(**kwargs)

    monkeypatch.setattr(services, "appeal_record_donation", spy)
    return calls


def test_the_donation_list_records_through_the_ledger_service(editor_client, editor, recordings):
    appeal = make_appeal()
    response = editor_client.post(
        reverse("admin:articles_donation_add"),
        {"appeal": appeal.pk, "amount": "25.00", "received_date": "2021-03-05", "note": "x"},
    )
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_donation_changelist")
    assert [call["amount"] for call in recordings] == [Decimal("25.00")]
    assert donation.recorded_by == editor


def test_the_appeal_form_records_through_the_ledger_service(editor_client, recordings):
    appeal = make_appeal()
    url = reverse("admin:articles_donationappeal_change", args=[appeal.pk])
    data = change_form_data(
        editor_client.get(url),
        **{
            "donations-TOTAL_FORMS": "1",
            "donations-0-received_date": "2021-03-05",
            "donations-0-amount": "29.50",
            "donations-0-note": "Reader gift",
        },
    )
    assert editor_client.post(url, data).status_code == 302
    assert [call["note"] for call in recordings] == ["Reader gift"]
    assert Donation.objects.get().note == "Reader gift"


def test_not_even_a_superuser_may_delete_a_donation(admin_client, db):
    donation = Donation.objects.create(appeal=make_appeal(), amount=Decimal("10"))
    url = reverse("admin:articles_donation_delete", args=[donation.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Donation.objects.filter(pk=donation.pk).exists()
