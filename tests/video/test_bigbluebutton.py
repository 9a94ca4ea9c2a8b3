"""BigBlueButton client against the loopback fake, which verifies every checksum."""

import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from balint_online.video.providers import Participant, ProviderError, RoomRequest, get_provider
from balint_online.video.providers.bigbluebutton import Attendee

HOST = Participant(7, "Dr Ágnes Kovács", "agnes@example.org", "host")
MEMBER = Participant(8, "Bob & Co", "bob@example.org")


@pytest.fixture
def bbb(bbb_settings, session):
    return get_provider("bigbluebutton", bbb_settings, session)


def open_link(session, url):
    """Follow a join link as a browser would, stopping at BBB's redirect to its client."""
    return session.get(url, allow_redirects=False, timeout=2)


def test_create_room_creates_the_meeting(bbb, bbb_server, room_request):
    room = bbb.create_room(room_request)
    assert room.provider == "bigbluebutton"
    assert room.external_id == "balint-meeting-42"
    assert room.join_url == bbb_server.bbb_url and room.host_url is None
    assert room.data == {"name": room_request.topic, "series": "Wednesday GPs"}
    meeting = bbb_server.meetings["balint-meeting-42"]
    assert meeting["record"] == "false"
    assert meeting["meta"] == {"series": "Wednesday GPs"}
    assert meeting["name"] == room_request.topic
    # Creating again (a retried job) finds the same meeting.
    assert bbb.create_room(room_request) == room
    assert len(bbb_server.meetings) == 1


def test_join_links_are_signed_and_roles_differ(bbb, bbb_server, session, room_request):
    room = bbb.create_room(room_request)
    host_link, member_link = bbb.join_url(room, HOST), bbb.join_url(room, MEMBER)
    host_params = {k: v[0] for k, v in parse_qs(urlsplit(host_link).query).items()}
    member_params = {k: v[0] for k, v in parse_qs(urlsplit(member_link).query).items()}
    assert host_params["role"] == "MODERATOR" and member_params["role"] == "VIEWER"
    assert member_params["fullName"] == "Bob & Co" and member_params["userID"] == "8"
    assert member_params["createTime"] == bbb_server.meetings[room.external_id]["createTime"]
    assert member_params["redirect"] == "true"
    assert len(member_params["checksum"]) == 64  # sha256

    for link in (host_link, member_link):
        answer = open_link(session, link)
        assert answer.status_code == 302, answer.text
        assert "/html5client/join" in answer.headers["Location"]
    assert bbb_server.meetings[room.external_id]["attendees"] == [
        {"userID": "7", "fullName": "Dr Ágnes Kovács", "role": "MODERATOR"},
        {"userID": "8", "fullName": "Bob & Co", "role": "VIEWER"}]

    forged = host_link.replace("role=MODERATOR", "role=VIEWER")
    assert "checksumError" in open_link(session, forged).text
    promoted = member_link.replace("role=VIEWER", "role=MODERATOR")
    assert "checksumError" in open_link(session, promoted).text


def test_join_restarts_an_expired_meeting_and_old_links_stop_working(bbb, bbb_server, session, room_request):
    room = bbb.create_room(room_request)
    bbb_server.expire(room.external_id)  # nobody joined within minutes: BBB dropped it
    old_link = bbb.join_url(room, MEMBER)
    assert open_link(session, old_link).status_code == 302

    bbb_server.expire(room.external_id)  # everyone left; next week's instance starts afresh
    new_link = bbb.join_url(room, MEMBER)
    assert new_link != old_link
    assert "mismatchCreateTime" in open_link(session, old_link).text
    assert open_link(session, new_link).status_code == 302


def test_sha1_checksums_for_old_servers(bbb_settings, bbb_server, session, room_request):
    bbb = get_provider("bigbluebutton", {**bbb_settings, "BBB_CHECKSUM": "sha1"}, session)
    room = bbb.create_room(room_request)
    link = bbb.join_url(room, HOST)
    assert len(parse_qs(urlsplit(link).query)["checksum"][0]) == 40
    assert open_link(session, link).status_code == 302


