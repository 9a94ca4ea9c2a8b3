"""The catalogue, series page and the leader's create-and-publish pages."""


from tests.factories import published_series

FORM = {
    "title": "Monday evening group", "description": "For GPs.", "timezone": "America/New_York",
    "first_date": "2026-10-19", "start_time": "19:00", "meeting_count": "8", "interval_weeks": "1",
    "duration_minutes": "90", "capacity": "8", "presenters_per_meeting": "1", "video_provider": "jitsi",
    "currency": "usd", "trainee_discount": "20", "cancellation_fee": "100.00", "offer_hours": "48",
    "price_standard_early": "800.00", "price_standard_regular": "875.00", "price_member_regular": "725.00",
}


def test_leader_creates_and_publishes_through_the_pages(client, login, make_user):
    leader = make_user("leader", timezone="America/New_York")
    login(leader)
    assert client.get("/lead/series/new").status_code == 200
    resp = client.submit("/lead/series/new", FORM)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "draft" in page and "Mon 2 Nov 2026, 19:00 – 20:30 EST" in page and "Mon 19 Oct 2026, 19:00 EDT" in page
    # Blank trainee cells are filled 20% off: 875.00 -> 700.00, 800.00 -> 640.00, member 725.00 -> 580.00.
    assert "700.00 USD" in page and "640.00 USD" in page and "580.00 USD" in page
    publish = client.submit(resp.headers["Location"].replace("/series/", "/lead/series/") + "/publish",
                            page=resp.headers["Location"])
    assert publish.status_code == 302
    assert "Monday evening group" in client.get("/").get_data(as_text=True)


def test_the_form_keeps_what_was_typed_and_names_the_problem(client, login, make_user):
    login(make_user("leader"))
    resp = client.submit("/lead/series/new", {**FORM, "capacity": "9"})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "turn to present" in text and 'value="Monday evening group"' in text
    gap = client.submit("/lead/series/new", {**FORM, "first_date": "2027-03-14", "start_time": "02:30"})
    assert gap.status_code == 422 and "does not exist" in gap.get_data(as_text=True)


def test_members_cannot_reach_the_leader_pages(client, login, make_user):
    login(make_user("member"))
    assert client.get("/lead/series/new").status_code == 403
    assert client.get("/lead").status_code == 403


def test_visitors_choose_the_zone_times_are_shown_in(client, api, make_user):
    series = published_series(api(make_user("leader")))
    assert "Mon 19 Oct 2026, 23:00 UTC" in client.get("/").get_data(as_text=True)
    chosen = client.submit("/viewer-timezone", {"timezone": "Europe/London"}, page=f"/series/{series['id']}")
    assert chosen.headers["Location"] == f"/series/{series['id']}"  # back to the page the picker was on
    page = client.get(f"/series/{series['id']}").get_data(as_text=True)
    assert "Tue 20 Oct 2026, 00:00 BST" in page and "Mon 19 Oct 2026, 19:00 EDT" in page
    client.submit("/viewer-timezone", {"timezone": "Not/AZone"}, page="/")
    assert "Mon 19 Oct 2026, 23:00 BST" not in client.get("/").get_data(as_text=True)
