"""Zoom's webhook: signed participant events become attendance; anything unsigned, forged or stale changes nothing."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from balint_online.extensions import db
from balint_online.video.models import Attendance

from ..fakes import zoom_signature
from .conftest import run_video_job

SECRET = "zoom-webhook-secret"
AT = "2026-10-19T23:02:00Z"


@pytest.fixture
def group(app, clock, zoom_server, zoom_settings, make_group):
    app.config.update(zoom_settings, ZOOM_WEBHOOK_SECRET=SECRET)
    group = make_group("zoom")
    run_video_job()
    clock.set(AT)
    return group


def event(meeting, kind="joined", email="jo@example.org", at="2026-10-19T23:01:30Z"):
    field = "join_time" if kind == "joined" else "leave_time"
    return {"event": f"meeting.participant_{kind}", "event_ts": 1792450890000, "payload": {
        "account_id": "acct-123", "object": {
            "id": meeting.video_room["external_id"], "uuid": meeting.video_room["data"]["uuid"], "topic": "Balint",
            "participant": {"user_name": "Jo Member", "email": email, field: at, "registrant_id": "r-1"}}}}


def post(client, payload, *, at=AT, secret=SECRET, headers=None):
    body = json.dumps(payload).encode()
    stamp = str(int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()))
    signed = {"x-zm-request-timestamp": stamp, "x-zm-signature": zoom_signature(secret, stamp, body)}
    return client.post("/webhooks/zoom", data=body, content_type="application/json",
                       headers=signed if headers is None else headers(signed))


def records():
    db.session.expire_all()
    return db.session.scalars(select(Attendance)).all()


def test_signed_events_record_arrival_and_departure(client, group):
    # CSRF is on, as for users: Zoom sends no form token; its signature stands in.
    meeting = group.meetings[0]
    assert post(client, event(meeting)).get_json() == {"status": "recorded"}
    assert post(client, event(meeting, at="2026-10-19T23:20:00Z")).status_code == 200  # back after a dropout
    assert post(client, event(meeting, "left", at="2026-10-20T00:31:00Z")).status_code == 200
    assert post(client, event(meeting, "left", at="2026-10-19T23:15:00Z")).status_code == 200  # arrives late
    [record] = records()
    assert record.user_id == group.people["enrolled"].id and record.meeting_id == meeting.id
    assert record.provider_joined_at == datetime(2026, 10, 19, 23, 1, 30, tzinfo=UTC)
    assert record.provider_left_at == datetime(2026, 10, 20, 0, 31, tzinfo=UTC)
    assert record.first_entered_at is None and record.status is None


def test_the_url_validation_challenge_is_answered(client, group):
    answer = post(client, {"event": "endpoint.url_validation", "payload": {"plainToken": "plain-123"}})
    assert answer.status_code == 200 and answer.get_json()["plainToken"] == "plain-123"
    assert len(answer.get_json()["encryptedToken"]) == 64


@pytest.mark.parametrize("forge", [
    lambda h: {**h, "x-zm-signature": "v0=" + "0" * 64},
    lambda h: {k: v for k, v in h.items() if k != "x-zm-signature"},
    lambda h: {},
])
def test_bad_or_missing_signatures_change_nothing(client, group, forge):
    answer = post(client, event(group.meetings[0]), headers=forge)
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
    assert records() == []


def test_another_secret_or_an_old_timestamp_changes_nothing(client, group):
    assert post(client, event(group.meetings[0]), secret="someone-else").status_code == 401
    replayed = (datetime(2026, 10, 19, 23, 2, tzinfo=UTC) - timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = post(client, event(group.meetings[0]), at=replayed)
    assert answer.status_code == 401 and "replay" in answer.get_json()["message"]
    assert records() == []


def test_strangers_and_unknown_rooms_are_ignored(app, client, group):
    assert post(client, event(group.meetings[0], email="lee@example.org")).get_json() == {"status": "ignored"}
    assert post(client, event(group.meetings[0], email="")).get_json() == {"status": "ignored"}
    unknown = event(group.meetings[0])
    unknown["payload"]["object"]["id"] = "999"
    assert post(client, unknown).get_json() == {"status": "ignored"}
    assert records() == []
    app.config["ZOOM_WEBHOOK_SECRET"] = None
    assert post(client, event(group.meetings[0])).status_code == 401
    assert records() == []
