"""The newsroom dashboard on the admin's index page: a fixed handful of queries,
whatever the size of the archive."""

import calendar
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from ..models import Article, DonationAppeal, Organisation

RECENT_EDITS = 8
TOP_ORGANISATIONS = 8

# The chart's drawing area, in SVG user units (the SVG scales to its box).
CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 620, 160, 14


@dataclass(frozen=True)
class Bar:
    day: int
    amount: Decimal
    label: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class AppealProgress:
    appeal: DonationAppeal
    bars: list
    axis_labels: list  # (x, text) under the chart
    peak_label: str
    projected: Decimal
    projected_label: str
    projected_percent: int
    is_running: bool
    last_day: int


def dashboard(now=None):
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_start = timezone.make_aware(datetime.combine(today, time.min))
    month_start = day_start.replace(day=1)
    return {
        "drafts": Article.objects.filter(status=Article.Status.DRAFT).count(),
        "in_review": Article.objects.filter(status=Article.Status.IN_REVIEW).count(),
        "scheduled": Article.objects.scheduled().count(),
        "published_today": Article.objects.published().filter(published_at__gte=day_start).count(),
        "appeal": appeal_progress(DonationAppeal.objects.current(), today),
        "top_organisations": top_organisations(since=month_start),
        "recent_edits": Article.objects.only(
            "headline", "status", "published_at", "updated_at"
        ).order_by("-updated_at")[:RECENT_EDITS],
    }


def top_organisations(*, since):
    """Organisations linked from the most articles published since `since`."""
    this_period = Article.objects.published().filter(published_at__gte=since)
    return (
        Organisation.objects.filter(articles__in=this_period)
        .annotate(mentions=Count("articles"))
        .order_by("-mentions", "name")[:TOP_ORGANISATIONS]
    )


def appeal_progress(appeal, today):
    """The appeal's donations by day as bars, and where the month will end at this pace."""
    if appeal is None:
        return None
    month = appeal.campaign_month
    last_day = calendar.monthrange(month.year, month.month)[1]
    by_day = dict(
        appeal.donations.filter(received_date__year=month.year, received_date__month=month.month)
        .values_list("received_date__day")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    raised = appeal.raised
    is_running = (today.year, today.month) == (month.year, month.month)
    # A straight line through the pace so far: simple, and honest about being a guess.
    projected = raised * last_day / today.day if is_running else raised
    projected = Decimal(projected).quantize(Decimal("0.01"))
    peak = max(by_day.values(), default=Decimal(0))
    slot = CHART_WIDTH / last_day
    bars = []
    for day in range(1, last_day + 1):
        amount = by_day.get(day, Decimal(0))
        height = float(amount / peak) * (CHART_HEIGHT - CHART_TOP) if peak else 0
        bars.append(
            Bar(
                day=day,
                amount=amount,
                label=f"{day} {month:%B}: {appeal.format_amount(amount)}",
                x=round((day - 1) * slot + 1, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(slot - 2, 2),
                height=round(height, 2),
            )
        )
    axis_days = (1, 10, 20, last_day)
    return AppealProgress(
        appeal=appeal,
        bars=bars,
        axis_labels=[(round((d - 0.5) * slot, 2), str(d)) for d in axis_days],
        peak_label=appeal.format_amount(peak),
        projected=projected,
        projected_label=appeal.format_amount(projected),
        projected_percent=int(projected / appeal.goal * 100),
        is_running=is_running,
        last_day=last_day,
    )
