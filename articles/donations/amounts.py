"""Amounts as Stripe counts them: in the currency's smallest unit."""

from decimal import Decimal

# The currencies Stripe charges in whole units, having none smaller.
ZERO_DECIMAL_CURRENCIES = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)


def smallest_unit(currency):
    """The smallest amount Stripe can charge in the currency: 1 yen, 0.01 euro."""
    return Decimal(1) if currency.upper() in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def in_minor_units(amount, currency):
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(amount)
    return int(amount * 100)


def from_minor_units(amount, currency):
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount)
    return Decimal(amount) / 100
