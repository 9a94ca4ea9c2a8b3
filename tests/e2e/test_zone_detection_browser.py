"""A visitor whose browser is in Kolkata sees times there without choosing, and signs up in that zone.

The browser context runs in Asia/Kolkata (Chromium reports the alias Asia/Calcutta) and keeps the
site's Content-Security-Policy in force (no bypass), so the detection script is proven to run as
served: from the site, never inline.
"""

import re

import pytest
from sqlalchemy import select

from balint_online.accounts.models import User
from balint_online.extensions import db
from tests.e2e.conftest import screenshot
from tests.e2e.test_journey import confirmation_link
from tests.factories import published_series
from tests.live import live_server

PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def kolkata(browser):
    """kolkata(**options) -> a page in a fresh context whose clock is in Asia/Kolkata, with its CSP reports."""
    contexts = []

    def make(**options):
        context = browser.new_context(timezone_id="Asia/Kolkata", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.refused = []  # what the page's policy blocked
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and page.refused.append(message.text)
        )
        return page

    yield make
    for context in contexts:
        context.close()


def test_a_visitor_in_kolkata_sees_kolkata_times_and_signs_up_there(app, api, make_user, kolkata):
    published_series(
        api(make_user("leader")), title="Monday evening group"
    )  # 19:00 in New York: 04:30 next day in Kolkata
    with live_server(app) as base:
        page = kolkata(**PHONE)
        page.goto(base + "/")
        page.locator("footer").filter(
            has_text="Times are shown in Asia/Kolkata"
        ).wait_for()  # without choosing anything
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") in ("Asia/Calcutta", "Asia/Kolkata")
        assert "Tue 20 Oct 2026, 04:30 IST" in page.inner_text("main")
        assert page.locator("#viewer-timezone").input_value() == "Asia/Kolkata"
        screenshot(page, "zones-01-catalogue-in-kolkata-390")

        # The picker's list narrows as the visitor types.
        search = page.get_by_label("Search zones by city or country")
        search.fill("berlin")
        assert page.locator("#viewer-timezone option").all_inner_texts() == ["Europe \u2014 Berlin (UTC+02:00)"]
        search.fill("norway")  # a country finds its zone, though Europe/Oslo is only an alias
        assert page.locator("#viewer-timezone").input_value() == "Europe/Berlin"
        search.fill("")
        assert page.locator("#viewer-timezone option").count() > 300

        page.get_by_role("link", name="Create an account").click()
        assert page.get_by_label("Time zone", exact=True).input_value() == "Asia/Kolkata"
        page.get_by_label("Full name").fill("Dr Asha Rao")
        page.get_by_label("Email").fill("asha@example.org")
        page.get_by_label("Discipline").select_option("psychologist")
        page.get_by_role("button", name="Continue").click()
        assert "Check your inbox" in page.inner_text("main")
        page.goto(confirmation_link(base, "asha@example.org"))
        assert "Times will be shown in Asia/Kolkata" in page.inner_text("main")
        page.get_by_label("New password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Create my account").click()
        page.wait_for_url(re.compile(r"/$|/series"))
        assert "Tue 20 Oct 2026, 04:30 IST" in page.inner_text("main")
        assert page.refused == []

    db.session.rollback()
    assert db.session.scalar(select(User.timezone).where(User.email == "asha@example.org")) == "Asia/Kolkata"


def test_straight_to_sign_up_the_zone_field_follows_the_browser(app, kolkata):
    from playwright.sync_api import expect

    with live_server(app) as base:
        page = kolkata(viewport={"width": 1280, "height": 900})
        page.goto(base + "/sign-up")
        zone = page.get_by_label("Time zone", exact=True)
        expect(zone).to_have_value("Asia/Kolkata")
        assert page.url == base + "/sign-up"  # moved in place: nothing the visitor typed is lost to a reload
        zone.select_option("Europe/London")  # a choice of the visitor's own stands
        page.reload()
        assert zone.input_value() == "Asia/Kolkata"  # the browser's zone is the visitor's now, on every page
        screenshot(page, "zones-02-sign-up-1280")
        assert page.refused == []
