"""Series and meetings through the JSON API: schedules, bad input, access."""

import pytest

from tests.factories import create_series, enrolled, published_series, series_payload


def test_leader_creates_a_series_that_keeps_local_time_across_daylight_saving(api, leader):
    series = create_series(api(leader))
    assert series["status"] == "draft"
    assert series["leaders"] == [{"id": leader.id, "name": "Dr Ruth"}]
    starts = [m["starts_at"] for m in series["meetings"]]
    assert starts[:4] == ["2026-10-19T23:00:00Z", "2026-10-26T23:00:00Z", "2026-11-03T00:00:00Z",
                          "2026-11-10T00:00:00Z"]
    assert {m["starts_at_local"][11:] for m in series["meetings"]} == {"19:00"}
    assert [m["number"] for m in series["meetings"]] == list(range(1, 9))
    assert series["prices"]["member"] == {"early": "650.00", "regular": "725.00"}
    assert series["cancellation_fee"] == "100.00"


def test_sydney_series_through_the_api(api, leader):
    series = create_series(api(leader), timezone="Australia/Sydney", first_meeting_local="2027-03-24T18:00",
                           early_bird_deadline=None, cancellation_deadline=None, meeting_count=3, capacity=3)
    assert [m["starts_at"] for m in series["meetings"]] == [
        "2027-03-24T07:00:00Z", "2027-03-31T07:00:00Z", "2027-04-07T08:00:00Z"]


def test_skip_dates_through_the_api(api, leader):
    series = create_series(api(leader), skip_dates=["2026-11-23"], first_meeting_local="2026-11-02T19:00",
                           early_bird_deadline=None, cancellation_deadline=None)
    dates = [m["starts_at_local"][:10] for m in series["meetings"]]
    assert "2026-11-23" not in dates and dates[-1] == "2026-12-28"


def test_publish_lists_the_series_publicly(api, leader):
    series = create_series(api(leader))
    assert api(None).get("/api/v1/series").get_json()["series"] == []
    assert api(None).get(f"/api/v1/series/{series['id']}").status_code == 404  # drafts are private
    published = api(leader).post(f"/api/v1/series/{series['id']}/publish").get_json()
    assert published["status"] == "open" and published["seats_left"] == 8
    listed = api(None).get("/api/v1/series").get_json()["series"]
    assert [s["id"] for s in listed] == [series["id"]]


def test_status_moves_to_running_and_completed_with_the_clock(api, leader, clock):
    series = published_series(api(leader), meeting_count=2, capacity=2)
    clock.set("2026-10-20T00:00:00Z")
    assert api(None).get(f"/api/v1/series/{series['id']}").get_json()["status"] == "running"
    assert api(None).get("/api/v1/series").get_json()["series"] == []
    clock.set("2026-10-27T01:00:00Z")
    assert api(None).get(f"/api/v1/series/{series['id']}").get_json()["status"] == "completed"


def test_a_page_showing_only_the_status_says_what_the_meetings_say(api, leader, clock):
    """`status_now` reads a series' first start and last end without loading its meetings (the roster,
    the ledger): the status the series itself gives, as the clock passes and after a cancellation."""
    from sqlalchemy import inspect

    from balint_online.extensions import db
    from balint_online.series.models import Meeting, Series
    from balint_online.series.services import status_now

    created = published_series(api(leader), meeting_count=3, capacity=2)

    def read_both():
        db.session.expire_all()
        series = db.session.get(Series, created["id"])
        shown = status_now(series)
        assert "meetings" in inspect(series).unloaded  # forty meetings are not loaded for one word
        return shown, series.status

    seen = []
    for moment in ("2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z", "2026-11-10T00:00:00Z"):
        clock.set(moment)
        shown, own = read_both()
        assert shown == own
        seen.append(shown)
    assert seen == ["open", "running", "completed"]
    db.session.get(Meeting, created["meetings"][-1]["id"]).status = "cancelled"
    db.session.commit()
    clock.set("2026-10-28T01:00:00Z")  # after the second meeting, before the cancelled third
    assert read_both() == ("completed", "completed")


