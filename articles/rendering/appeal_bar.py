"""The appeal bar's figures: amounts in the appeal's currency, the share of the goal
raised and the labelled ticks along the bar."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Tick:
    amount: Decimal
    label: str
    percent: Decimal


def format_amount(appeal, amount):
    digits = f"{amount:,.2f}".removesuffix(".00")
    if appeal.symbol_after_amount:
        return f"{digits} {appeal.currency_symbol}"
    return f"{appeal.currency_symbol}{digits}"


def percent(raised, goal):
    """Share of the goal raised, clamped to 0–100 for the bar."""
    share = raised / goal * 100
    return min(max(share, Decimal(0)), Decimal(100)).quantize(Decimal("0.01"))


def rounded(percent):
    return int(percent.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ticks(appeal):
    """`tick_count` evenly spaced amounts from zero to the goal."""
    steps = appeal.tick_count - 1
    return [
        Tick(
            amount=appeal.goal * i / steps,
            label=format_amount(appeal, (appeal.goal * i / steps).quantize(Decimal("0.01"))),
            percent=(Decimal(100) * i / steps).quantize(Decimal("0.01")),
        )
        for i in range(appeal.tick_count)
    ]
