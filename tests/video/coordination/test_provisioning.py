"""The scheduler's job against loopback fakes of Zoom and BigBlueButton: rooms made, moved, removed, retried."""

import logging
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from balint_online.video.models import VideoProvisioning
from balint_online.video.provisioning import provision_due

from ..conftest import BBB_SECRET, ZOOM_CLIENT_SECRET
from .conftest import run_video_job

START = "2026-10-01T12:00:00Z"


@pytest.fixture
def zoom(app, zoom_server, zoom_settings):
    app.config.update(zoom_settings)
    return zoom_server


def creates(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/meetings")]


def state(meeting_id) -> VideoProvisioning:
    db.session.expire_all()
    return db.session.get(VideoProvisioning, meeting_id)


def test_rooms_for_published_groups_only_and_once(api, make_user, make_group):
    from tests.factories import create_series

    draft = create_series(api(make_user("leader")), title="Still a draft")
    group = make_group()
    assert run_video_job() == 8
    assert run_video_job() == 0
    assert all(m.video_room["provider"] == "jitsi" for m in group.meetings)
    assert state(group.meetings[0].id).room_external_id == group.meetings[0].video_room["external_id"]
    assert db.session.get(type(group.meetings[0]), draft["meetings"][0]["id"]).video_room is None
    assert api(group.leader).get(f"/api/v1/series/{group.series['id']}").get_json()["meetings"][0]["video_ready"]


def test_zoom_rooms_are_scheduled_at_the_meetings_times(zoom, make_group):
    group = make_group("zoom")
    assert run_video_job() == 8  # four on Zoom, and the other group's four on Jitsi
    first = group.meetings[0]
    scheduled = zoom.meetings[int(first.video_room["external_id"])]
    assert scheduled["start_time"] == "2026-10-19T23:00:00Z" and scheduled["duration"] == 90
    assert scheduled["timezone"] == "America/New_York"
    assert scheduled["topic"] == "Balint group: Evening group — meeting 1 of 4"
    assert first.video_room["join_url"] == scheduled["join_url"]
    assert "zak=" not in str(first.video_room)  # the host-starting link is never kept
    assert run_video_job() == 0 and len(zoom.meetings) == 4


def test_an_error_backs_off_then_the_retry_succeeds(zoom, clock, make_group):
    group = make_group("zoom")
    first = group.meetings[0]
    zoom.script("/meetings", status=500, body={"code": 500, "message": "Internal error"}, times=1)
    assert run_video_job() == 4  # the other group (Jitsi) only: Zoom failed, so its meetings wait for the next pass
    assert len(creates(zoom)) == 1
    failed = state(first.id)
    assert failed.attempts == 1 and "HTTP 500" in failed.last_error
    assert failed.next_attempt_at == now() + timedelta(minutes=1)

    assert run_video_job() == 3  # the others; the failed one waits out its minute
    assert first.video_room is None
    clock.set("2026-10-01T12:01:00Z")
    assert run_video_job() == 1
    recovered = state(first.id)
    assert (recovered.attempts, recovered.last_error, recovered.next_attempt_at) == (0, "", None)
    assert group.meetings[0].video_room["provider"] == "zoom"


def test_slow_answers_past_the_timeout_are_retried(zoom, clock, make_group):
    group = make_group("zoom")
    first = group.meetings[0]
    zoom.script("/meetings", delay=1.0, times=1)  # VIDEO_HTTP_TIMEOUT is 0.3 s here
    run_video_job()
    assert first.video_room is None
    timed_out = state(first.id)
    assert timed_out.attempts == 1 and "no answer" in timed_out.last_error
    for attempt, _minutes in ((2, 1), (3, 3)):  # 1 minute, then 2 more
        zoom.script("/meetings", delay=1.0, times=1)
        clock.set(timed_out.next_attempt_at)
        run_video_job()
        timed_out = state(first.id)
        assert timed_out.attempts == attempt
        assert timed_out.next_attempt_at - now() == timedelta(minutes=2 ** (attempt - 1))
    clock.set(timed_out.next_attempt_at)
    assert run_video_job() == 4  # this one, and the group's three others that waited behind it
    assert group.meetings[0].video_room is not None and state(first.id).attempts == 0


def test_a_refusal_is_logged_with_the_answer_and_retried_less_often(zoom, clock, make_group, caplog):
    group = make_group("zoom")
    zoom.script("/meetings", status=400, body={"code": 300, "message": "Validation Failed."}, times=1)
    with caplog.at_level(logging.WARNING):
        run_video_job()
    refused = state(group.meetings[0].id)
    assert refused.next_attempt_at == now() + timedelta(hours=1)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "Validation Failed." in errors[0] and "refused" in errors[0]
    assert ZOOM_CLIENT_SECRET not in caplog.text
    clock.set(refused.next_attempt_at)
    assert run_video_job() == 1


def test_wrong_or_missing_credentials_never_leak(app, zoom, make_group, caplog):
    group = make_group("zoom")
    app.config["ZOOM_CLIENT_SECRET"] = "wrong-secret-do-not-log"
    with caplog.at_level(logging.INFO):
        run_video_job()
    assert "wrong-secret-do-not-log" not in caplog.text
    assert "invalid_client" in state(group.meetings[0].id).last_error
    app.config["ZOOM_CLIENT_SECRET"] = None
    with caplog.at_level(logging.INFO):
        assert provision_due(now() + timedelta(hours=2)) == 0
    assert "setting ZOOM_CLIENT_SECRET is required" in state(group.meetings[0].id).last_error


def test_a_failure_close_to_the_meeting_tells_the_leaders_once(zoom, clock, make_group):
    group = make_group("zoom")
    clock.set("2026-10-19T12:00:00Z")
    zoom.script("/meetings", status=503, times=10)
    run_video_job()
    clock.set("2026-10-19T13:00:00Z")
    run_video_job()
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "video_trouble")).all()
    assert [m.recipient for m in told] == [group.leader.email]
    assert "Zoom has not given the platform a room" in told[0].body_text
    assert "Tue 20 Oct" not in told[0].body_text and "Mon 19 Oct 2026, 19:00 EDT" in told[0].body_text


