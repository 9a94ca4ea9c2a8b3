"""Every page reachable by links, in Chromium at 1280 and 390 px, as a visitor, a member, a leader and
an admin of the demo society: a screenshot of each (test-artifacts/pages/<role>/<page>-<width>.png)
and axe-core finding nothing serious or critical on any of them."""

import re
from datetime import date

import pytest

from balint_online.demo import PASSWORD
from tests.e2e.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.live import live_server
from tests.site_walk import ROLES, page_name, reachable_pages, realistic_society, signed_in_client

WIDTHS = (1280, 390)


def viewport(width: int) -> dict:
    return {"width": width, "height": 900 if width > 600 else 844}


@pytest.fixture
def society(app, clock):
    clock.set("2026-10-01T12:00:00Z")
    realistic_society(date(2026, 10, 1))


# A whole walk runs axe-core twice on every page: minutes, not seconds, on a busy machine.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_at_both_widths_has_a_screenshot_and_passes_axe(app, society, new_page, role):
    paths = [path for path, _ in reachable_pages(app, signed_in_client(app, role))]
    assert len(paths) >= {"visitor": 5, "member": 15, "leader": 30, "admin": 50}[role]
    violations = {}
    with live_server(app) as base:
        page = new_page()
        if ROLES[role]:
            sign_in(page, base, ROLES[role], PASSWORD)
        for path in paths:
            # Loaded once and seen at each width, as a window resized: the layout is the stylesheet's.
            page.set_viewport_size(viewport(WIDTHS[0]))
            page.goto(base + path)
            assert page.locator("h1").count() >= 1, f"{role} {path}: no heading"
            for width in WIDTHS:
                page.set_viewport_size(viewport(width))
                screenshot(page, f"pages/{role}/{page_name(path)}-{width}")
                found = serious_accessibility_violations(page)
                if found:
                    violations[f"{path} at {width}px"] = found
    assert violations == {}


def test_after_a_failed_submit_focus_is_on_the_error_summary(app, new_page):
    with live_server(app) as base:
        page = new_page(phone=True)
        page.goto(base + "/design")
        page.get_by_role("button", name="Send the example").click()
        # Fails with a timeout unless focus lands on the summary once the page has loaded.
        page.wait_for_function("document.activeElement && document.activeElement.classList.contains('error-summary')")
        assert page.locator(".error-summary").is_visible()
        # The summary's links lead to the fields to fix.
        page.locator(".error-summary a").first.click()
        assert page.evaluate("document.activeElement.id") == "name"


def test_on_a_phone_a_signed_in_menu_folds_behind_its_button_and_a_visitors_stays_in_sight(app, make_user, new_page):
    make_user(email="jo@example.org", password="correct horse battery")
    with live_server(app) as base:
        visitor = new_page(phone=True)
        visitor.goto(base + "/")
        assert visitor.get_by_role("link", name="Create an account").is_visible()
        assert visitor.get_by_role("button", name="Menu").count() == 0

        page = new_page(phone=True)
        page.goto(base + "/sign-in")
        page.get_by_label("Email").fill("jo@example.org")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/home$"))
        menu = page.locator("#nav-menu")
        toggle = page.get_by_role("button", name="Menu")
        assert not menu.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert menu.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        assert page.get_by_role("link", name="Account").is_visible()

        wide = new_page()
        wide.goto(base + "/sign-in")
        assert wide.locator("#nav-menu").is_visible()