BAD_INPUT = [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"first_meeting_local": "2027-03-14T02:30", "early_bird_deadline": None, "cancellation_deadline": None},
     "first_meeting_local"),
    ({"first_meeting_local": "2026-11-01T01:30", "early_bird_deadline": None, "cancellation_deadline": None},
     "first_meeting_local"),
    ({"capacity": -3}, "capacity"),
    ({"capacity": 9}, "capacity"),
    ({"capacity": "eight"}, "capacity"),
    ({"meeting_count": 2.5}, "meeting_count"),
    ({"first_meeting_local": "2025-01-06T19:00"}, "first_meeting_local"),
    ({"first_meeting_local": "next Monday"}, "first_meeting_local"),
    ({"title": "x" * 201}, "title"),
    ({"title": ""}, "title"),
    ({"description": "y" * 5001}, "description"),
    ({"early_bird_deadline": "2026-13-01"}, "early_bird_deadline"),
    ({"cancellation_deadline": "2027-01-01"}, "cancellation_deadline"),
    ({"skip_dates": "2026-11-23"}, "skip_dates"),
    ({"skip_dates": ["2026-10-19"]}, "skip_dates"),
    ({"prices": {"standard": {"regular": 875.5}}}, "prices.standard.regular"),
    ({"prices": {"vip": {"regular": "10.00"}}}, "prices.vip"),
    ({"prices": {"member": {"regular": "10.00"}}}, "prices.standard"),
    ({"cancellation_fee": "-5.00"}, "cancellation_fee"),
    ({"video_provider": "skype"}, "video_provider"),
    ({"currency": "dollars"}, "currency"),
    ({"leader_emails": ["nobody@example.org"]}, "leader_emails"),
    ({"presenters_per_meeting": 0}, "presenters_per_meeting"),
]


@pytest.mark.parametrize("change,field", BAD_INPUT, ids=[f for _, f in BAD_INPUT])
def test_bad_input_is_a_422_naming_the_field(api, leader, change, field):
    resp = api(leader).post("/api/v1/series", json=series_payload(**change))
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert body["error"] == "validation_failed"
    assert any(name.startswith(field) for name in body["fields"]), body
    assert body["message"]


