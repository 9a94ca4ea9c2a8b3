"""Jitsi: unguessable room names, HS256 JWT links with the right claims, plain links without."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from balint_online.video.providers import Participant, Room, get_provider
from balint_online.video.providers.jitsi import JitsiProvider

APP_ID = "balint-app"
APP_SECRET = "jitsi-app-secret"
NOW = datetime(2031, 3, 5, 17, 0, tzinfo=UTC)
HOST = Participant(7, "Dr Ágnes Kovács", "agnes@example.org", "host")
MEMBER = Participant(8, "Bob Smith", "bob@example.org", "participant")


def decode_and_verify(token: str, secret: str) -> dict:
    """An independent HS256 check: signature over header.payload, then the claims."""
    def unb64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    header, payload, signature = token.split(".")
    expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(expected, unb64(signature)), "bad signature"
    assert json.loads(unb64(header)) == {"alg": "HS256", "typ": "JWT"}
    return json.loads(unb64(payload))


@pytest.fixture
def jwt_provider():
    settings = {"JITSI_BASE_URL": "https://video.example.org/", "JITSI_APP_ID": APP_ID, "JITSI_APP_SECRET": APP_SECRET}
    return JitsiProvider(settings, clock=lambda: NOW)


def test_room_names_are_unguessable_and_made_without_network(room_request):
    provider = get_provider("jitsi", {}, session=None)
    rooms = [provider.create_room(room_request) for _ in range(50)]
    names = {room.external_id for room in rooms}
    assert len(names) == 50
    for room in rooms:
        assert room.provider == "jitsi"
        assert room.external_id.startswith("balint-")
        random_part = room.external_id[len("balint-"):]
        assert len(random_part) >= 32 and random_part == random_part.lower()
        assert room.join_url == f"https://meet.jit.si/{room.external_id}"
        assert room.host_url is None
        assert room.data == {"ends_at": "2031-03-05T19:30:00Z"}


def test_plain_link_prefills_display_name(room_request):
    provider = get_provider("jitsi",
                            {"JITSI_BASE_URL": "https://video.example.org", "JITSI_ROOM_PREFIX": "Balint Online"})
    room = provider.create_room(room_request)
    assert room.external_id.startswith("balint-online-")
    url = provider.join_url(room, HOST)
    base, fragment = url.split("#")
    assert base == f"https://video.example.org/{room.external_id}"
    key, value = fragment.split("=", 1)
    assert key == "userInfo.displayName"
    assert json.loads(unquote(value)) == "Dr Ágnes Kovács"
    assert "jwt" not in url


def test_jwt_link_has_signed_claims_and_moderator_flag(jwt_provider, room_request):
    room = jwt_provider.create_room(room_request)
    host_url = jwt_provider.join_url(room, HOST)
    member_url = jwt_provider.join_url(room, MEMBER)

    parts = urlsplit(host_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"https://video.example.org/{room.external_id}"
    host_claims = decode_and_verify(parse_qs(parts.query)["jwt"][0], APP_SECRET)
    member_claims = decode_and_verify(parse_qs(urlsplit(member_url).query)["jwt"][0], APP_SECRET)

    assert host_claims["aud"] == "jitsi"
    assert host_claims["iss"] == APP_ID
    assert host_claims["sub"] == "video.example.org"
    assert host_claims["room"] == room.external_id
    assert host_claims["nbf"] <= NOW.timestamp() <= host_claims["exp"]
    meeting_end = datetime(2031, 3, 5, 19, 30, tzinfo=UTC)
    assert host_claims["exp"] == (meeting_end + timedelta(hours=3)).timestamp()
    assert host_claims["context"]["user"] == {"id": "7", "name": "Dr Ágnes Kovács", "email": "agnes@example.org",
                                              "moderator": True, "affiliation": "owner"}
    assert member_claims["context"]["user"]["moderator"] is False
    assert member_claims["context"]["user"]["affiliation"] == "member"
    assert member_claims["context"]["user"]["id"] == "8"

    with pytest.raises(AssertionError, match="bad signature"):
        decode_and_verify(parse_qs(parts.query)["jwt"][0], "another-secret")


def test_jwt_sub_and_grace_are_configurable(room_request):
    provider = JitsiProvider({"JITSI_APP_ID": APP_ID, "JITSI_APP_SECRET": APP_SECRET, "JITSI_JWT_SUB": "tenant1",
                              "JITSI_JWT_GRACE_MINUTES": "30"}, clock=lambda: NOW)
    room = provider.create_room(room_request)
    claims = decode_and_verify(provider.join_url(room, MEMBER).split("jwt=")[1], APP_SECRET)
    assert claims["sub"] == "tenant1"
    assert claims["exp"] == datetime(2031, 3, 5, 20, 0, tzinfo=UTC).timestamp()


def test_reschedule_moves_token_expiry_and_keeps_the_room(jwt_provider, room_request):
    room = jwt_provider.create_room(room_request)
    later = type(room_request)(room_request.key, room_request.series_title, room_request.topic,
                               room_request.starts_at + timedelta(days=7), 60, room_request.timezone)
    moved = jwt_provider.update_room(room, later)
    assert moved.external_id == room.external_id and moved.join_url == room.join_url
    assert moved.data["ends_at"] == "2031-03-12T19:00:00Z"
    claims = decode_and_verify(jwt_provider.join_url(moved, MEMBER).split("jwt=")[1], APP_SECRET)
    assert claims["exp"] == datetime(2031, 3, 12, 22, 0, tzinfo=UTC).timestamp()
    assert jwt_provider.delete_room(moved) is None


def test_stored_room_still_works_after_json_round_trip(jwt_provider, room_request):
    room = Room.from_dict(json.loads(json.dumps(jwt_provider.create_room(room_request).to_dict())))
    claims = decode_and_verify(jwt_provider.join_url(room, HOST).split("jwt=")[1], APP_SECRET)
    assert claims["room"] == room.external_id
    assert APP_SECRET not in json.dumps(room.to_dict())
