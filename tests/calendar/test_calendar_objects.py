"""One calendar object per series, as three independent readers expand it, in hard zones.

What a member's calendar ends up holding is checked against the API's meetings with ical.js
(Mozilla), node-ical (rrule.js with the Node runtime's zones) and recurring-ical-events (Python),
for every iTIP message the app sends: enrolments, a withdrawal and a re-enrolment, a turn change,
and a change of the zone rules (a test double standing in for a new tzdata release).
"""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from balint_online.core import zonerules
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.factories import apply

pytestmark = pytest.mark.now("2026-09-01T12:00:00Z")

BASE = "http://balint.test"

# Zone, first meeting, count. New York's fourth meeting ends inside the repeated hour of
# 1 November (00:30 EDT + 90 min = 01:00 EST); London's third ends in 25 October's (01:00 GMT).
ZONES = [
    ("America/New_York", "2026-10-11T00:30", 6),
    ("Australia/Sydney", "2026-09-21T19:00", 6),  # clocks forward 4 October
    ("Australia/Lord_Howe", "2026-09-22T18:00", 6),  # half an hour forward 4 October
    # Half an hour back on 4 April 2027: the third meeting ends at the second 01:30 (+10:30),
    # a fractional offset with no fixed zone of its own, so that end is written in UTC.
    ("Australia/Lord_Howe", "2027-03-21T00:30", 4),
    ("Pacific/Chatham", "2026-09-15T19:00", 6),  # +12:45 -> +13:45 on 27 September
    ("Asia/Kolkata", "2026-09-15T19:00", 4),  # +05:30 all year
    ("Europe/London", "2026-10-11T00:30", 4),
]


def object_uid(series: dict) -> str:
    return f"series-{series['id']}@calendar.balint-online.invalid"


def messages(user=None, kinds=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.calendar_ics.is_not(None)).order_by(OutboxMessage.id)
    if user is not None:
        query = query.where(OutboxMessage.user_id == user.id)
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    return db.session.scalars(query).all()


# A member's invitation rides with "You have a place" (one email per event); a leader's comes on its own.
PLACE = ["calendar_invite", "application_accepted"]

# Deadlines before every series' first meeting.
EARLY = {"early_bird_deadline": "2026-09-10", "cancellation_deadline": "2026-09-10"}


def reported(api, user, series) -> dict:
    return api(user).get(f"/api/v1/series/{series['id']}").get_json()


def spans(instances) -> list[tuple[str, str]]:
    return [(i["start"], i["end"]) for i in instances]


def test_every_message_is_one_object_whose_expansion_is_the_apis_meetings(api, group, leader, member, make_user,
                                                                         expand, meetings_of):
    other = make_user(timezone="Asia/Kolkata")
    groups = [group(leader, [member, other], title=f"Group in {tz}", timezone=tz, first_meeting_local=first,
                    meeting_count=count, capacity=count, **EARLY) for tz, first, count in ZONES]
    invitations = {m.calendar_ics for m in messages(member, kinds=PLACE)}
    assert any(b"DTEND;TZID=Etc/GMT+5:20261101T010000" in ics for ics in invitations)  # New York's fold
    # London's: 01:00 GMT, which icalendar writes as the same time in UTC.
    assert any(b"DTEND:20261025T010000Z" in ics for ics in invitations)
    assert any(b"DTEND:20270403T150000Z" in ics for ics in invitations)  # Lord Howe's
    sent = messages()  # invitations, and the rotation's updates as members joined
    invited = {(m.user_id, m.kind) for m in sent}
    assert {(leader.id, "calendar_invite")} | {(u.id, "application_accepted") for u in (member, other)} <= invited
    readings = expand(*(m.calendar_ics for m in sent))
    by_uid = {object_uid(s): s for s in groups}
    for message, readers in zip(sent, readings, strict=True):
        assert message.calendar_method in ("REQUEST", "PUBLISH")
        for name, instances in readers.items():
            [uid] = {i["uid"] for i in instances}
            assert spans(instances) == meetings_of(by_uid[uid]), (name, by_uid[uid]["timezone"])
            assert len({i["sequence"] for i in instances}) == 1


