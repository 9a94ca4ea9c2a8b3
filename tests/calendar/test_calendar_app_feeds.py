"""Personal and public feeds as subscribers get them: content, validators, cost and secrecy."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from balint_online.calendar import feeds, services
from balint_online.extensions import db
from balint_online.rotation.models import PresenterTurn
from tests.statements import statements_of

pytestmark = pytest.mark.now("2026-09-01T12:00:00Z")

BASE = "http://balint.test"


def feed_path(api, user) -> str:
    links = api(user).get("/api/v1/me/calendar").get_json()
    return links["feed_url"].removeprefix(BASE)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def js_instants(parsed: dict) -> dict[str, tuple[datetime, datetime]]:
    return {ev["uid"]: (_utc(ev["start"]), _utc(ev["end"])) for ev in parsed["events"]}


def object_uid(series: dict) -> str:
    return f"series-{series['id']}@calendar.balint-online.invalid"


def test_personal_feed_lands_every_meeting_where_the_api_says_across_dst(api, group, leader, member, make_user,
                                                                          client, ical_js, expand, meetings_of):
    other = make_user()
    # New York falls back on 1 November 2026, Berlin on 25 October: both series cross a change.
    evening = group(leader, [member, other], title="Evening group")
    berlin = group(leader, [member], title="Berlin group", timezone="Europe/Berlin",
                   first_meeting_local="2026-10-20T18:00", meeting_count=4, capacity=4)
    resp = client.get(feed_path(api, member))
    assert resp.status_code == 200
    assert resp.content_type == "text/calendar; charset=utf-8"
    ics = resp.data

    # One object per group, whose expansion is every meeting, in every reader.
    [parsed] = ical_js(ics)
    assert {ev["uid"] for ev in parsed["events"]} == {object_uid(evening), object_uid(berlin)}
    [readers] = expand(ics)
    for name, instances in readers.items():
        for series in (evening, berlin):
            mine = [(i["start"], i["end"]) for i in instances if i["uid"] == object_uid(series)]
            assert mine == meetings_of(series), (name, series["title"])
    assert sorted(parsed["timezones"]) == ["America/New_York", "Europe/Berlin"]
    assert parsed["refresh_interval"] == "PT1H"
    assert "my Balint groups" in parsed["name"]

    turns = {t.meeting_id for t in db.session.scalars(
        select(PresenterTurn).where(PresenterTurn.user_id == member.id, PresenterTurn.role == "presenter"))}
    assert turns, "every member presents at least once"
    presenting = {m["starts_at"] for s in (evening, berlin) for m in s["meetings"] if m["id"] in turns}
    for name, instances in readers.items():
        assert {i["start"] for i in instances if "(you present)" in i["summary"]} == presenting, name
    for ev in parsed["events"]:
        join = f"{BASE}/series/{ev['uid'].split('@')[0].removeprefix('series-')}/join"
        assert ev["location"] == join and ev["conference"][0]["value"] == join
        assert ev["alarms"] == [{"action": "DISPLAY", "trigger": "-PT15M"}]
        assert ev["attendees"] == []
        assert "Member" not in ev["summary"] + ev["description"]


def test_a_leader_sees_the_series_they_lead_but_not_drafts(api, group, leader, client, expand, meetings_of):
    from tests.factories import create_series

    led = group(leader, [])
    create_series(api(leader), title="Draft group")
    [readers] = expand(client.get(feed_path(api, leader)).data)
    for name, instances in readers.items():
        assert {i["uid"] for i in instances} == {object_uid(led)}, name
        assert [(i["start"], i["end"]) for i in instances] == meetings_of(led), name


def test_reschedule_keeps_the_uid_raises_the_sequence_and_cancelled_meetings_leave(
        api, group, leader, member, client, clock, expand, meetings_of):
    series = group(leader, [member], first_meeting_local="2026-10-19T19:00")  # over the change to winter time
    path = feed_path(api, member)
    first = client.get(path)
    third, fourth = series["meetings"][2], series["meetings"][3]

    clock.set("2026-09-02T08:00:00Z")
    moved = api(leader).post(f"/api/v1/meetings/{third['id']}/reschedule", json={"starts_at_local": "2026-11-04T18:30"})
    assert moved.status_code == 200, moved.get_json()
    assert api(leader).post(f"/api/v1/meetings/{fourth['id']}/cancel", json={"reason": "Holiday"}).status_code == 200

    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    now_reported = api(member).get(f"/api/v1/series/{series['id']}").get_json()
    before, after = expand(first.data, second.data)
    for name in after:
        assert [(i["start"], i["end"]) for i in after[name]] == meetings_of(now_reported), name
        assert {i["uid"] for i in after[name]} == {object_uid(series)}
        # The moved meeting is where it now is; the cancelled one is gone (EXDATE).
        assert "2026-11-04T23:30:00Z" in {i["start"] for i in after[name]}
        assert fourth["starts_at"] not in {i["start"] for i in after[name]}
        assert min(i["sequence"] for i in after[name]) > max(i["sequence"] for i in before[name]), name
    assert b"RECURRENCE-ID;TZID=America/New_York:20261102T190000" in second.data
    assert b"EXDATE;TZID=America/New_York:20261109T190000" in second.data


def test_validators_answer_304_without_building_the_feed(api, group, leader, member, client, clock, monkeypatch):
    series = group(leader, [member])
    path = feed_path(api, member)
    first = client.get(path)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and last_modified
    assert client.get(path).data == first.data  # the same bytes on every poll: no "now" inside

    built = []
    real_build = services.build_calendar
    monkeypatch.setattr(services, "build_calendar", lambda *a, **k: built.append(1) or real_build(*a, **k))
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", {etag}'},
                    {"If-Modified-Since": last_modified}):
        resp = client.get(path, headers=headers)
        assert resp.status_code == 304 and resp.data == b""
        assert resp.headers["ETag"] == etag
    assert built == []
    # An ETag that does not match is answered in full even with a current date beside it, with
    # the bytes kept from the first build: the same validator always means the same feed.
    stale = client.get(path, headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified})
    assert stale.status_code == 200 and stale.data == first.data
    assert built == []

    clock.set("2026-09-03T10:00:00Z")
    meeting = series["meetings"][5]
    api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule", json={"starts_at_local": "2026-11-23T20:00"})
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["Last-Modified"] == format_datetime(datetime(2026, 9, 3, 10, tzinfo=UTC), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 200


def test_withdrawing_changes_the_feed_for_clients_that_only_send_a_date(api, group, leader, member, client, clock):
    series = group(leader, [member])
    path = feed_path(api, member)
    first = client.get(path)
    clock.set("2026-09-05T09:00:00Z")
    [application] = [a for a in api(leader).get(f"/api/v1/series/{series['id']}/roster").get_json()["applications"]]
    assert api(member).post(f"/api/v1/applications/{application['id']}/withdraw",
                            json={"reason": "Moving away"}).status_code == 200
    resp = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert resp.status_code == 200 and b"BEGIN:VEVENT" not in resp.data
    # Still a valid calendar (RFC 5545 wants a component): UTC's zone, which shows nothing.
    assert b"BEGIN:VTIMEZONE\r\nTZID:Etc/UTC" in resp.data


def test_a_feed_costs_the_same_few_queries_however_many_groups(api, group, make_user, client):
    leader = make_user("leader")
    one, three = make_user(), make_user()
    group(leader, [one, three], title="First")
    for title in ("Second", "Third"):
        group(leader, [three], title=title, first_meeting_local="2026-10-21T19:00")
    paths = {"one": feed_path(api, one), "three": feed_path(api, three)}

    costs = {}
    for who, path in paths.items():
        answers = []
        full = statements_of(lambda path=path, answers=answers: answers.append(client.get(path)))
        assert answers[0].status_code == 200
        etag = answers[0].headers["ETag"]
        not_modified = statements_of(lambda path=path, etag=etag: client.get(path, headers={"If-None-Match": etag}))
        costs[who] = (len(full), len(not_modified))
    assert costs["one"] == costs["three"]
    full, not_modified = costs["one"]
    assert not_modified == 1 and full <= 12  # a poll that finds nothing new costs one statement


def test_reset_and_unknown_addresses_are_404_through_the_same_check(api, member, client, monkeypatch):
    old = feed_path(api, member)
    assert client.get(old).status_code == 200
    reset = api(member).post("/api/v1/me/calendar/reset")
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    new = reset.get_json()["feed_url"].removeprefix(BASE)
    assert new != old and feed_path(api, member) == new

    # The feed's own comparisons only (an error page's session cookie is checked with hmac too).
    compared = []
    real_compare = feeds.hmac.compare_digest
    monkeypatch.setattr(feeds, "hmac", SimpleNamespace(
        compare_digest=lambda a, b: compared.append(1) or real_compare(a, b)))
    unknown = "/calendar/" + "A" * len(new.removeprefix("/calendar/").removesuffix(".ics")) + ".ics"
    answers = [client.get(path) for path in (old, unknown, "/calendar/x.ics", new)]
    assert [r.status_code for r in answers] == [404, 404, 404, 200]
    # The same page, but for the footer form's CSRF token, which carries the second it was signed in.
    pages = [re.sub(rb'name="csrf_token" value="[^"]*"', b"", r.data) for r in answers[:3]]
    assert pages[0] == pages[1] == pages[2]
    # A miss runs the same comparison as a hit.
    assert compared == [1, 1, 1, 1]


def test_calendar_links_over_the_api(api, member, client):
    assert api(None).get("/api/v1/me/calendar").status_code == 401
    assert api(None).post("/api/v1/me/calendar/reset").status_code == 401
    body = api(member).get("/api/v1/me/calendar").get_json()
    token = member.calendar_token
    assert body["feed_url"] == f"{BASE}/calendar/{token}.ics"
    assert body["webcal_url"] == f"webcal://balint.test/calendar/{token}.ics"
    assert body["google_url"].startswith("https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F")
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/me/calendar" in paths and "/me/calendar/reset" in paths


def test_public_series_feed_has_dates_but_no_way_in_and_no_names(api, group, leader, member, client, expand,
                                                                 meetings_of):
    from tests.factories import create_series

    series = group(leader, [member])
    assert series["calendar_url"] == f"{BASE}/series/{series['id']}/calendar.ics"
    api(leader).post(f"/api/v1/meetings/{series['meetings'][1]['id']}/cancel", json={"reason": "Dr Ruth Leader away"})
    resp = client.get(series["calendar_url"].removeprefix(BASE))
    assert resp.status_code == 200 and resp.headers["ETag"]
    ics = resp.data
    unfolded = ics.replace(b"\r\n ", b"")
    for secret in (b"/join", b"LOCATION", b"CONFERENCE", b"ATTENDEE", b"ORGANIZER", b"Jo Member", b"jo@example.org",
                   b"ruth@example.org", b"link will follow"):
        assert secret not in unfolded
    assert b"VALARM" not in ics  # a public feed sets nothing off in subscribers' calendars
    reported = api(None).get(f"/api/v1/series/{series['id']}").get_json()
    [readers] = expand(ics)
    for name, instances in readers.items():
        assert [(i["start"], i["end"]) for i in instances] == meetings_of(reported), name
        # Not the members' UID: a member who has both keeps the copy with the way in.
        assert {i["uid"] for i in instances} == {f"series-{series['id']}-dates@calendar.balint-online.invalid"}
    assert client.get(resp.request.path, headers={"If-None-Match": resp.headers["ETag"]}).status_code == 304

    draft = create_series(api(leader), title="Not yet public")
    assert client.get(f"/series/{draft['id']}/calendar.ics").status_code == 404
    assert client.get("/series/999999/calendar.ics").status_code == 404
    page = client.get(f"/series/{series['id']}").get_data(as_text=True)
    assert f'/series/{series["id"]}/calendar.ics' in page


def test_single_meeting_download_is_for_the_group_only(api, group, leader, member, make_user, client, login, ical_js):
    series = group(leader, [member])
    meeting = series["meetings"][0]
    assert client.get(f"/meetings/{meeting['id']}.ics").status_code == 302  # to sign in

    login(member)
    resp = client.get(f"/meetings/{meeting['id']}.ics")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    [parsed] = ical_js(resp.data)
    [ev] = parsed["events"]
    assert parsed["method"] == "PUBLISH"
    assert ev["location"] == f"{BASE}/meetings/{meeting['id']}/join"
    assert js_instants(parsed) == {ev["uid"]: (_utc(meeting["starts_at"]), _utc(meeting["ends_at"]))}

    client.submit("/sign-out", page="/home")
    login(make_user(email="outsider@example.org"))
    assert client.get(f"/meetings/{meeting['id']}.ics").status_code == 403
    assert client.get("/meetings/999999.ics").status_code == 404


def test_home_shows_the_subscription_and_replacing_it_retires_the_old_address(api, group, leader, member, client,
                                                                              login):
    series = group(leader, [member])
    old = feed_path(api, member)
    login(member)
    home = client.get("/home").get_data(as_text=True)
    assert "Your calendar" in home
    assert f"webcal://balint.test{old}" in home and "calendar.google.com" in home and f"{BASE}{old}" in home

    page = client.get("/calendar").get_data(as_text=True)
    first = series["meetings"][0]["id"]
    assert f"/meetings/{first}.ics" in page and "times in Europe/London" in page

    resp = client.submit("/calendar/reset", page="/home")  # the form on /home says where to come back
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/home")
    assert "new address" in client.get("/home").get_data(as_text=True)
    assert client.get(old).status_code == 404
    assert client.get(feed_path(api, member)).status_code == 200
