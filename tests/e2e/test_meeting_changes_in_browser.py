"""A leader in Chromium: warned before a cancellation costs someone their only turn, then a make-up meeting."""


from tests.e2e.conftest import sign_in
from tests.e2e.test_journey import PASSWORD, accessible
from tests.factories import apply, published_series
from tests.live import live_server


def test_the_leader_is_warned_and_a_make_up_meeting_gives_every_member_a_turn(app, api, make_user, new_page):
    leader = make_user("leader", email="ruth@example.org", name="Dr Ruth Okafor")
    make_user("admin", email="ada@example.org", name="Ada Admin")
    series = published_series(api(leader))
    for n in range(8):
        application = apply(api(make_user(name=f"Member {n + 1}")), series["id"])
        api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    fifth = series["meetings"][4]["id"]
    with live_server(app) as base:
        page = new_page(phone=True)
        sign_in(page, base, "ruth@example.org", PASSWORD)
        page.goto(f"{base}/lead/meetings/{fifth}/change")
        assert page.get_by_text("Cancelling meeting 5 would leave a member without a turn").count() == 1
        accessible(page, "phone-change-meeting-warning")
        page.get_by_label("Reason, for the members").fill("Leader unwell")
        page.get_by_role("button", name="Cancel this meeting").click()
        page.wait_for_url(f"{base}/lead/series/{series['id']}")
        assert page.get_by_text("The promise of a turn for everyone is not kept.").count() == 1
        accessible(page, "phone-hub-promise-broken")
        page.get_by_role("link", name="Add a make-up meeting").first.click()
        accessible(page, "phone-add-meeting")
        page.get_by_label("Date").fill("2026-12-14")
        page.get_by_label("Start time (in the group's zone)").fill("19:00")
        page.get_by_role("button", name="Add the meeting").click()
        page.wait_for_url(f"{base}/lead/series/{series['id']}")
        assert page.get_by_text("Every one of the 8 members has a presenting turn.").count() >= 1
        page.goto(f"{base}/lead/series/{series['id']}/edit")
        accessible(page, "phone-edit-published-series")

        admin = new_page()
        sign_in(admin, base, "ada@example.org", PASSWORD)
        admin.goto(f"{base}/admin/commitments")
        accessible(admin, "admin-commitments")
