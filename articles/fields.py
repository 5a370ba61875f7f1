from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

CENT = Decimal("0.01")


class MoneyField(models.BigIntegerField):
    """An exact amount: a Decimal in Python, whole minor units (cents) in the database.

    SQLite has no decimal type and sums REAL values, so storing cents as integers is what
    keeps a ledger's total exact on every backend.
    """

    description = "Money stored as integer minor units"

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
            max_digits=15,
            decimal_places=2,
            **kwargs,
        )
