"""Invitations, updates, cancellations and reminders: what reaches people's inboxes and calendars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from balint_online.calendar.services import queue_reminders
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from balint_online.notifications.services import deliver_outbox

BASE = "http://balint.test"


@pytest.fixture(autouse=True)
def september(clock):
    clock.set("2026-09-01T12:00:00Z")


def outbox(kind=None, user=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if user:
        query = query.where(OutboxMessage.user_id == user.id)
    return db.session.scalars(query).all()


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def uid(meeting: dict) -> str:
    return f"meeting-{meeting['id']}@balint.test"


def calendar_parts(message):
    """(the inline text/calendar part, the attachment) after checking the invitation's MIME shape."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html, inline = alternative.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert inline.get_content_type() == "text/calendar"
    assert attachment.get_content_type() == "application/ics" and attachment.get_filename() == "invite.ics"
    assert inline.get_payload(decode=True) == attachment.get_payload(decode=True)
    return inline, attachment


def test_enrolment_invitation_travels_over_smtp_as_an_itip_request(api, group, leader, member, smtp_server, ical_js):
    series = group(leader, [member])
    assert deliver_outbox() == len(outbox())
    to_member = [m for m in smtp_server.messages() if m["To"] == member.email]
    [invite] = [m for m in to_member if m["Subject"] == f"Calendar invitation: {series['title']}"]
    inline, attachment = calendar_parts(invite)
    assert inline.get_param("method") == "REQUEST"
    body = invite.get_body(("plain",)).get_content()
    # In the member's own zone, which left summer time a week before New York did.
    assert "times in Europe/London" in body
    assert "Tue 20 Oct 2026, 00:00 BST" in body and "Mon 26 Oct 2026, 23:00 GMT" in body

    [parsed] = ical_js(attachment.get_payload(decode=True))
    assert parsed["method"] == "REQUEST"
    assert {ev["uid"]: (_utc(ev["start"]), _utc(ev["end"])) for ev in parsed["events"]} == {
        uid(m): (_utc(m["starts_at"]), _utc(m["ends_at"])) for m in series["meetings"]}
    for ev in parsed["events"]:
        assert ev["organizer"]["email"] == leader.email
        assert [a["email"] for a in ev["attendees"]] == [member.email]
        assert ev["location"].startswith(f"{BASE}/meetings/") and ev["location"].endswith("/join")

    # The leader was invited when the series was published, with their own copy.
    [leader_invite] = [m for m in smtp_server.messages() if m["To"] == leader.email
                       and m["Subject"].startswith("Calendar invitation")]
    [parsed] = ical_js(calendar_parts(leader_invite)[1].get_payload(decode=True))
    assert len(parsed["events"]) == 8 and parsed["events"][0]["organizer"]["email"] == leader.email

    # Delivered once: a second run finds nothing waiting.
    count = len(smtp_server.envelopes)
    assert deliver_outbox() == 0 and len(smtp_server.envelopes) == count


def test_each_reschedule_sends_an_update_with_the_same_uid_and_a_higher_sequence(
        api, group, leader, member, make_user, clock, smtp_server, ical_js):
    other = make_user(email="sam@example.org")
    series = group(leader, [member, other])
    meeting = series["meetings"][2]
    deliver_outbox()
    smtp_server.envelopes.clear()

    for when, local in (("2026-09-02T08:00:00Z", "2026-11-04T18:30"), ("2026-09-03T08:00:00Z", "2026-11-05T19:00")):
        clock.set(when)
        resp = api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule", json={"starts_at_local": local})
        assert resp.status_code == 200, resp.get_json()
    deliver_outbox()

    updates = [m for m in smtp_server.messages() if m["Subject"].startswith("Meeting moved")]
    assert sorted(m["To"] for m in updates) == sorted([leader.email, member.email, other.email] * 2)
    reported = api(member).get(f"/api/v1/series/{series['id']}").get_json()["meetings"][2]
    for person in (leader.email, member.email, other.email):
        first, second = ical_js(*(calendar_parts(m)[1].get_payload(decode=True) for m in updates if m["To"] == person))
        assert first["method"] == second["method"] == "REQUEST"
        [a], [b] = first["events"], second["events"]
        assert a["uid"] == b["uid"] == uid(meeting)
        assert (a["sequence"], b["sequence"]) == (1, 2)
        assert _utc(b["start"]) == _utc(reported["starts_at"]) and b["sequence"] == reported["sequence"]


