"""Video provider clients: one small interface over Jitsi, Zoom and BigBlueButton.

Plain Python (no Flask, no database). The platform asks a provider for a room per
meeting (`create_room`), moves it (`update_room`), cancels it (`delete_room`) and
hands each entitled person a personal link (`join_url`). What it stores per meeting
is a `Room`, which never holds secrets: credentials live only in the settings
mapping given to `get_provider`.

Errors from a provider are `ProviderError`; `retryable` says whether trying again
later can help (network trouble, timeouts, HTTP 5xx/429) or not (HTTP 4xx, an
answer refusing the request). `retry_delay` gives the scheduler's back-off.

Common settings:
    VIDEO_HTTP_TIMEOUT  seconds, or a (connect, read) pair; default 10.
Provider settings are listed in each provider module.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from ...core.videoproviders import PROVIDER_NAMES, PROVIDERS, ProviderSpec

log = logging.getLogger(__name__)

HOST = "host"
PARTICIPANT = "participant"
ROLES = (HOST, PARTICIPANT)

DEFAULT_HTTP_TIMEOUT = 10.0
# Enough of a provider's answer to diagnose a failure, short enough for a log line.
DETAIL_LIMIT = 500


@dataclass(frozen=True)
class RoomRequest:
    """What the platform wants a room for: one meeting of a series.

    key               stable id of the meeting on the platform, e.g. "meeting-42";
                      not secret, not used to make anything unguessable.
    series_title      the series' title (some providers show or tag it).
    topic             e.g. "Balint group: Title — meeting 3 of 8".
    starts_at         aware datetime; normalised to UTC.
    duration_minutes  positive whole minutes.
    timezone          the series' IANA zone, e.g. "Europe/Budapest".
    """

    key: str
    series_title: str
    topic: str
    starts_at: datetime
    duration_minutes: int
    timezone: str

    def __post_init__(self) -> None:
        # BigBlueButton meeting ids may not contain commas; whitespace makes ids ambiguous.
        if not self.key or any(c.isspace() or c == "," for c in self.key):
            raise ValueError("key must be non-empty, without whitespace or commas")
        if self.starts_at.tzinfo is None or self.starts_at.utcoffset() is None:
            raise ValueError("starts_at must be timezone-aware")
        object.__setattr__(self, "starts_at", self.starts_at.astimezone(UTC))
        if isinstance(self.duration_minutes, bool) or not isinstance(self.duration_minutes, int) \
                or self.duration_minutes <= 0:
            raise ValueError("duration_minutes must be a positive int")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Room:
    """What the platform stores per meeting; JSON-safe via `to_dict`/`from_dict`.

    Never holds secrets. `join_url` and `data` may be shown to entitled people only.

    provider     provider name, as given to `get_provider`.
    external_id  the provider's id (Jitsi room name, Zoom meeting id, BBB meetingID).
    join_url     the meeting's shared link where the provider has one (Jitsi room,
                 Zoom meeting link incl. passcode); for BigBlueButton, which only has
                 personal signed links, the server's base URL. Send people in with
                 `VideoProvider.join_url`, never with this field directly.
    host_url     None for every current provider: hosts get their link from
                 `join_url(room, host)`. (Zoom's start_url is deliberately not kept:
                 it carries a host token that expires and starts the meeting as host.)
    data         provider-specific, non-secret strings (e.g. Zoom passcode and uuid,
                 Jitsi end time, BBB meeting name).
    """

    provider: str
    external_id: str
    join_url: str
    host_url: str | None = None
    data: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        data = dict(self.data)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise TypeError("Room.data must map str to str")
        # Read-only view so a stored Room cannot be changed behind the platform's back.
        object.__setattr__(self, "data", MappingProxyType(data))

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "external_id": self.external_id, "join_url": self.join_url,
                "host_url": self.host_url, "data": dict(self.data)}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Room:
        return cls(provider=value["provider"], external_id=value["external_id"], join_url=value["join_url"],
                   host_url=value.get("host_url"), data=value.get("data") or {})

    def with_data(self, **changes: str) -> Room:
        return replace(self, data={**self.data, **changes})


@dataclass(frozen=True)
class Participant:
    """Someone the platform lets in: an enrolled member or one of the series' leaders."""

    user_id: int
    name: str
    email: str
    role: str = PARTICIPANT  # HOST or PARTICIPANT

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")

    @property
    def is_host(self) -> bool:
        return self.role == HOST


