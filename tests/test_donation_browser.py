"""A reader gives in a real browser: picks an amount, is sent to Checkout (the local
stand-in for Stripe, tests/fake_stripe.py), comes back to the thank-you page; axe audits
the donation and thank-you pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import make_appeal

pytestmark = pytest.mark.browser


@pytest.fixture
def appeal(transactional_db):
    return make_appeal(currency="EUR", currency_symbol="€", is_active=True)


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 375, "height": 900})
    yield context.new_page()
    context.close()


def _serious(page):
    return [
        f"{violation['id']} ({violation['impact']})"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_a_reader_picks_an_amount_and_is_sent_to_checkout(page, live_server, fake_stripe, appeal):
    page.goto(f"{live_server.url}/appeals/")
    page.get_by_role("link", name="Donate").click()
    page.wait_for_url(f"**/support/{appeal.pk}/")
    assert _serious(page) == []
    page.get_by_label("25 €").check()
    page.get_by_label("Every month").check()
    page.get_by_label("Email for the receipt").fill("reader@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(f"{fake_stripe.url}/pay/**")
    assert page.locator("h1").inner_text() == "Pay"
    [sent] = fake_stripe.created("/v1/checkout/sessions")
    assert sent["line_items[0][price_data][unit_amount]"] == "2500"
    assert sent["mode"] == "subscription"

    [session_id] = fake_stripe.sessions
    fake_stripe.complete(session_id, invoice="in_test_1")
    page.goto(sent["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))
    assert page.locator("h1").inner_text() == "Thank you"
    assert page.get_by_text("is being confirmed").is_visible()
    assert _serious(page) == []
    page.get_by_role("button", name="Manage or cancel your monthly gift").click()
    page.wait_for_url(f"{fake_stripe.url}/portal/cus_test_1")


def test_a_bad_amount_is_refused_in_the_browser_without_javascript(
    chromium, live_server, fake_stripe, appeal
):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/support/")
    page.get_by_label("Other amount").check()
    page.get_by_label("Your amount").fill("0.10")
    page.get_by_label("Email for the receipt").fill("reader@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    assert page.get_by_text("The least you can give is 1 €.").is_visible()
    assert fake_stripe.requests == []
    context.close()