def test_withdraw_then_reenrol_sends_a_request_above_the_cancel(api, group, leader, member, clock, expand,
                                                                meetings_of):
    series = group(leader, [member], timezone="America/New_York", first_meeting_local="2026-10-11T00:30",
                   meeting_count=6, capacity=6, **EARLY)
    [application] = api(leader).get(f"/api/v1/series/{series['id']}/roster").get_json()["applications"]
    clock.set("2026-09-02T09:00:00Z")
    assert api(member).post(f"/api/v1/applications/{application['id']}/withdraw",
                            json={"reason": "Clash"}).status_code == 200
    clock.set("2026-09-03T09:00:00Z")
    again = apply(api(member), series["id"])
    assert api(leader).post(f"/api/v1/applications/{again['id']}/accept").get_json()["status"] == "enrolled"

    invite, cancel, reinvite = messages(member, kinds=[*PLACE, "calendar_cancel"])
    assert [m.calendar_method for m in (invite, cancel, reinvite)] == ["REQUEST", "CANCEL", "REQUEST"]
    first, cancelled, second = expand(invite.calendar_ics, cancel.calendar_ics, reinvite.calendar_ics)
    for name in first:
        # Each reader sees one object in all three, the re-enrolment outranking the cancellation.
        assert {i["uid"] for i in first[name] + cancelled[name] + second[name]} == {object_uid(series)}
        cancel_sequence = {i["sequence"] for i in cancelled[name]}
        assert {i["status"] for i in cancelled[name]} == {"CANCELLED"}, name
        assert min(i["sequence"] for i in second[name]) > max(cancel_sequence) > max(
            i["sequence"] for i in first[name]), name
        assert spans(second[name]) == meetings_of(reported(api, member, series)), name


def test_a_turn_change_updates_the_invitation(api, group, leader, member, make_user, expand, clock):
    from balint_online.calendar.jobs import rotation_announcements, rotation_digests
    from balint_online.core.clock import now

    other = make_user()
    series = group(leader, [member, other], meeting_count=4, capacity=2)
    assert rotation_announcements(now()) == 2  # the group is full: its turns are announced
    meetings = series["meetings"]
    before = api(member).get(f"/api/v1/series/{series['id']}/rotation").get_json()["meetings"]
    mine = [m["meeting_id"] for m in before if any(p["user_id"] == member.id for p in m["presenters"])]
    resp = api(member).put(f"/api/v1/series/{series['id']}/availability", json={"unavailable_meeting_ids": mine[:1]})
    assert resp.status_code == 200, resp.get_json()
    after = api(member).get(f"/api/v1/series/{series['id']}/rotation").get_json()["meetings"]
    now_mine = {m["starts_at"] for m in after if any(p["user_id"] == member.id for p in m["presenters"])}
    assert rotation_digests(clock.set(now() + timedelta(days=1))) >= 1  # the next day's digest
    update = messages(member, kinds=["rotation_changed"])[-1]
    assert update.calendar_method == "REQUEST"
    [readers] = expand(update.calendar_ics)
    for name, instances in readers.items():
        assert {i["start"] for i in instances if "(you present)" in i["summary"]} == now_mine, name
        assert len(instances) == len(meetings)


@pytest.fixture
def london_keeps_winter_time():
    """A stand-in for a tzdata release in which the UK abolishes summer time: Europe/London read
    from the fixed GMT zone's file, under another release name."""
    with resources.files("tzdata").joinpath("zoneinfo", "Etc", "GMT").open("rb") as source:
        zone = ZoneInfo.from_file(source, key="Europe/London")
    previous = zonerules.install(zonerules.ZoneRules("2099z", {"Europe/London": zone}))
    yield
    zonerules.install(previous)


