from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.admin.dashboard import dashboard
from articles.models import Article

from .conftest import make_appeal, make_article, make_organisation, visible_text

MID_MARCH = datetime(2021, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def newsroom(db):
    with time_machine.travel(MID_MARCH, tick=False):
        appeal = make_appeal(campaign_month=date(2021, 3, 1), goal=Decimal("5000"), is_active=True)
        for day, amount in [(1, "100"), (1, "50"), (5, "300"), (9, "50")]:
            services.appeal_record_donation(
                appeal=appeal, amount=Decimal(amount), received_date=date(2021, 3, day)
            )
        coalition, isis = (
            make_organisation(name="US-led coalition"),
            make_organisation(name="ISIS"),
        )
        for hours in (1, 2, 30):
            make_article(published_at=MID_MARCH - timedelta(hours=hours)).organisations.add(
                coalition
            )
        make_article(published_at=MID_MARCH - timedelta(hours=3)).organisations.add(isis)
        make_article(status=Article.Status.DRAFT, headline="Draft one")
        make_article(status=Article.Status.IN_REVIEW, headline="For review")
        make_article(published_at=MID_MARCH + timedelta(hours=5), headline="Later today")
        yield appeal


def test_it_counts_articles_by_where_they_are_in_the_workflow(newsroom):
    with time_machine.travel(MID_MARCH, tick=False):
        board = dashboard()
    assert (board["drafts"], board["in_review"], board["scheduled"]) == (1, 1, 1)
    assert board["published_today"] == 3  # 1, 2 and 3 hours before noon; not yesterday's


def test_it_projects_the_month_end_total_from_the_pace_so_far(newsroom):
    with time_machine.travel(MID_MARCH, tick=False):
        progress = dashboard()["appeal"]
    # 500 raised in 10 days of a 31-day month.
    assert progress.projected == Decimal("1550.00")
    assert progress.projected_percent == 31
    heights = {bar.day: bar.height for bar in progress.bars if bar.height}
    assert set(heights) == {1, 5, 9}
    assert heights[5] > heights[1] > heights[9]


def test_it_ranks_the_organisations_mentioned_most_this_month(newsroom):
    with time_machine.travel(MID_MARCH, tick=False):
        top = list(dashboard()["top_organisations"])
    assert [(o.name, o.mentions) for o in top] == [("US-led coalition", 3), ("ISIS", 1)]


def test_the_admin_opens_on_the_dashboard_with_a_bounded_number_of_queries(
    editor_client, newsroom, django_assert_max_num_queries
):
    for _ in range(30):
        make_article(status=Article.Status.DRAFT)
    with time_machine.travel(MID_MARCH, tick=False), django_assert_max_num_queries(11):
        response = editor_client.get(reverse("admin:index"))
    page = response.content.decode()
    text = visible_text(page)
    assert "31 drafts" in text and "1 in review" in text and "1 scheduled" in text
    assert "3 published today" in text
    assert "<svg" in page and "http://" not in page.split("<svg", 1)[1].split("</svg>")[0][40:]
    assert "1,550 $" in text
    assert "US-led coalition 3 articles" in text