class ProviderError(Exception):
    """A provider call failed.

    retryable  True for network errors, timeouts, HTTP 5xx and 429; False otherwise.
    status     HTTP status when there was an answer, else None.
    code       the provider's own error code if it gave one (Zoom "code", BBB messageKey).
    detail     the provider's answer, truncated; never tokens or secrets.
    """

    def __init__(self, message: str, *, provider: str, retryable: bool, status: int | None = None,
                 detail: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.retryable = retryable
        self.status = status
        self.detail = detail
        self.code = code


class ProviderConfigError(ValueError):
    """Unknown provider or missing/invalid setting. Messages name settings, never their values."""


@runtime_checkable
class VideoProvider(Protocol):
    """What every provider offers. Constructed by `get_provider`."""

    name: str

    def create_room(self, req: RoomRequest) -> Room:
        """Make a room for a meeting; the platform stores the returned Room."""

    def update_room(self, room: Room, req: RoomRequest) -> Room:
        """Reschedule/rename; store the returned Room (it may differ from the old one)."""

    def delete_room(self, room: Room) -> None:
        """Cancel; a room already gone on the provider is not an error."""

    def join_url(self, room: Room, who: Participant) -> str:
        """A personal link for an entitled person. May call the provider."""


SETTING_PREFIXES = ("VIDEO_", *(spec.settings_prefix for spec in PROVIDERS.values()))


def spec_of(name: str) -> ProviderSpec:
    """The provider called `name`; ProviderConfigError naming the known ones otherwise."""
    try:
        return PROVIDERS[name]
    except (KeyError, TypeError):
        raise ProviderConfigError(f"unknown video provider {name!r}; known: {', '.join(PROVIDER_NAMES)}") from None


def provider_settings(config: Mapping[str, object]) -> dict[str, object]:
    """The settings every provider client reads, from the app's configuration."""
    return {key: value for key, value in config.items() if key.startswith(SETTING_PREFIXES)}


def get_provider(name: str, settings: Mapping[str, object],
                 session: requests.Session | None = None) -> VideoProvider:
    """The provider called `name` ("jitsi", "zoom", "bigbluebutton"), configured from `settings`.

    All its HTTP goes through `session` (a new one if None). Raises ProviderConfigError
    for an unknown name or missing settings.
    """
    spec = spec_of(name)
    module = importlib.import_module(f".{spec.module}", __name__)
    return getattr(module, spec.client)(settings, session or requests.Session())


def setting(settings: Mapping[str, object], name: str, default: Any = None) -> Any:
    """A setting's value; empty strings count as unset (environment variables are often "")."""
    value = settings.get(name)
    return default if value is None or value == "" else value


def required_setting(settings: Mapping[str, object], name: str) -> str:
    value = setting(settings, name)
    if value is None:
        raise ProviderConfigError(f"setting {name} is required")
    return str(value)


def http_timeout(settings: Mapping[str, object]) -> float | tuple[float, float]:
    """VIDEO_HTTP_TIMEOUT as requests expects it: seconds, or a (connect, read) pair."""
    value = setting(settings, "VIDEO_HTTP_TIMEOUT", DEFAULT_HTTP_TIMEOUT)
    try:
        if isinstance(value, (tuple, list)):
            connect, read = (float(v) for v in value)
            return connect, read
        return float(value)
    except (TypeError, ValueError):
        raise ProviderConfigError("setting VIDEO_HTTP_TIMEOUT must be seconds or a (connect, read) pair") from None


def truncate(text: str, limit: int = DETAIL_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def provider_error(provider: str, what: str, *, retryable: bool, status: int | None = None,
                   detail: str = "", code: str | None = None) -> ProviderError:
    """Log a failed call and build its error. Callers pass only provider answers, never secrets."""
    detail = truncate(detail)
    where = f"HTTP {status}" if status is not None else "no answer"
    log.warning("%s: %s failed (%s, code %s): %s", provider, what, where, code, detail)
    return ProviderError(f"{provider}: {what} failed ({where})", provider=provider, retryable=retryable,
                         status=status, detail=detail, code=code)


def response_error(provider: str, what: str, response: requests.Response, code: str | None = None) -> ProviderError:
    """The error for an HTTP answer that is not a success: 5xx and 429 are retryable, the rest not."""
    status = response.status_code
    return provider_error(provider, what, retryable=status >= 500 or status == 429, status=status,
                          detail=response.text, code=code)


def send(session: requests.Session, method: str, url: str, *, provider: str, what: str,
         timeout: float | tuple[float, float], **kwargs: Any) -> requests.Response:
    """One HTTP request with a timeout; transport failures become ProviderError.

    Any HTTP answer is returned as is: each provider knows which statuses are fine.
    """
    try:
        return session.request(method, url, timeout=timeout, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        # `from None`: requests' message repeats the full URL, which is signed for BBB.
        raise provider_error(provider, what, retryable=True, detail=type(exc).__name__) from None
    except requests.RequestException as exc:
        raise provider_error(provider, what, retryable=False, detail=type(exc).__name__) from None


RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)


def retry_delay(attempt: int) -> timedelta:
    """How long the scheduler waits after failed attempt number `attempt` (1-based).

    1 min, 2, 4, 8, ... capped at 1 hour; deterministic so schedules are testable.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    # Bounding the exponent keeps huge attempt numbers from building huge timedeltas.
    return min(RETRY_BASE * 2 ** min(attempt - 1, 10), RETRY_CAP)


def utc_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: what Zoom expects and what Room.data keeps."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