def test_new_zone_rules_move_the_affected_meetings_and_tell_everyone(app, api, group, leader, member, client, clock,
                                                                     ical_js, expand, meetings_of, request):
    series = group(leader, [member], timezone="Europe/London", first_meeting_local="2026-10-06T19:00",
                   meeting_count=6, capacity=6, **EARLY)
    feed = api(member).get("/api/v1/me/calendar").get_json()["feed_url"].removeprefix(BASE)
    old_feed = client.get(feed)
    [old_invite] = messages(member, kinds=PLACE)
    before = reported(api, member, series)["meetings"]

    request.getfixturevalue("london_keeps_winter_time")
    # The rules alone change the validator: the feed's VTIMEZONE is computed from them.
    assert client.get(feed, headers={"If-None-Match": old_feed.headers["ETag"]}).status_code == 200
    clock.set("2026-09-10T12:00:00Z")
    assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0
    after = reported(api, member, series)["meetings"]

    # 19:00 on the group's clock: BST meetings (before 25 October) move an hour later in UTC.
    moved = [(a, b) for a, b in zip(before, after, strict=True) if a["starts_at"] != b["starts_at"]]
    assert [b["starts_at"] for _, b in moved] == ["2026-10-06T19:00:00Z", "2026-10-13T19:00:00Z",
                                                  "2026-10-20T19:00:00Z"]
    assert all(b["sequence"] == a["sequence"] + 1 for a, b in moved)
    assert [a for a, b in zip(before, after, strict=True) if a["starts_at"] == b["starts_at"]] == before[3:]

    new_feed = client.get(feed, headers={"If-None-Match": old_feed.headers["ETag"]})
    assert new_feed.status_code == 200 and new_feed.headers["ETag"] != old_feed.headers["ETag"]

    told = {m.user_id: m for m in messages(kinds=["meetings_replanned"])}
    assert set(told) == {leader.id, member.id}
    body = told[member.id].body_text
    assert "2099z" in body and "3 meetings" in body
    # ical.js reads the zone from the file, so it sees the new rules: the moved object is right.
    # (node-ical and icalendar resolve IANA names from their own zone data, the real rules.)
    [parsed] = ical_js(told[member.id].calendar_ics)
    [readers] = expand(told[member.id].calendar_ics)
    assert spans(readers["ical.js"]) == meetings_of({"meetings": after})
    assert min(i["sequence"] for i in readers["ical.js"]) > ical_js(old_invite.calendar_ics)[0]["events"][0]["sequence"]
    assert {ev["uid"] for ev in parsed["events"]} == {object_uid(series)}

    # Once: the next run has nothing left to move.
    assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0
    assert len(messages(kinds=["meetings_replanned"])) == 2


def test_alias_zones_are_kept_by_their_canonical_name(api, leader):
    from tests.factories import create_series

    series = create_series(api(leader), timezone="US/Eastern")
    assert series["timezone"] == "America/New_York"
    assert reported(api, leader, series)["timezone"] == "America/New_York"


def test_a_subscriber_gets_no_invitations_but_is_still_told(api, group, leader, member, make_user, client, login,
                                                            expand, meetings_of):
    both = make_user(email="both@example.org")
    login(member)
    page = client.get("/calendar").get_data(as_text=True)
    assert "How meetings reach your calendar" in page and 'value="invitations"' in page
    resp = client.submit("/calendar/delivery", {"calendar_delivery": "subscription"}, page="/calendar")
    assert resp.status_code == 302
    assert api(member).get("/api/v1/me/calendar").get_json()["delivery"] == "subscription"
    both.calendar_delivery = "both"
    db.session.commit()

    series = group(leader, [member, both])
    assert messages(member) == []
    assert "application_accepted" in [m.kind for m in messages(both)]
    meeting = series["meetings"][1]
    api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule", json={"starts_at_local": "2026-10-27T18:00"})
    moved = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "meeting_rescheduled",
                                                           OutboxMessage.user_id == member.id)).all()
    assert len(moved) == 1 and moved[0].calendar_ics is None
    assert "subscription shows the new time" in moved[0].body_text
    # The subscriber's feed and the other member's invitation describe the same object.
    feed = client.get(api(member).get("/api/v1/me/calendar").get_json()["feed_url"].removeprefix(BASE)).data
    [invited] = messages(both, kinds=["meeting_rescheduled"])
    from_feed, from_invite = expand(feed, invited.calendar_ics)
    for name in from_feed:
        assert {i["uid"] for i in from_feed[name]} == {i["uid"] for i in from_invite[name]} == {object_uid(series)}
        assert spans(from_feed[name]) == spans(from_invite[name]) == meetings_of(reported(api, member, series))


