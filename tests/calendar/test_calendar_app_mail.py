"""Invitations, updates, cancellations and reminders: what reaches people's inboxes and calendars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from balint_online.calendar.jobs import queue_reminders
from balint_online.notifications.delivery import deliver_outbox
from tests.factories import mails

pytestmark = pytest.mark.now("2026-09-01T12:00:00Z")

BASE = "http://balint.test"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


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


def object_uid(series: dict) -> str:
    return f"series-{series['id']}@calendar.balint-online.invalid"


def test_enrolment_invitation_travels_over_smtp_as_an_itip_request(api, group, leader, member, smtp_server, ical_js,
                                                                    expand, meetings_of):
    series = group(leader, [member])
    assert deliver_outbox() == len(mails())
    to_member = [m for m in smtp_server.messages() if m["To"] == member.email]
    # The invitation rides with "You have a place": one email for the one event.
    [invite] = [m for m in to_member if m["Subject"] == f"You have a place in {series['title']}"]
    inline, attachment = calendar_parts(invite)
    assert inline.get_param("method") == "REQUEST"
    # From the platform's address under the organizer's name; replies to the organizer.
    assert invite["From"].addresses[0].addr_spec == "no-reply@balint.invalid"
    assert invite["From"].addresses[0].display_name == "Dr Ruth via Balint Online"
    assert invite["Reply-To"].addresses[0].addr_spec == leader.email
    body = invite.get_body(("plain",)).get_content()
    # In the member's own zone, which left summer time a week before New York did.
    assert "times in Europe/London" in body
    assert "Tue 20 Oct 2026, 00:00 – 01:30 BST" in body and "Mon 26 Oct 2026, 23:00 – 00:30 GMT (next day)" in body

    ics = attachment.get_payload(decode=True)
    [parsed] = ical_js(ics)
    assert parsed["method"] == "REQUEST"
    # One calendar object, one UID: the master first, then its exceptions (their turn to present).
    assert {ev["uid"] for ev in parsed["events"]} == {object_uid(series)}
    event = parsed["events"][0]
    assert b"RRULE:FREQ=WEEKLY;COUNT=8" in ics
    assert event["organizer"]["email"] == leader.email
    assert [(a["email"], a["rsvp"]) for a in event["attendees"]] == [(member.email, "TRUE")]
    assert event["location"] == f"{BASE}/series/{series['id']}/join"
    assert b"SENT-BY=\"mailto:no-reply@balint.invalid\"" in ics.replace(b"\r\n ", b"")
    [readers] = expand(ics)
    for name, instances in readers.items():
        assert [(i["start"], i["end"]) for i in instances] == meetings_of(series), name

    # The leader was invited when the series was published: their own copy, as its organizer,
    # published to them (nothing to answer), never listing them as an attendee.
    [leader_invite] = [m for m in smtp_server.messages() if m["To"] == leader.email
                       and m["Subject"].startswith("Calendar invitation")]
    [parsed] = ical_js(calendar_parts(leader_invite)[1].get_payload(decode=True))
    [event] = parsed["events"]
    assert parsed["method"] == "PUBLISH" and event["organizer"]["email"] == leader.email
    assert event["attendees"] == [] and event["uid"] == object_uid(series)

    # Delivered once: a second run finds nothing waiting.
    count = len(smtp_server.envelopes)
    assert deliver_outbox() == 0 and len(smtp_server.envelopes) == count


def test_each_reschedule_sends_an_update_of_the_same_object_with_a_higher_sequence(
        api, group, leader, member, make_user, clock, smtp_server, expand, meetings_of):
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
    reported = api(member).get(f"/api/v1/series/{series['id']}").get_json()
    for person in (leader.email, member.email, other.email):
        first, second = expand(*(calendar_parts(m)[1].get_payload(decode=True) for m in updates if m["To"] == person))
        for name in second:
            assert {i["uid"] for i in first[name] + second[name]} == {object_uid(series)}
            assert [(i["start"], i["end"]) for i in second[name]] == meetings_of(reported), name
            assert min(i["sequence"] for i in second[name]) > max(i["sequence"] for i in first[name])


def test_a_cancelled_meeting_cancels_its_instance_in_every_calendar(api, group, leader, member, smtp_server, ical_js,
                                                                    expand):
    series = group(leader, [member], first_meeting_local="2026-10-19T19:00")
    meeting = series["meetings"][5]
    api(leader).post(f"/api/v1/meetings/{meeting['id']}/cancel", json={"reason": "Public holiday."})
    deliver_outbox()
    cancels = [m for m in smtp_server.messages() if m["Subject"].startswith("Meeting cancelled")]
    assert sorted(m["To"] for m in cancels) == sorted([leader.email, member.email])
    [to_member] = [m for m in cancels if m["To"] == member.email]
    inline, attachment = calendar_parts(to_member)
    assert inline.get_param("method") == "CANCEL"
    assert "Public holiday." in to_member.get_body(("plain",)).get_content()
    ics = attachment.get_payload(decode=True)
    [parsed] = ical_js(ics)
    [ev] = parsed["events"]
    assert (parsed["method"], ev["uid"], ev["status"]) == ("CANCEL", object_uid(series), "CANCELLED")
    # That one instance, by its RECURRENCE-ID (RFC 5546 3.2.5), not the whole series.
    assert b"RECURRENCE-ID;TZID=America/New_York:20261123T190000" in ics
    assert _utc(ev["start"]) == _utc(meeting["starts_at"])
    # The organizer's own copy is the whole object again, without that meeting.
    [to_leader] = [m for m in cancels if m["To"] == leader.email]
    [readers] = expand(calendar_parts(to_leader)[1].get_payload(decode=True))
    for name, instances in readers.items():
        assert len(instances) == 7 and meeting["starts_at"] not in {i["start"] for i in instances}, name


def test_a_member_who_leaves_has_the_whole_object_cancelled(api, group, leader, member, clock, ical_js):
    series = group(leader, [member])
    clock.set("2026-10-28T12:00:00Z")  # two meetings have taken place
    roster = api(leader).get(f"/api/v1/series/{series['id']}/roster").get_json()["applications"]
    api(member).post(f"/api/v1/applications/{roster[0]['id']}/withdraw", json={"reason": "Moving away"})
    [invite] = mails("application_accepted", member)  # the invitation came with the place
    [message] = mails("calendar_cancel", member)
    assert message.calendar_method == "CANCEL"
    [parsed] = ical_js(message.calendar_ics)
    [ev] = parsed["events"]
    assert (ev["uid"], ev["status"]) == (object_uid(series), "CANCELLED")
    assert b"RECURRENCE-ID" not in message.calendar_ics
    [sent] = ical_js(invite.calendar_ics)
    assert ev["sequence"] > sent["events"][0]["sequence"]


def test_a_cancelled_series_sends_one_cancellation_to_each_person(api, group, leader, member, make_user, ical_js):
    other = make_user()
    series = group(leader, [member, other])
    api(leader).post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "The leader is unwell."})
    cancellations = mails("calendar_cancel")
    assert sorted(m.recipient for m in cancellations) == sorted([leader.email, member.email, other.email])
    for message in cancellations:
        [parsed] = ical_js(message.calendar_ics)
        [ev] = parsed["events"]
        assert ev["uid"] == object_uid(series) and ev["status"] == "CANCELLED"
        # The organizer's copy is published to them cancelled; everyone else gets the CANCEL.
        assert parsed["method"] == ("PUBLISH" if message.recipient == leader.email else "CANCEL")


# -- reminders ----------------------------------------------------------------------------------

def reminders():
    return {m.key for m in mails("meeting_reminder")}


def expected(kind, meeting, *people):
    return {f"reminder-{kind}:meeting-{meeting['id']}:user-{p.id}" for p in people}


def test_reminders_come_24_hours_and_1_hour_before_exactly_once(api, group, leader, member, clock, smtp_server):
    series = group(leader, [member], first_meeting_local="2026-10-19T19:00")  # before London's clocks go back
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
    recipients = {m.user_id for m in mails("meeting_reminder")}
    assert recipients == {leader.id, member.id}
    assert outsider.id not in recipients and applicant.id not in recipients