def test_two_schedulers_never_make_two_rooms(app, zoom, make_group):
    group = make_group("zoom")
    app.config["VIDEO_HTTP_TIMEOUT"] = 10
    zoom.script("/meetings", delay=0.2, times=4)  # slow enough that the two passes overlap
    moment = now()
    db.session.remove()
    done = []

    def scheduler():
        with app.app_context():
            done.append(provision_due(moment))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(done) == 8  # four Zoom rooms and four Jitsi rooms, each made by one scheduler
    assert len(creates(zoom)) == 4 and len(zoom.meetings) == 4
    assert {m.video_room["external_id"] for m in group.meetings} == {str(i) for i in zoom.meetings}


def test_a_rescheduled_meeting_moves_and_a_cancelled_one_goes(api, zoom, make_group):
    group = make_group("zoom")
    run_video_job()
    second, third = group.meetings[1], group.meetings[2]
    second_id, third_id = int(second.video_room["external_id"]), int(third.video_room["external_id"])
    zoom.script("/meetings", status=503, times=1)
    lead = api(group.leader)
    resp = lead.post(f"/api/v1/meetings/{second.id}/reschedule", json={"starts_at_local": "2026-10-27T19:00"})
    assert resp.status_code == 200
    assert lead.post(f"/api/v1/meetings/{third.id}/cancel", json={"reason": "Holiday"}).status_code == 200
    run_video_job()  # the move fails once
    assert state(second.id).attempts == 1
    lead.post(f"/api/v1/meetings/{second.id}/reschedule", json={"starts_at_local": "2026-10-28T19:00"})
    assert run_video_job() >= 1  # moving again lifts the back-off
    assert zoom.meetings[second_id]["start_time"] == "2026-10-28T23:00:00Z"
    assert state(second.id).room_starts_at == group.meetings[1].starts_at
    assert third_id not in zoom.meetings
    assert group.meetings[2].video_room is None and state(third.id).room_external_id is None


def test_bigbluebutton_meetings_are_created_again_at_the_door(app, api, clock, make_group, bbb_server, bbb_settings):
    app.config.update(bbb_settings)
    group = make_group("bigbluebutton")
    run_video_job()
    meeting = group.meetings[0]
    assert meeting.video_room["external_id"] in bbb_server.meetings
    bbb_server.expire(meeting.video_room["external_id"])  # nobody came, so BBB dropped it
    clock.set("2026-10-19T22:50:00Z")
    host = api(group.leader).get(f"/api/v1/meetings/{meeting.id}/join").get_json()
    member = api(group.people["enrolled"]).get(f"/api/v1/meetings/{meeting.id}/join").get_json()
    assert (host["role"], member["role"]) == ("host", "participant")
    assert "role=MODERATOR" in host["url"] and "role=VIEWER" in member["url"]
    assert BBB_SECRET not in host["url"]
    with requests.Session() as browser:
        entered = browser.get(member["url"], allow_redirects=False)
    assert entered.status_code == 302 and "/html5client/join" in entered.headers["Location"]
    assert [a["fullName"] for a in bbb_server.meetings[meeting.video_room["external_id"]]["attendees"]] == ["Jo Member"]


def test_zoom_members_get_their_own_link_once(api, clock, zoom, make_group):
    group = make_group("zoom")
    run_video_job()
    meeting = group.meetings[0]
    clock.set("2026-10-19T22:50:00Z")
    member = api(group.people["enrolled"])
    first = member.get(f"/api/v1/meetings/{meeting.id}/join").get_json()
    again = member.get(f"/api/v1/meetings/{meeting.id}/join").get_json()
    host = api(group.leader).get(f"/api/v1/meetings/{meeting.id}/join").get_json()
    assert first == again and "/w/" in first["url"] and first["role"] == "participant"
    assert host == {"url": meeting.video_room["join_url"], "role": "host"}
    registrations = [r for r in zoom.requests if r.path.endswith("/registrants")]
    assert len(registrations) == 1 and registrations[0].json()["email"] == "jo@example.org"


def test_a_provider_down_stops_nothing_else(client, api, login, make_user, zoom, make_group):
    zoom.script("/", status=503, times=100)
    group = make_group("zoom")  # applying, accepting and withdrawing all worked
    run_video_job()
    login(group.people["enrolled"])
    home = client.get("/home").get_data(as_text=True)
    assert "The video link appears here before the meeting" in home
    assert client.get(f"/series/{group.series['id']}").status_code == 200
    assert api(None).get(f"/api/v1/series/{group.series['id']}").get_json()["meetings"][0]["video_ready"] is False
