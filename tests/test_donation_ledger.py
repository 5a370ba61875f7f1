"""The ledger's integrity for online gifts and their reversals, held by the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Donation

from .conftest import make_appeal

pytestmark = pytest.mark.django_db


def _online_gift(appeal, amount="25.00", payment="pi_1", **fields):
    return Donation.objects.create(
        appeal=appeal,
        amount=Decimal(amount),
        source=Donation.Source.ONLINE,
        provider_payment_id=payment,
        **fields,
    )


def _reversal(gift, amount, reversal_id, **fields):
    return Donation.objects.create(
        appeal=gift.appeal,
        amount=Decimal(amount),
        kind=Donation.Kind.REVERSAL,
        source=gift.source,
        reverses=gift,
        provider_payment_id=gift.provider_payment_id,
        provider_reversal_id=reversal_id,
        **fields,
    )


def test_a_refund_lowers_the_raised_figure_and_keeps_the_gift():
    appeal = make_appeal()
    gift = _online_gift(appeal, "25.00")
    _reversal(gift, "-10.00", "re_1")
    assert appeal.raised == Decimal("15.00")
    fetched = type(appeal).objects.with_raised().get(pk=appeal.pk)
    assert fetched.raised == Decimal("15.00")
    assert list(gift.reversals.values_list("amount", flat=True)) == [Decimal("-10.00")]


def test_one_payment_is_one_gift():
    appeal = make_appeal()
    _online_gift(appeal, payment="pi_same")
    with (
        pytest.raises(IntegrityError, match="provider_payment_id"),
        transaction.atomic(),
    ):
        _online_gift(appeal, payment="pi_same")
    assert Donation.objects.count() == 1


def test_one_refund_is_one_reversal():
    gift = _online_gift(make_appeal())
    _reversal(gift, "-5.00", "re_same")
    with (
        pytest.raises(IntegrityError, match="provider_reversal_id"),
        transaction.atomic(),
    ):
        _reversal(gift, "-5.00", "re_same")
    assert Donation.objects.count() == 2


def test_two_refunds_of_one_payment_are_two_reversals():
    gift = _online_gift(make_appeal(), "30.00")
    _reversal(gift, "-5.00", "re_a")
    _reversal(gift, "-5.00", "re_b")
    assert gift.appeal.raised == Decimal("20.00")


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"amount": Decimal("-5"), "kind": "gift"}, "donation_amount_positive"),
        ({"amount": Decimal("5"), "kind": "reversal"}, "donation_reversal_negative"),
        ({"amount": Decimal("5"), "source": "online"}, "donation_online_names_payment"),
    ],
)
def test_the_database_refuses_an_entry_of_the_wrong_shape(fields, constraint):
    appeal = make_appeal()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Donation.objects.create(appeal=appeal, **fields)
    assert not Donation.objects.exists()


def test_a_reversal_names_the_gift_it_takes_back():
    appeal = make_appeal()
    with pytest.raises(IntegrityError, match="donation_reversal_negative"), transaction.atomic():
        Donation.objects.create(appeal=appeal, amount=Decimal("-5"), kind="reversal")


def test_an_appeal_offers_its_preset_amounts_in_order():
    appeal = make_appeal(preset_amounts="5, 10,25.50 ,50")
    assert appeal.presets == [Decimal("5"), Decimal("10"), Decimal("25.50"), Decimal("50")]


@pytest.mark.parametrize("presets", ["5, ten", "5, -1", "0", "1.234", "NaN", "inf"])
def test_an_editor_is_told_which_preset_is_not_an_amount(presets):
    appeal = make_appeal()
    appeal.preset_amounts = presets
    with pytest.raises(ValidationError) as error:
        appeal.full_clean()
    assert "is not an amount" in str(error.value.message_dict["preset_amounts"])


@pytest.mark.parametrize(
    ("minimum", "maximum", "constraint"),
    [
        ("0", "10", "appeal_minimum_amount_positive"),
        ("20", "10", "appeal_maximum_amount_in_range"),
    ],
)
def test_an_appeal_gift_range_must_make_sense(minimum, maximum, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        make_appeal(minimum_amount=Decimal(minimum), maximum_amount=Decimal(maximum))