def test_malformed_bodies_are_400s(api, leader):
    client = api(leader)
    resp = client.post("/api/v1/series", data="{not json", content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["error"] == "bad_request"
    resp = client.post("/api/v1/series", json=["a", "list"])
    assert resp.status_code == 400
    resp = client.post("/api/v1/series", data="title=x", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415


def test_unknown_ids_are_404s_in_the_error_shape(api, leader):
    for path in ("/api/v1/series/999", "/api/v1/series/abc", "/api/v1/series/99999999999999999999999"):
        resp = api(leader).get(path)
        assert resp.status_code == 404
        assert set(resp.get_json()) >= {"error", "message", "fields"}


NON_PUBLIC = [
    ("post", "/api/v1/series"),
    ("post", "/api/v1/series/1/publish"),
    ("post", "/api/v1/meetings/1/reschedule"),
    ("post", "/api/v1/meetings/1/cancel"),
]


@pytest.mark.parametrize("method,path", NON_PUBLIC)
def test_anonymous_callers_get_401(api, method, path):
    resp = getattr(api(None), method)(path, json={})
    assert resp.status_code == 401
    assert resp.get_json()["error"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_tokens_get_401(client):
    for header in ("Bearer nope", "Basic abc", "Bearer "):
        resp = client.post("/api/v1/series", json={}, headers={"Authorization": header})
        assert resp.status_code == 401


def test_member_cannot_create_a_series(api, make_user):
    resp = api(make_user("member")).post("/api/v1/series", json=series_payload())
    assert resp.status_code == 403 and resp.get_json()["error"] == "forbidden"


def test_leader_cannot_change_another_leaders_series(api, leader, make_user):
    series = create_series(api(leader))
    other = api(make_user("leader"))
    meeting = series["meetings"][0]["id"]
    # A draft is not found by anyone who does not manage it; a published series is public, so 403.
    assert other.post(f"/api/v1/series/{series['id']}/publish").status_code == 404
    assert other.post(f"/api/v1/meetings/{meeting}/reschedule",
                      json={"starts_at_local": "2026-10-20T19:00"}).status_code == 404
    assert other.post(f"/api/v1/meetings/{meeting}/cancel", json={}).status_code == 404
    assert api(leader).post(f"/api/v1/series/{series['id']}/publish").status_code == 200
    assert other.post(f"/api/v1/meetings/{meeting}/reschedule",
                      json={"starts_at_local": "2026-10-20T19:00"}).status_code == 403
    assert other.post(f"/api/v1/meetings/{meeting}/cancel", json={}).status_code == 403


def test_admin_can_change_any_series(api, leader, make_user):
    series = create_series(api(leader))
    assert api(make_user("admin")).post(f"/api/v1/series/{series['id']}/publish").status_code == 200


def test_two_leaders(api, leader, make_user):
    co = make_user("leader", email="sam@example.org", name="Sam")
    series = create_series(api(leader), leader_emails=["ruth@example.org", "SAM@example.org"])
    assert {leader["name"] for leader in series["leaders"]} == {"Dr Ruth", "Sam"}
    meeting = series["meetings"][1]["id"]
    assert api(co).post(f"/api/v1/meetings/{meeting}/cancel", json={"reason": "holiday"}).status_code == 200


def test_reschedule_raises_sequence_and_keeps_the_wall_clock_rules(api, leader):
    series = create_series(api(leader))
    meeting = series["meetings"][2]
    resp = api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule",
                            json={"starts_at_local": "2026-11-03T18:00"})
    assert resp.status_code == 200
    moved = resp.get_json()
    assert moved["starts_at"] == "2026-11-03T23:00:00Z" and moved["ends_at"] == "2026-11-04T00:30:00Z"
    assert moved["sequence"] == meeting["sequence"] + 1
    bad = api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule", json={"starts_at_local": "2027-03-14T02:15"})
    assert bad.status_code == 422 and "starts_at_local" in bad.get_json()["fields"]
    clash = api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule",
                             json={"starts_at_local": "2026-10-26T19:30"})
    assert clash.status_code == 409
    missing = api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule", json={})
    assert missing.status_code == 422


def test_cancel_meeting_keeps_it_listed_as_cancelled(api, leader):
    series = create_series(api(leader))
    meeting = series["meetings"][0]
    resp = api(leader).post(f"/api/v1/meetings/{meeting['id']}/cancel", json={"reason": "Leader unwell"})
    assert resp.get_json()["status"] == "cancelled"
    again = api(leader).post(f"/api/v1/meetings/{meeting['id']}/cancel", json={})
    assert again.status_code == 409
    detail = api(leader).get(f"/api/v1/series/{series['id']}").get_json()
    assert detail["meetings"][0]["status"] == "cancelled" and len(detail["meetings"]) == 8


def test_past_meetings_cannot_be_moved(api, leader, clock):
    series = create_series(api(leader))
    clock.set("2026-10-21T00:00:00Z")
    resp = api(leader).post(f"/api/v1/meetings/{series['meetings'][0]['id']}/reschedule",
                            json={"starts_at_local": "2026-12-30T19:00"})
    assert resp.status_code == 409


def test_openapi_document_describes_the_contract(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/series", "/series/{id}", "/series/{id}/publish", "/meetings/{id}/reschedule",
                 "/meetings/{id}/cancel"):
        assert path in doc["paths"], path


def test_the_catalogue_costs_a_fixed_number_of_queries(app, api, leader, client):
    from sqlalchemy import event

    from balint_online.extensions import db

    def count_queries(path):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    published_series(api(leader))
    with_one = (count_queries("/api/v1/series"), count_queries("/"))
    for n in range(4):
        published_series(api(leader), title=f"Group {n}")
    assert (count_queries("/api/v1/series"), count_queries("/")) == with_one


def test_a_series_is_priced_in_the_society_s_currency_unless_it_says_otherwise(app, api, leader, client, login,
                                                                               monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_CURRENCY", "EUR")
    assert create_series(api(leader))["currency"] == "EUR"
    assert create_series(api(leader), currency="chf")["currency"] == "CHF"
    login(leader)
    form = client.get("/lead/series/new").get_data(as_text=True)
    assert 'name="currency"' in form and 'value="EUR"' in form


def test_the_catalogue_shows_every_change_to_a_card_at_once(app, api, leader, make_user, client):
    """Cards are rendered once for the same facts (catalogue/views.py): a new title, a co-leader, a
    place taken, a moved first meeting or another reader's zone or language is another card."""
    series = published_series(api(leader), capacity=2)
    path = f"/api/v1/series/{series['id']}"
    page = client.get("/").text
    assert "Evening group" in page and "2 of 2 places left" in page and "Led by Dr Ruth<" in page

    api(leader).patch(path, json={"title": "Monday evening group", "capacity": 3})
    make_user("leader", email="sam@example.org", name="Sam Co")
    api(leader).patch(path, json={"leader_emails": ["ruth@example.org", "sam@example.org"]})
    enrolled(api, leader, series, make_user())
    first = series["meetings"][0]["id"]
    assert api(leader).post(f"/api/v1/meetings/{first}/reschedule",
                            json={"starts_at_local": "2026-10-18T19:00"}).status_code == 200
    page = client.get("/").text
    assert "Monday evening group" in page and "2 of 3 places left" in page and "Led by Dr Ruth and Sam Co" in page
    assert "Sun 18 Oct 2026" in page

    client.set_cookie("tz", "Europe/Berlin")
    client.set_cookie("lang", "de")
    page = client.get("/").text
    assert "Mo., 19. Okt. 2026, 01:00 CEST" in page and "2 von 3 Plätzen frei" in page
