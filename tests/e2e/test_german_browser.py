"""A visitor whose browser speaks German reads the catalogue in German without choosing anything; the
footer's switch names each language in itself and takes them back to English.

The context keeps the site's Content-Security-Policy in force, so zones.js is proven to take its
words (the zone search box) from its own tag, in the page's language.
"""

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import published_series
from tests.live import live_server


@pytest.fixture(autouse=True)
def october(clock):
    clock.set("2026-10-01T12:00:00Z")


@pytest.fixture
def german_browser(browser):
    """german_browser(width, height) -> a page in a fresh context whose browser asks for German."""
    contexts = []

    def make(width: int, height: int):
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height},
                                      is_mobile=width < 600)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_german_browser_alone_makes_the_catalogue_german(app, api, make_user, german_browser, width, height):
    published_series(api(make_user("leader")), title="Montagabendgruppe")
    with live_server(app) as base:
        page = german_browser(width, height)
        page.goto(base + "/")
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("heading", level=1).inner_text() == "Online-Balintgruppen"
        assert page.get_by_role("link", name="Konto anlegen").first.is_visible()
        assert "Die Gruppen sind vertraulich" in page.locator("footer").inner_text()
        # zones.js ran as served, with the words the page gave it.
        assert page.locator(".tz-picker input[type=search]").get_attribute("placeholder") == "Stadt oder Land suchen"

        switch = page.get_by_role("form", name="Sprache")
        assert switch.locator("[aria-current=true]").inner_text() == "Deutsch"
        switch.scroll_into_view_if_needed()
        screenshot(page, f"language-switch-german-{width}")

        switch.get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.get_by_role("heading", level=1).inner_text() == "Online Balint groups"
        assert page.get_by_role("form", name="Language").get_by_role("button", name="Deutsch").is_visible()
