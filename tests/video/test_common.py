"""The shared interface: value types, registry, settings, error mapping, back-off."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from balint_online.core.videoproviders import PROVIDER_NAMES
from balint_online.video.providers import (
    Participant,
    ProviderConfigError,
    Room,
    RoomRequest,
    VideoProvider,
    get_provider,
    http_timeout,
    provider_settings,
    retry_delay,
)
from balint_online.video.providers.bigbluebutton import BigBlueButtonProvider
from balint_online.video.providers.jitsi import JitsiProvider
from balint_online.video.providers.zoom import ZoomProvider


def test_room_request_normalises_to_utc_and_validates():
    budapest = timezone(timedelta(hours=1))
    req = RoomRequest("meeting-1", "S", "T", datetime(2031, 1, 1, 19, 0, tzinfo=budapest), 60, "Europe/Budapest")
    assert req.starts_at == datetime(2031, 1, 1, 18, 0, tzinfo=UTC)
    assert req.starts_at.tzinfo is UTC
    assert req.ends_at == datetime(2031, 1, 1, 19, 0, tzinfo=UTC)
    good = dict(key="m-1", series_title="S", topic="T", starts_at=req.starts_at, duration_minutes=60,
                timezone="Europe/Budapest")
    for bad in ({"starts_at": datetime(2031, 1, 1)}, {"duration_minutes": 0}, {"duration_minutes": True},
                {"timezone": "Mars/Olympus"}, {"timezone": ""}, {"key": ""}, {"key": "a,b"}, {"key": "a b"}):
        with pytest.raises(ValueError):
            RoomRequest(**{**good, **bad})


def test_room_round_trips_through_json_and_is_read_only():
    room = Room("zoom", "812", "https://zoom.example/j/812?pwd=x", None, {"uuid": "u==", "passcode": "Ab3"})
    again = Room.from_dict(json.loads(json.dumps(room.to_dict())))
    assert again == room
    assert again.data["passcode"] == "Ab3"
    with pytest.raises(TypeError):
        room.data["passcode"] = "changed"
    with pytest.raises(TypeError):
        Room("zoom", "1", "u", None, {"n": 1})
    assert room.with_data(uuid="v").data == {"uuid": "v", "passcode": "Ab3"}
    assert room.data["uuid"] == "u=="


def test_participant_roles():
    assert Participant(1, "A", "a@example.org", "host").is_host
    assert not Participant(2, "B", "b@example.org").is_host
    with pytest.raises(ValueError):
        Participant(3, "C", "c@example.org", "admin")


def test_registry_builds_each_provider(session):
    settings = {"ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "b", "ZOOM_CLIENT_SECRET": "c",
                "BBB_URL": "https://bbb.example.org/bigbluebutton/", "BBB_SECRET": "s"}
    kinds = {"jitsi": JitsiProvider, "zoom": ZoomProvider, "bigbluebutton": BigBlueButtonProvider}
    # Every provider's class is checked against its spec in test_provider_registry.py; these three with settings.
    assert set(kinds) <= set(PROVIDER_NAMES)
    for name, kind in kinds.items():
        provider = get_provider(name, settings, session)
        assert isinstance(provider, kind)
        assert isinstance(provider, VideoProvider)
        assert provider.name == name
    assert isinstance(get_provider("jitsi", {}), JitsiProvider)  # makes its own session


def test_registry_refuses_unknown_provider_and_missing_settings():
    with pytest.raises(ProviderConfigError, match="unknown video provider"):
        get_provider("skype", {})
    with pytest.raises(ProviderConfigError, match="ZOOM_CLIENT_SECRET"):
        get_provider("zoom", {"ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "b", "ZOOM_CLIENT_SECRET": ""})
    with pytest.raises(ProviderConfigError, match="BBB_SECRET"):
        get_provider("bigbluebutton", {"BBB_URL": "https://bbb.example.org/bigbluebutton/"})
    with pytest.raises(ProviderConfigError, match="BBB_CHECKSUM"):
        get_provider("bigbluebutton", {"BBB_URL": "https://b.example/bigbluebutton/", "BBB_SECRET": "s",
                                       "BBB_CHECKSUM": "md5"})
    with pytest.raises(ProviderConfigError, match="together"):
        get_provider("jitsi", {"JITSI_APP_ID": "app"})


def test_http_timeout_setting():
    assert http_timeout({}) == 10.0
    assert http_timeout({"VIDEO_HTTP_TIMEOUT": "2.5"}) == 2.5
    assert http_timeout({"VIDEO_HTTP_TIMEOUT": [3, 20]}) == (3.0, 20.0)
    with pytest.raises(ProviderConfigError):
        http_timeout({"VIDEO_HTTP_TIMEOUT": "soon"})


def test_retry_delay_doubles_up_to_an_hour():
    minutes = [retry_delay(n) / timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry_delay(10_000) == timedelta(hours=1)
    with pytest.raises(ValueError):
        retry_delay(0)


def test_every_setting_with_a_provider_s_prefix_reaches_the_clients():
    config = {"ZOOM_ACCOUNT_ID": "a", "ZOOM_SOMETHING_NEW": "b", "BBB_URL": "c", "JITSI_APP_ID": "d",
              "VIDEO_HTTP_TIMEOUT": 5, "SECRET_KEY": "never", "STRIPE_SECRET_KEY": "never"}
    assert provider_settings(config) == {k: v for k, v in config.items() if v != "never"}
