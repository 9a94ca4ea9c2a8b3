"""Zoom webhooks: signature and replay checks, the URL validation challenge, participant events."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from balint_online.video.providers.zoom import (
    ParticipantEvent,
    WebhookRejected,
    parse_participant_event,
    verify_zoom_webhook,
    zoom_url_validation_response,
)

from .fakes import zoom_signature

SECRET = "webhook-secret-token"
NOW = datetime(2031, 3, 5, 18, 5, tzinfo=UTC)


def joined_event(**participant):
    return {"event": "meeting.participant_joined", "event_ts": 1930240000123, "payload": {
        "account_id": "acct-123",
        "object": {"id": "81234567890", "uuid": "4444AAAiAAAAAiAiAiiAii==", "host_id": "x", "topic": "Balint",
                   "participant": {"user_id": "16778240", "user_name": "Bob van der Berg", "id": "",
                                   "join_time": "2031-03-05T18:01:02Z", "email": "bob@example.org",
                                   "registrant_id": "reg-1", **participant}}}}


def signed(body: bytes, at: datetime = NOW, secret: str = SECRET) -> dict:
    timestamp = str(int(at.timestamp()))
    return {"x-zm-request-timestamp": timestamp, "x-zm-signature": zoom_signature(secret, timestamp, body)}


def test_good_signature_is_accepted():
    body = json.dumps(joined_event()).encode()
    # Header names as a WSGI server may present them.
    headers = {k.title(): v for k, v in signed(body, NOW - timedelta(seconds=30)).items()}
    assert verify_zoom_webhook(SECRET, headers, body, now=NOW) == joined_event()


@pytest.mark.parametrize("tamper, reason", [
    (lambda h, b: ({**h, "x-zm-signature": "v0=" + "0" * 64}, b), "bad signature"),
    (lambda h, b: (signed(b, secret="another-secret"), b), "bad signature"),
    (lambda h, b: (h, b.replace(b"Bob", b"Eve")), "bad signature"),
    (lambda h, b: ({**h, "x-zm-signature": h["x-zm-signature"][3:]}, b), "bad signature"),
    (lambda h, b: ({k: v for k, v in h.items() if k != "x-zm-signature"}, b), "missing x-zm-signature"),
    (lambda h, b: ({k: v for k, v in h.items() if k != "x-zm-request-timestamp"}, b), "missing x-zm-request-timestamp"),
    (lambda h, b: ({**h, "x-zm-request-timestamp": "yesterday"}, b), "malformed"),
    (lambda h, b: ({**h, "x-zm-signature": "v0=ü"}, b), "bad signature"),
])
def test_bad_or_missing_signature_is_rejected(tamper, reason):
    body = json.dumps(joined_event()).encode()
    headers, body = tamper(signed(body), body)
    with pytest.raises(WebhookRejected, match=reason):
        verify_zoom_webhook(SECRET, headers, body, now=NOW)


@pytest.mark.parametrize("age", [timedelta(minutes=5, seconds=1), timedelta(hours=2), -timedelta(minutes=6)])
def test_replayed_or_future_timestamp_is_rejected(age):
    body = json.dumps(joined_event()).encode()
    with pytest.raises(WebhookRejected, match="replay"):
        verify_zoom_webhook(SECRET, signed(body, NOW - age), body, now=NOW)


def test_unconfigured_secret_and_non_json_are_rejected():
    body = json.dumps(joined_event()).encode()
    with pytest.raises(WebhookRejected, match="not configured"):
        verify_zoom_webhook("", signed(body), body, now=NOW)
    with pytest.raises(WebhookRejected, match="not JSON"):
        verify_zoom_webhook(SECRET, signed(b"<xml/>"), b"<xml/>", now=NOW)


def test_url_validation_challenge():
    answer = zoom_url_validation_response(SECRET, "qgg8vlvZRS6UYooatFL8Aw")
    expected = hmac.new(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert answer == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}


def test_participant_joined_and_left_are_parsed():
    assert parse_participant_event(joined_event()) == ParticipantEvent(
        kind="joined", meeting_external_id="81234567890", email="bob@example.org", name="Bob van der Berg",
        at=datetime(2031, 3, 5, 18, 1, 2, tzinfo=UTC), registrant_id="reg-1",
        meeting_uuid="4444AAAiAAAAAiAiAiiAii==")

    left = joined_event(leave_time="2031-03-05T19:29:00Z", join_time=None)
    left["event"] = "meeting.participant_left"
    left["payload"]["object"]["id"] = 81234567890  # Zoom may send the id as a number
    event = parse_participant_event(left)
    assert (event.kind, event.meeting_external_id, event.at) == \
        ("left", "81234567890", datetime(2031, 3, 5, 19, 29, tzinfo=UTC))


def test_guest_without_email_and_missing_time_fall_back_sensibly():
    guest = joined_event(email="", registrant_id="", join_time="")
    event = parse_participant_event(guest)
    assert event.email == "" and event.registrant_id is None
    assert event.at == datetime.fromtimestamp(1930240000.123, UTC)  # from event_ts (ms)


def test_other_or_malformed_events_give_none():
    assert parse_participant_event({"event": "meeting.started", "payload": {}}) is None
    assert parse_participant_event({"event": "meeting.participant_joined", "payload": "odd"}) is None
    no_time = joined_event(join_time="")
    del no_time["event_ts"]
    assert parse_participant_event(no_time) is None
