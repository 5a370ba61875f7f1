from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property

CENT = Decimal("0.01")
# Fifteen digits, as the form field takes: an amount an import stores can always be shown
# and saved again by a form. A bigint of cents would hold 92,233,720,368,547,758.07; the
# lower limit also leaves room to sum nine thousand of the largest in one ledger.
MAX_AMOUNT = Decimal("9999999999999.99")
AMOUNT_TOO_LARGE = f"An amount can be at most {MAX_AMOUNT:,}."


class MoneyField(models.BigIntegerField):
    """An exact amount: a Decimal in Python, whole minor units (cents) in the database.

    SQLite has no decimal type and sums REAL values, so storing cents as integers is what
    keeps a ledger's total exact on every backend.
    """

    description = "Money stored as integer minor units"

    @cached_property
    def validators(self):
        # Not IntegerField's: its limits are the database's integer range, which counts
        # cents, and compared with an amount in units they let through 100 times too much.
        return [
            *super(models.IntegerField, self).validators,
            MinValueValidator(-MAX_AMOUNT, message=f"An amount can be at least {-MAX_AMOUNT:,}."),
            MaxValueValidator(MAX_AMOUNT, message=AMOUNT_TOO_LARGE),
        ]

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return (Decimal(value) * CENT).quantize(CENT)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError) as error:
            raise ValidationError(
                "“%(value)s” is not an amount of money.",
                code="invalid",
                params={"value": value},
            ) from error

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        cents = value * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"{value} has more than two decimal places")
        return int(cents)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        return super(models.IntegerField, self).formfield(
            form_class=forms.DecimalField,
            max_digits=15,  # MAX_AMOUNT's
            decimal_places=2,
            **kwargs,
        )