def test_a_title_on_two_lines_makes_a_one_line_subject_and_ends_after_midnight_are_dated(api, group, leader,
                                                                                         make_user):
    night_owl = make_user(email="owl@example.org", timezone="Europe/London")
    # 18:30-20:00 in New York is 23:30-01:00 in London: the end is on the next day there.
    series = group(leader, [night_owl], title="Evening\ngroup", first_meeting_local="2026-10-19T18:30")
    assert series["title"] == "Evening group"
    [invite] = messages(night_owl, kinds=PLACE)
    assert invite.subject == "You have a place in Evening group"
    assert "Mon 19 Oct 2026, 23:30 – 01:00 BST (next day)" in invite.body_text


def test_added_and_restored_meetings_update_the_object(app, api, group, leader, member, expand, meetings_of):
    """What series/services will call when meetings are added or restored (calendar.services.meeting_back)."""
    from datetime import UTC, datetime, timedelta

    from balint_online.calendar.services import meeting_back
    from balint_online.series.models import Meeting, Series

    series = group(leader, [member], meeting_count=4, capacity=4, **EARLY)
    cancelled = series["meetings"][1]
    api(leader).post(f"/api/v1/meetings/{cancelled['id']}/cancel", json={"reason": "Ill"})
    row = db.session.get(Series, series["id"])
    # A make-up on a Thursday after the last meeting: off the weekly cadence, so it needs an exception.
    start = datetime(2026, 11, 12, 23, 0, tzinfo=UTC)
    makeup = Meeting(series_id=row.id, number=5, starts_at=start, ends_at=start + timedelta(minutes=90))
    db.session.add(makeup)
    db.session.flush()
    meeting_back(makeup, "added")
    db.session.commit()
    [added] = messages(member, kinds=["meeting_added"])
    [readers] = expand(added.calendar_ics)
    for name, instances in readers.items():
        assert spans(instances) == meetings_of(reported(api, member, series)), name
        assert "2026-11-12T23:00:00Z" in {i["start"] for i in instances}

    restored = db.session.get(Meeting, cancelled["id"])
    restored.status, restored.sequence = "scheduled", restored.sequence + 1
    meeting_back(restored, "restored")
    db.session.commit()
    [back] = messages(member, kinds=["meeting_restored"])
    before, after = expand(added.calendar_ics, back.calendar_ics)
    for name in after:
        assert spans(after[name]) == meetings_of(reported(api, member, series)), name
        assert len(after[name]) == 5
        assert min(i["sequence"] for i in after[name]) > max(i["sequence"] for i in before[name])


def test_a_co_leader_is_a_chair_once_and_the_series_link_leads_to_the_meeting_at_hand(api, make_user, member, client,
                                                                                    login, clock, ical_js):
    from tests.factories import published_series

    first = make_user("leader", name="Dr Ruth Leader", email="ruth@example.org")
    co = make_user("leader", name="Dr Sam Second", email="sam@example.org")
    series = published_series(api(first), leader_emails=[first.email, co.email])
    organizer = min((first, co), key=lambda u: u.id)
    [to_co] = messages(co, kinds=["calendar_invite"])
    [parsed] = ical_js(to_co.calendar_ics)
    assert parsed["method"] == "REQUEST"
    for ev in parsed["events"]:
        assert ev["organizer"]["email"] == organizer.email
        assert [(a["email"], a["role"], a["rsvp"]) for a in ev["attendees"]] == [(co.email, "CHAIR", "FALSE")]

    clock.set(series["meetings"][0]["starts_at"])
    login(member)  # after the clock moves a month: a session left idle that long has ended
    resp = client.get(f"/series/{series['id']}/join")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/meetings/{series['meetings'][0]['id']}/join")
    clock.set(series["meetings"][0]["ends_at"])
    assert client.get(f"/series/{series['id']}/join").headers["Location"].endswith(
        f"/meetings/{series['meetings'][1]['id']}/join")
