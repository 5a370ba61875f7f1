import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from articles.models import DonationAppeal
from articles.services import appeal_record_donation

from .conftest import make_appeal, make_article, visible_text

MID_APRIL_2021 = datetime(2021, 4, 15, 12, tzinfo=UTC)


def _bar(html):
    """The appeal box's markup (the first one on the page)."""
    return re.search(r'<section class="appeal-bar.*?</section>', html, re.S).group()


def _fill_width(html):
    return re.search(r'class="appeal-bar__fill"[^>]*width="([^"]+)"', html).group(1)


def test_a_bar_at_671_of_5000_shows_its_ticks_and_month(client, story):
    bar = _bar(client.get(story.get_absolute_url()).content.decode())
    assert _fill_width(bar) == "13.42%"
    assert 'role="progressbar"' in bar
    assert 'aria-valuemin="0"' in bar
    assert 'aria-valuemax="5000.00"' in bar
    assert 'aria-valuenow="671.00"' in bar
    assert 'aria-valuetext="671 $ raised of 5,000 $ (13 %)"' in bar
    text = visible_text(bar)
    assert "0 $ 2,500 $ 5,000 $ 671 $ (13 %) MARCH 2021" in text
    assert "Updated 1 March 2021" in text
    # The middle milestone is drawn on the bar too.
    assert 'x1="50.00%"' in bar


def test_a_donation_shows_on_the_next_request(client, story):
    appeal = DonationAppeal.objects.get()
    appeal_record_donation(appeal=appeal, amount=Decimal("329"))
    bar = _bar(client.get(story.get_absolute_url()).content.decode())
    assert _fill_width(bar) == "20.00%"
    assert "1,000 $" in visible_text(bar)


@pytest.mark.parametrize(
    "raised, width",
    [(None, "0.00%"), ("2500", "50.00%"), ("5000", "100.00%"), ("12000", "100.00%")],
)
def test_the_bar_is_clamped_to_the_track(client, db, raised, width):
    appeal = make_appeal(is_active=True)
    if raised:
        appeal_record_donation(appeal=appeal, amount=Decimal(raised))
    assert _fill_width(_bar(client.get("/").content.decode())) == width


def test_above_the_goal_the_bar_shows_a_distinct_reached_state(client, db):
    appeal = make_appeal(is_active=True)
    appeal_record_donation(appeal=appeal, amount=Decimal("6000"))
    bar = _bar(client.get("/").content.decode())
    assert 'class="appeal-bar appeal-bar--reached"' in bar
    assert "Goal reached — thank you!" in visible_text(bar)
    assert 'aria-valuenow="6000.00"' in bar
    assert "goal reached" in re.search(r'aria-valuetext="([^"]+)"', bar).group(1)


def test_before_any_donation_there_is_no_updated_date(client, db):
    make_appeal(is_active=True)
    assert "Updated" not in visible_text(_bar(client.get("/").content.decode()))


def test_the_updated_date_is_the_newest_ledger_entry(client, db):
    appeal = make_appeal(is_active=True)
    with time_machine.travel(datetime(2021, 3, 2, 9, tzinfo=UTC), tick=False):
        appeal_record_donation(appeal=appeal, amount=Decimal("10"))
    with time_machine.travel(datetime(2021, 3, 9, 9, tzinfo=UTC), tick=False):
        appeal_record_donation(appeal=appeal, amount=Decimal("10"), received_date=date(2021, 3, 1))
    assert "Updated 9 March 2021" in visible_text(_bar(client.get("/").content.decode()))


def test_the_box_is_on_the_front_page_and_every_article(client, db):
    make_appeal(is_active=True)
    article = make_article()
    assert 'role="progressbar"' in client.get("/").content.decode()
    assert 'role="progressbar"' in client.get(article.get_absolute_url()).content.decode()


@time_machine.travel(MID_APRIL_2021, tick=False)
def test_this_months_appeal_takes_over_when_its_month_starts(client, db):
    march = make_appeal(campaign_month=date(2021, 3, 1), is_active=True)
    appeal_record_donation(appeal=march, amount=Decimal("671"))
    april = make_appeal(campaign_month=date(2021, 4, 1), goal=Decimal("4000"))
    assert DonationAppeal.objects.current() == april
    text = visible_text(_bar(client.get("/").content.decode()))
    assert "APRIL 2021" in text
    assert "4,000 $" in text


@time_machine.travel(MID_APRIL_2021, tick=False)
def test_without_an_appeal_this_month_the_active_one_stands_in(db):
    march = make_appeal(campaign_month=date(2021, 3, 1), is_active=True)
    make_appeal(campaign_month=date(2021, 2, 1))
    assert DonationAppeal.objects.current() == march


@time_machine.travel(MID_APRIL_2021, tick=False)
def test_past_months_keep_their_final_figures_on_the_appeals_page(client, db):
    february = make_appeal(campaign_month=date(2021, 2, 1), goal=Decimal("1000"))
    appeal_record_donation(appeal=february, amount=Decimal("1500"))
    march = make_appeal(campaign_month=date(2021, 3, 1))
    appeal_record_donation(appeal=march, amount=Decimal("671"))
    make_appeal(campaign_month=date(2021, 4, 1), is_active=True)
    make_appeal(campaign_month=date(2021, 5, 1))
    response = client.get("/appeals/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "APRIL 2021" in text
    assert "March 2021 671 $ 5,000 $ 13 %" in text
    assert "February 2021 1,500 $ 1,000 $ 100 % · goal reached" in text
    assert "May 2021" not in text
