"""iTIP invitations: REQUEST/CANCEL content, MIME shape, real SMTP delivery."""

from __future__ import annotations

import smtplib
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from balint_online.calendar.ics import build_calendar
from balint_online.notifications.invites import build_invite_message

UTC = UTC
LEADERS = (("Dr. Anna Kovács", "anna@balint.example"), ("Béla Nagy", "bela@balint.example"))
MEMBER = (("Zoé Martin", "zoe@members.example"),)


@pytest.fixture
def invite_event(make_event):
    def build(**fields):
        return make_event(organizers=LEADERS, attendees=MEMBER, **fields)

    return build


def test_request_names_organizer_and_attendees(invite_event, ical_js):
    ics = build_calendar([invite_event()], name="Balint group", method="REQUEST")
    assert b"REFRESH-INTERVAL" not in ics and b"X-PUBLISHED-TTL" not in ics
    [parsed] = ical_js(ics)
    assert parsed["method"] == "REQUEST"
    [event] = parsed["events"]
    assert event["organizer"]["email"] == "anna@balint.example"
    assert event["organizer"]["cn"] == "Dr. Anna Kovács"
    chair, member = event["attendees"]
    assert (chair["email"], chair["role"]) == ("bela@balint.example", "CHAIR")
    assert member == {
        "email": "zoe@members.example",
        "cn": "Zoé Martin",
        "role": "REQ-PARTICIPANT",
        "partstat": "NEEDS-ACTION",
        "rsvp": "FALSE",
    }


def test_reschedule_raises_the_sequence(invite_event, ical_js):
    original = invite_event()
    moved_to = original.starts_at + timedelta(hours=1)
    moved = invite_event(
        starts_at=moved_to,
        ends_at=moved_to + timedelta(minutes=90),
        sequence=original.sequence + 1,
        last_modified=original.last_modified + timedelta(days=3),
    )
    before, after = ical_js(
        build_calendar([original], name="x", method="REQUEST"),
        build_calendar([moved], name="x", method="REQUEST"),
    )
    [old], [new] = before["events"], after["events"]
    assert old["uid"] == new["uid"]
    assert new["sequence"] > old["sequence"]
    assert new["dtstamp"] > old["dtstamp"]
    assert datetime.fromisoformat(new["start"]) == moved_to


def test_cancel(invite_event, ical_js):
    cancelled = invite_event(
        status="CANCELLED", sequence=2, last_modified=datetime(2026, 10, 1, tzinfo=UTC)
    )
    [parsed] = ical_js(build_calendar([cancelled], name="x", method="CANCEL"))
    assert parsed["method"] == "CANCEL"
    [event] = parsed["events"]
    assert event["status"] == "CANCELLED" and event["sequence"] == 2
    assert event["conference"] == [] and event["location"] is None


def test_itip_rules_are_enforced(invite_event, make_event):
    with pytest.raises(ValueError, match="CANCELLED"):
        build_calendar([invite_event()], name="x", method="CANCEL")
    with pytest.raises(ValueError, match="attendees"):
        build_calendar([make_event(organizers=LEADERS[:1])], name="x", method="REQUEST")
    with pytest.raises(ValueError, match="one UID"):
        build_calendar([invite_event(), invite_event(uid="other@x")], name="x", method="REQUEST")
    with pytest.raises(ValueError, match="organizer"):
        build_calendar([make_event(attendees=MEMBER)], name="x", method="REQUEST")
    with pytest.raises(ValueError, match="PUBLISH"):
        build_calendar([invite_event()], name="x", method="PUBLISH")
    published = build_calendar([make_event(organizers=LEADERS)], name="x", method="PUBLISH")
    assert b"ORGANIZER" in published and b"ATTENDEE" not in published


def _invite(invite_event, method="REQUEST", **fields):
    ics = build_calendar([invite_event(**fields)], name="Balint group", method=method)
    msg = build_invite_message(
        sender="Bálint Online <noreply@balint.example>",
        to="Zoé Martin <zoe@members.example>",
        subject="Invitation: Bálint group, 5 November",
        text="You are invited.\nJoin: https://balint.example/meetings/1/join",
        html="<p>You are invited.</p>",
        ics=ics,
        method=method,
    )
    return ics, msg


def _check_shape(raw: bytes, ics: bytes, method: str) -> None:
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert "You are invited." in plain.get_content()
    assert html.get_content_type() == "text/html"
    assert "<p>You are invited.</p>" in html.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == method
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_content_disposition() is None
    assert calendar.get_payload(decode=True) == ics
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ics
    assert f"METHOD:{method}\r\n".encode() in ics


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_invite_mime_shape(method, invite_event):
    fields = {"status": "CANCELLED", "sequence": 1} if method == "CANCEL" else {}
    ics, msg = _invite(invite_event, method, **fields)
    _check_shape(msg.as_bytes(), ics, method)
    assert msg["Subject"] == "Invitation: Bálint group, 5 November"
    assert msg["Message-ID"].endswith("@balint.example>")


def test_invite_method_must_match_the_calendar(invite_event):
    ics = build_calendar([invite_event()], name="x", method="REQUEST")
    with pytest.raises(ValueError):
        build_invite_message(
            sender="a@b.example", to="c@d.example", subject="s", text="t",
            html="<p>t</p>", ics=ics, method="CANCEL",
        )


class _Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    # aiosmtpd's readiness check connects to the port it was given, so it
    # cannot be given 0.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_invite_travels_through_smtp(invite_event, ical_js):
    ics, msg = _invite(invite_event)
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as smtp:
            refused = smtp.send_message(msg)
    finally:
        controller.stop()
    assert refused == {}
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "noreply@balint.example"
    assert envelope.rcpt_tos == ["zoe@members.example"]
    _check_shape(envelope.content, ics, "REQUEST")

    delivered = message_from_bytes(envelope.content, policy=policy.default)
    attachment = list(delivered.iter_attachments())[0]
    [parsed] = ical_js(attachment.get_payload(decode=True))
    assert parsed["method"] == "REQUEST"
    assert parsed["events"][0]["uid"] == "meeting-1@balint.example"