def test_a_cancelled_meeting_is_cancelled_in_every_calendar(api, group, leader, member, smtp_server, ical_js):
    series = group(leader, [member])
    meeting = series["meetings"][5]
    api(leader).post(f"/api/v1/meetings/{meeting['id']}/cancel", json={"reason": "Public holiday."})
    deliver_outbox()
    cancels = [m for m in smtp_server.messages() if m["Subject"].startswith("Meeting cancelled")]
    assert sorted(m["To"] for m in cancels) == sorted([leader.email, member.email])
    for message in cancels:
        inline, attachment = calendar_parts(message)
        assert inline.get_param("method") == "CANCEL"
        assert "Public holiday." in message.get_body(("plain",)).get_content()
        [parsed] = ical_js(attachment.get_payload(decode=True))
        [ev] = parsed["events"]
        assert (parsed["method"], ev["uid"], ev["status"], ev["sequence"]) == ("CANCEL", uid(meeting), "CANCELLED", 1)


def test_a_member_who_leaves_has_the_coming_meetings_removed(api, group, leader, member, clock, ical_js):
    series = group(leader, [member])
    clock.set("2026-10-28T12:00:00Z")  # two meetings have taken place
    roster = api(leader).get(f"/api/v1/series/{series['id']}/roster").get_json()["applications"]
    api(member).post(f"/api/v1/applications/{roster[0]['id']}/withdraw", json={"reason": "Moving away"})
    [message] = outbox("calendar_cancel", member)
    assert message.calendar_method == "CANCEL"
    [parsed] = ical_js(message.calendar_ics)
    assert [ev["uid"] for ev in parsed["events"]] == [uid(m) for m in series["meetings"][2:]]
    assert {(ev["status"], ev["sequence"]) for ev in parsed["events"]} == {("CANCELLED", 1)}


def test_a_cancelled_series_sends_one_cancellation_to_each_person(api, group, leader, member, make_user, ical_js):
    other = make_user()
    series = group(leader, [member, other])
    api(leader).post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "The leader is unwell."})
    cancellations = outbox("calendar_cancel")
    assert sorted(m.recipient for m in cancellations) == sorted([leader.email, member.email, other.email])
    for message in cancellations:
        [parsed] = ical_js(message.calendar_ics)
        assert parsed["method"] == "CANCEL" and len(parsed["events"]) == 8
        assert {ev["sequence"] for ev in parsed["events"]} == {1}


# -- reminders ----------------------------------------------------------------------------------

def reminders():
    return {m.key for m in outbox("meeting_reminder")}


def expected(kind, meeting, *people):
    return {f"reminder-{kind}:meeting-{meeting['id']}:user-{p.id}" for p in people}


def test_reminders_come_24_hours_and_1_hour_before_exactly_once(api, group, leader, member, clock, smtp_server):
    series = group(leader, [member])
    first = series["meetings"][0]
    start = _utc(first["starts_at"])

    clock.set(start - timedelta(hours=24, minutes=1))
    assert queue_reminders(start - timedelta(hours=24, minutes=1)) == 0
    moment = clock.set(start - timedelta(hours=23, minutes=59))
    assert queue_reminders(moment) == 2
    assert queue_reminders(moment) == 0
    assert reminders() == expected("24h", first, leader, member)

    moment = clock.set(start - timedelta(minutes=59))
    assert queue_reminders(moment) == 2
    assert reminders() == expected("24h", first, leader, member) | expected("1h", first, leader, member)

    deliver_outbox()
    to_member = [m for m in smtp_server.messages() if m["To"] == member.email and m["Subject"].startswith("Reminder")]
    assert len(to_member) == 2
    body = to_member[0].get_body(("plain",)).get_content()
    assert f"{BASE}/meetings/{first['id']}/join" in body
    assert to_member[0]["Subject"].endswith("Tue 20 Oct 2026, 00:00 BST")


def test_a_late_run_still_reminds_until_the_start_but_never_after_or_for_cancelled_meetings(
        api, group, leader, member, clock):
    series = group(leader, [member])
    first, second = series["meetings"][:2]
    api(leader).post(f"/api/v1/meetings/{second['id']}/cancel", json={})

    # The scheduler was down through both windows of the first meeting and wakes 10 minutes before.
    moment = clock.set(_utc(first["starts_at"]) - timedelta(minutes=10))
    assert queue_reminders(moment) == 4
    assert reminders() == expected("24h", first, leader, member) | expected("1h", first, leader, member)

    # It wakes again after the second meeting would have started: nothing for a meeting under way or cancelled.
    third = series["meetings"][2]
    moment = clock.set(_utc(third["starts_at"]) + timedelta(minutes=1))
    assert queue_reminders(moment) == 0
    assert not any(f"meeting-{second['id']}:" in key for key in reminders())


def test_reminders_go_only_to_the_groups_people(api, group, leader, member, make_user, clock):
    outsider = make_user()
    series = group(leader, [member])
    applicant = make_user()
    from tests.factories import apply

    apply(api(applicant), series["id"])  # pending, not enrolled
    first = series["meetings"][0]
    moment = clock.set(_utc(first["starts_at"]) - timedelta(minutes=30))
    queue_reminders(moment)
    recipients = {m.user_id for m in outbox("meeting_reminder")}
    assert recipients == {leader.id, member.id}
    assert outsider.id not in recipients and applicant.id not in recipients
