"""A reader's journey in a real browser, at a phone's and a desktop's width, with an
accessibility audit. Screenshots go to test-artifacts/."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import ARTIFACTS, STORY_SLUG

pytestmark = pytest.mark.browser

WIDTHS = [375, 1280]
RAISED_SHARE = 671 / 5000
AUDITED_PAGES = {
    "front": "/",
    "article": f"/articles/{STORY_SLUG}/",
    "organisation": "/organisations/us-led-coalition/",
    "search": "/search/?q=Daesh",
    "month": "/2021/03/",
}


@pytest.fixture
def site(transactional_db, story, live_server):
    # live_server serves another thread: the data must be committed, not in a test
    # transaction, which transactional_db arranges.
    return live_server.url


@pytest.fixture(params=WIDTHS, ids=[f"{width}px" for width in WIDTHS])
def page(request, chromium):
    context = chromium.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.width = request.param
    yield page
    context.close()


def _screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}-{page.width}px.png", full_page=True)


def _filled_share(page):
    track = page.locator(".appeal-bar__track").first.bounding_box()
    fill = page.locator(".appeal-bar__fill").first.bounding_box()
    return fill["width"] / track["width"]


def test_a_reader_follows_a_story_to_the_archive(page, site):
    page.goto(f"{site}/")
    assert _filled_share(page) == pytest.approx(RAISED_SHARE, abs=0.0005)
    _screenshot(page, "1-front")

    page.get_by_role("link", name="U.S. Forces Closing Some Bases In Iraq").first.click()
    page.wait_for_url(f"**/articles/{STORY_SLUG}/")
    assert page.locator("h1").inner_text().startswith("U.S. Forces Closing Some Bases")
    assert _filled_share(page) == pytest.approx(RAISED_SHARE, abs=0.0005)
    progress = page.get_by_role("progressbar")
    assert progress.get_attribute("aria-valuenow") == "671.00"
    _screenshot(page, "2-article")

    page.locator("#quote-q1 cite a").click()
    page.wait_for_url("**/organisations/us-led-coalition/")
    assert page.locator("h1").inner_text() == "US-led coalition"
    assert page.get_by_text("The Coalition remains in Iraq at the invitation").is_visible()
    _screenshot(page, "3-organisation")

    page.get_by_role("searchbox", name="Search articles").fill("Daesh")
    page.get_by_role("searchbox", name="Search articles").press("Enter")
    page.wait_for_url("**/search/?q=Daesh")
    assert page.get_by_text("1 result for “Daesh”").is_visible()
    assert page.locator(".search-results mark").first.inner_text() == "Daesh"
    _screenshot(page, "4-search")

    page.get_by_role("link", name="Archive").first.click()
    page.get_by_role("link", name="March 2021").click()
    page.wait_for_url("**/2021/03/")
    assert page.locator("h1").inner_text() == "MARCH 2021"
    assert page.get_by_role("link", name="U.S. Forces Closing Some Bases In Iraq").is_visible()
    _screenshot(page, "5-month")


def test_the_skip_link_is_the_first_stop_and_takes_the_reader_to_the_content(page, site):
    page.goto(f"{site}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["x"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("name", AUDITED_PAGES)
def test_axe_finds_no_serious_or_critical_violation(page, site, name):
    page.goto(f"{site}{AUDITED_PAGES[name]}")
    results = Axe().run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []
