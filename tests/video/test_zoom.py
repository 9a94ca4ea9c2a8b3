"""Zoom client against the loopback fake: OAuth token caching, meetings, registrants, errors."""

import logging
import socket
import time
from datetime import timedelta

import pytest

from balint_online.video.providers import Participant, ProviderError, RoomRequest
from balint_online.video.providers.zoom import ZoomProvider

HOST = Participant(1, "Dr Ágnes Kovács", "agnes@example.org", "host")
MEMBER = Participant(2, "Bob van der Berg", "bob@example.org")


@pytest.fixture
def zoom(zoom_settings, session, fake_clock):
    return ZoomProvider(zoom_settings, session, clock=fake_clock)


def test_create_room_schedules_a_secure_meeting(zoom, zoom_server, room_request):
    room = zoom.create_room(room_request)
    meeting = zoom_server.meetings[int(room.external_id)]
    assert meeting["type"] == 2
    assert meeting["start_time"] == "2031-03-05T18:00:00Z"
    assert meeting["duration"] == 90
    assert meeting["timezone"] == "Europe/Budapest"
    assert meeting["topic"] == room_request.topic
    assert meeting["agenda"] == "Wednesday GPs"
    settings = meeting["settings"]
    assert settings["waiting_room"] is True and settings["join_before_host"] is False
    assert settings["approval_type"] == 0 and settings["registrants_email_notification"] is False
    assert settings["auto_recording"] == "none"
    assert 1 <= len(meeting["password"]) <= 10

    assert room.provider == "zoom"
    assert room.join_url == meeting["join_url"]
    assert room.host_url is None
    assert room.data == {"uuid": meeting["uuid"], "passcode": meeting["password"]}
    # The host-starting link is never kept.
    assert meeting["start_url"] not in str(room.to_dict())
    assert "zak=" not in str(room.to_dict())


def test_token_is_cached_then_renewed_after_expiry(zoom, zoom_server, fake_clock, room_request):
    first = zoom.create_room(room_request)
    zoom.update_room(first, room_request)
    zoom.join_url(first, MEMBER)
    assert zoom_server.tokens_issued == 1

    fake_clock.advance(zoom_server.expires_in - 120)
    zoom.create_room(room_request)
    assert zoom_server.tokens_issued == 1  # still well before expiry

    fake_clock.advance(90)  # inside the early-renewal margin
    zoom.create_room(room_request)
    assert zoom_server.tokens_issued == 2
    oauth_calls = [r for r in zoom_server.requests if r.path == "/oauth/token"]
    assert all(r.method == "POST" and r.params() == {"grant_type": "account_credentials", "account_id": "acct-123"}
               for r in oauth_calls)


def test_revoked_token_is_refreshed_once(zoom, zoom_server, room_request):
    room = zoom.create_room(room_request)
    zoom_server.revoke_tokens()
    assert zoom.join_url(room, MEMBER).startswith(zoom_server.url + "/w/")
    assert zoom_server.tokens_issued == 2

    zoom_server.script("/meetings", status=401, body={"code": 124, "message": "Invalid access token."}, times=2)
    with pytest.raises(ProviderError) as info:
        zoom.delete_room(room)
    assert info.value.status == 401 and not info.value.retryable
    assert zoom_server.tokens_issued == 3  # one refresh, not a loop


def test_bad_credentials_are_not_retryable(zoom_settings, session, room_request):
    zoom = ZoomProvider({**zoom_settings, "ZOOM_CLIENT_SECRET": "wrong"}, session)
    with pytest.raises(ProviderError) as info:
        zoom.create_room(room_request)
    assert info.value.status == 400 and not info.value.retryable
    assert "invalid_client" in info.value.detail


def test_reschedule_patches_the_meeting(zoom, zoom_server, room_request):
    room = zoom.create_room(room_request)
    later = RoomRequest(room_request.key, room_request.series_title, "New topic",
                        room_request.starts_at + timedelta(days=1, hours=1), 60, "Europe/London")
    assert zoom.update_room(room, later) == room
    meeting = zoom_server.meetings[int(room.external_id)]
    assert (meeting["start_time"], meeting["duration"], meeting["timezone"], meeting["topic"]) == \
        ("2031-03-06T19:00:00Z", 60, "Europe/London", "New topic")
    assert any(r.method == "PATCH" for r in zoom_server.requests)


def test_reschedule_of_a_meeting_deleted_on_zoom_creates_a_new_one(zoom, zoom_server, room_request):
    room = zoom.create_room(room_request)
    del zoom_server.meetings[int(room.external_id)]
    new_room = zoom.update_room(room, room_request)
    assert new_room.external_id != room.external_id
    assert int(new_room.external_id) in zoom_server.meetings


def test_delete_is_idempotent(zoom, zoom_server, room_request):
    room = zoom.create_room(room_request)
    zoom.delete_room(room)
    assert int(room.external_id) not in zoom_server.meetings
    zoom.delete_room(room)  # Zoom answers 404: already gone is fine