def test_wrong_secret_is_a_non_retryable_checksum_error(bbb_settings, session, room_request):
    bbb = get_provider("bigbluebutton", {**bbb_settings, "BBB_SECRET": "wrong"}, session)
    with pytest.raises(ProviderError) as info:
        bbb.create_room(room_request)
    assert info.value.code == "checksumError" and not info.value.retryable
    assert "checksum security check" in info.value.detail


def test_update_changes_the_name_used_at_next_creation(bbb, bbb_server, room_request):
    room = bbb.create_room(room_request)
    requests_before = len(bbb_server.requests)
    renamed = RoomRequest(room_request.key, "Thursday GPs", "Moved meeting", room_request.starts_at, 60,
                          room_request.timezone)
    moved = bbb.update_room(room, renamed)
    assert len(bbb_server.requests) == requests_before  # nothing to tell BBB yet
    assert moved.external_id == room.external_id
    bbb_server.expire(room.external_id)
    bbb.join_url(moved, HOST)
    assert bbb_server.meetings[room.external_id]["name"] == "Moved meeting"
    assert bbb_server.meetings[room.external_id]["meta"] == {"series": "Thursday GPs"}


def test_delete_ends_the_meeting_and_not_running_is_fine(bbb, bbb_server, room_request, caplog):
    room = bbb.create_room(room_request)
    bbb.delete_room(room)
    assert room.external_id not in bbb_server.meetings
    with caplog.at_level(logging.WARNING):
        bbb.delete_room(room)  # BBB answers notFound: expected, so no warning either
    assert caplog.text == ""


@pytest.mark.parametrize("suffix", ["bigbluebutton", "bigbluebutton/api", "bigbluebutton/api/"])
def test_server_url_may_be_given_with_or_without_api(bbb_settings, bbb_server, session, room_request, suffix):
    bbb = get_provider("bigbluebutton", {**bbb_settings, "BBB_URL": f"{bbb_server.url}/{suffix}"}, session)
    assert bbb.create_room(room_request).external_id in bbb_server.meetings


def test_meeting_info_lists_attendees(bbb, bbb_server, session, room_request):
    room = bbb.create_room(room_request)
    open_link(session, bbb.join_url(room, HOST))
    open_link(session, bbb.join_url(room, MEMBER))
    info = bbb.meeting_info(room)
    assert info.running and info.create_time == bbb_server.meetings[room.external_id]["createTime"]
    assert info.attendees == (Attendee("7", "Dr Ágnes Kovács", "MODERATOR"), Attendee("8", "Bob & Co", "VIEWER"))
    bbb.delete_room(room)
    assert bbb.meeting_info(room) is None


@pytest.mark.parametrize("status, body, retryable", [
    (500, "Internal Server Error", True),
    (503, "Service Unavailable", True),
    (404, "Not Found", False),
    (200, "<html>maintenance</html", True),  # not XML: a proxy page
])
def test_http_and_garbled_answers(bbb, bbb_server, room_request, status, body, retryable):
    bbb_server.script("/create", status=status, body=body)
    with pytest.raises(ProviderError) as info:
        bbb.create_room(room_request)
    assert info.value.retryable is retryable


def test_slow_answer_times_out_quickly_and_retries_succeed(bbb, bbb_server, room_request):
    bbb_server.script("/create", delay=1.5)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        bbb.create_room(room_request)
    assert time.monotonic() - started < 1.0 and info.value.retryable

    bbb_server.script("/create", status=502, body="Bad Gateway", times=2)
    for _ in range(2):
        with pytest.raises(ProviderError) as info:
            bbb.create_room(room_request)
        assert info.value.retryable
    room = bbb.create_room(room_request)
    assert room.external_id in bbb_server.meetings


def test_logs_hold_neither_secret_nor_signed_urls(bbb_settings, bbb, bbb_server, session, room_request, caplog):
    caplog.set_level(logging.DEBUG, logger="balint_online")
    bbb_server.script("/create", delay=1.5)
    with pytest.raises(ProviderError) as timeout_error:
        bbb.create_room(room_request)
    with pytest.raises(ProviderError) as checksum_error:
        get_provider("bigbluebutton", {**bbb_settings, "BBB_SECRET": "wrong"}, session).create_room(room_request)
    said = caplog.text + str(timeout_error.value) + timeout_error.value.detail + checksum_error.value.detail
    assert "checksumError" in said
    assert bbb_settings["BBB_SECRET"] not in said and "checksum=" not in said
