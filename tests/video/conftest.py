"""Fixtures for the video provider tests: loopback fakes, settings, a meeting request."""

from datetime import UTC, datetime

import pytest
import requests

from balint_online.video.providers import RoomRequest

from .fakes import FakeBBB, FakeZoom

ZOOM_ACCOUNT = "acct-123"
ZOOM_CLIENT_ID = "client-id-abc"
ZOOM_CLIENT_SECRET = "client-secret-do-not-log"
BBB_SECRET = "bbb-shared-secret-do-not-log"
# Short enough that the slow-answer tests finish quickly, long enough for loopback.
FAST_TIMEOUT = 0.3


class FakeClock:
    """Monotonic seconds that tests move forward by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture
def fake_clock():
    """A settable clock for the provider clients (the app's own is the `clock` fixture)."""
    return FakeClock()


@pytest.fixture
def zoom_server():
    with FakeZoom(ZOOM_ACCOUNT, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET) as fake:
        yield fake


@pytest.fixture
def zoom_settings(zoom_server):
    return {"ZOOM_ACCOUNT_ID": ZOOM_ACCOUNT, "ZOOM_CLIENT_ID": ZOOM_CLIENT_ID,
            "ZOOM_CLIENT_SECRET": ZOOM_CLIENT_SECRET, "ZOOM_OAUTH_URL": zoom_server.oauth_url,
            "ZOOM_API_BASE": zoom_server.api_base, "VIDEO_HTTP_TIMEOUT": FAST_TIMEOUT}


@pytest.fixture
def bbb_server():
    with FakeBBB(BBB_SECRET) as fake:
        yield fake


@pytest.fixture
def bbb_settings(bbb_server):
    return {"BBB_URL": bbb_server.bbb_url, "BBB_SECRET": BBB_SECRET, "VIDEO_HTTP_TIMEOUT": FAST_TIMEOUT}


@pytest.fixture
def room_request():
    return RoomRequest(key="meeting-42", series_title="Wednesday GPs",
                       topic="Balint group: Wednesday GPs — meeting 3 of 8",
                       starts_at=datetime(2031, 3, 5, 18, 0, tzinfo=UTC), duration_minutes=90,
                       timezone="Europe/Budapest")