def test_members_get_personal_links_hosts_the_meeting_link(zoom, zoom_server, room_request):
    room = zoom.create_room(room_request)
    member_link = zoom.join_url(room, MEMBER)
    other_link = zoom.join_url(room, Participant(3, "Cleo", "cleo@example.org"))
    assert member_link.startswith(zoom_server.url + "/w/") and member_link != other_link
    assert zoom.join_url(room, MEMBER) == member_link  # same registration again
    registrant = zoom_server.registrants[int(room.external_id)]["bob@example.org"]
    assert (registrant["first_name"], registrant["last_name"]) == ("Bob", "van der Berg")
    assert "last_name" not in zoom_server.registrants[int(room.external_id)]["cleo@example.org"]

    registrations = len(zoom_server.registrants[int(room.external_id)])
    assert zoom.join_url(room, HOST) == room.join_url
    assert len(zoom_server.registrants[int(room.external_id)]) == registrations  # hosts are not registered


def test_meeting_without_registration_falls_back_with_a_warning(zoom, zoom_server, room_request, caplog):
    room = zoom.create_room(room_request)
    zoom_server.meetings[int(room.external_id)]["settings"]["approval_type"] = 2
    with caplog.at_level(logging.WARNING):
        assert zoom.join_url(room, MEMBER) == room.join_url
    assert "cannot take registrations" in caplog.text


def test_account_without_registration_falls_back(zoom, zoom_server, room_request, caplog):
    room = zoom.create_room(room_request)
    zoom_server.registration = False
    with caplog.at_level(logging.WARNING):
        assert zoom.join_url(room, MEMBER) == room.join_url
    assert "Only available for paid users" in caplog.text


def test_registering_for_a_missing_meeting_is_an_error(zoom, zoom_server, room_request):
    room = zoom.create_room(room_request)
    del zoom_server.meetings[int(room.external_id)]
    with pytest.raises(ProviderError) as info:
        zoom.join_url(room, MEMBER)
    assert (info.value.status, info.value.code, info.value.retryable) == (404, "3001", False)


@pytest.mark.parametrize("status, retryable", [(500, True), (502, True), (503, True), (429, True),
                                               (400, False), (403, False), (409, False)])
def test_http_errors_map_to_retryable(zoom, zoom_server, room_request, status, retryable):
    zoom_server.script("/meetings", status=status, body={"code": 9999, "message": f"status {status}"})
    with pytest.raises(ProviderError) as info:
        zoom.create_room(room_request)
    assert info.value.status == status
    assert info.value.retryable is retryable
    assert info.value.code == "9999"
    assert f"status {status}" in info.value.detail


def test_slow_answer_times_out_quickly_and_is_retryable(zoom, zoom_server, room_request):
    zoom.create_room(room_request)  # token fetched; only the meeting call is slow
    zoom_server.script("/meetings", delay=1.5)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        zoom.create_room(room_request)
    assert time.monotonic() - started < 1.0
    assert info.value.retryable and info.value.status is None


def test_unreachable_server_is_retryable(zoom_settings, session, room_request):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    zoom = ZoomProvider({**zoom_settings, "ZOOM_OAUTH_URL": f"http://127.0.0.1:{closed_port}/oauth/token"}, session)
    with pytest.raises(ProviderError) as info:
        zoom.create_room(room_request)
    assert info.value.retryable


def test_an_outage_is_retryable_and_a_later_attempt_succeeds(zoom, zoom_server, room_request):
    zoom_server.script("/meetings", status=503, body="upstream unavailable", times=2)
    for _ in range(2):
        with pytest.raises(ProviderError) as info:
            zoom.create_room(room_request)
        assert info.value.retryable
    room = zoom.create_room(room_request)
    assert int(room.external_id) in zoom_server.meetings
    assert len(zoom_server.meetings) == 1


def test_logs_and_errors_never_hold_credentials_or_tokens(zoom, zoom_server, zoom_settings, session, room_request,
                                                          caplog):
    caplog.set_level(logging.DEBUG)
    client_secret = zoom_settings["ZOOM_CLIENT_SECRET"]
    room = zoom.create_room(room_request)
    zoom_server.script("/registrants", status=500, body={"code": 1, "message": "boom"})
    with pytest.raises(ProviderError) as server_error:
        zoom.join_url(room, MEMBER)
    with pytest.raises(ProviderError) as auth_error:
        ZoomProvider({**zoom_settings, "ZOOM_CLIENT_SECRET": client_secret + "x"}, session).create_room(room_request)
    said = (caplog.text + str(server_error.value) + server_error.value.detail
            + str(auth_error.value) + auth_error.value.detail)
    assert "boom" in said and "invalid_client" in said
    assert client_secret not in said
    assert "Bearer" not in said and "Basic" not in said
    for token in zoom_server.tokens:
        assert token not in said
