"""An administrator gives and takes roles on a person's page, in Chromium at phone width."""


from tests.e2e.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.e2e.test_journey import PASSWORD
from tests.live import live_server


def test_an_admin_makes_someone_a_leader_then_an_admin_and_takes_it_back(app, make_user, new_page):
    make_user("admin", email="ada@example.org", name="Ada Admin")
    person_id = make_user(name="Dr Mei Chen").id
    with live_server(app) as base:
        page = new_page(phone=True)
        sign_in(page, base, "ada@example.org", PASSWORD)
        page.goto(f"{base}/admin/people/{person_id}")
        page.get_by_label("Leader", exact=True).check()
        page.get_by_role("button", name="Change the role").click()
        assert "Dr Mei Chen is now: Leader (was Member)." in page.inner_text("main")

        page.get_by_label("Administrator", exact=True).check()
        page.get_by_role("button", name="Change the role").click()
        assert "Dr Mei Chen is now: Administrator (was Leader)." in page.inner_text("main")
        screenshot(page, "roles-01-person-page-admin-390")
        assert serious_accessibility_violations(page) == []

        page.get_by_label("Member", exact=True).check()
        page.get_by_role("button", name="Change the role").click()  # without the confirmation
        assert "Tick the box to confirm that Dr Mei Chen stops being an administrator." in page.inner_text("main")
        screenshot(page, "roles-02-confirmation-asked-390")
        assert serious_accessibility_violations(page) == []
        page.get_by_label("Member", exact=True).check()
        page.get_by_label("Yes, take administration away").check()
        page.get_by_role("button", name="Change the role").click()
        assert "Dr Mei Chen is now: Member (was Administrator)." in page.inner_text("main")
