"""Public pages in a real browser: they render, work on a phone and pass axe-core."""


from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.factories import published_series
from tests.live import live_server


def test_public_pages_pass_axe_on_a_phone(app, api, make_user, new_page):
    leader = make_user("leader", name="Dr Ruth Okafor")
    series = published_series(api(leader))
    with live_server(app) as base:
        page = new_page(phone=True)
        for name, path in (("catalogue", "/"), ("series", f"/series/{series['id']}"), ("sign-up", "/sign-up"),
                           ("sign-in", "/sign-in")):
            page.goto(base + path)
            assert page.locator("h1").count() == 1
            screenshot(page, f"phone-{name}")
            assert serious_accessibility_violations(page) == [], name
