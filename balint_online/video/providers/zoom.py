"""Zoom, through a Server-to-Server OAuth app, plus verification of Zoom webhooks.

Meetings are scheduled (type 2) with a waiting room, no joining before the host,
no cloud recording, a random passcode and automatic registration approval. Members
get personal registrant links (POST /meetings/{id}/registrants); Zoom sends them no
e-mails, the platform shows the links. Hosts get the meeting's own join link: Zoom
recognises the host by their signed-in account (or host key). The start_url is not
used: it embeds a short-lived host token and would let whoever holds it start the
meeting as host.

Settings:
    ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET   required.
    ZOOM_OAUTH_URL   default "https://zoom.us/oauth/token".
    ZOOM_API_BASE    default "https://api.zoom.us/v2".
    ZOOM_HOST_USER   user whose meetings these are, default "me" (the app's owner).
The webhook secret token (e.g. ZOOM_WEBHOOK_SECRET_TOKEN) is passed by the
platform's webhook endpoint to `verify_zoom_webhook`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

import requests

from . import (
    Participant,
    ProviderError,
    Room,
    RoomRequest,
    http_timeout,
    provider_error,
    required_setting,
    response_error,
    send,
    setting,
    truncate,
    utc_z,
)

log = logging.getLogger(__name__)

NAME = "zoom"
DEFAULT_OAUTH_URL = "https://zoom.us/oauth/token"
DEFAULT_API_BASE = "https://api.zoom.us/v2"
# Renew a token this long before Zoom says it expires, so no call races its expiry.
TOKEN_EARLY_RENEWAL = 60.0
PASSCODE_LENGTH = 10  # Zoom's maximum
PASSCODE_ALPHABET = string.ascii_letters + string.digits
TOPIC_LIMIT = 200
AGENDA_LIMIT = 2000
NAME_LIMIT = 64
# Registrant error codes meaning "this account/meeting cannot take registrations":
# 200 = feature not available to the (unlicensed) host, 404 = registration not enabled.
REGISTRATION_UNAVAILABLE = {200, 404}
WEBHOOK_TOLERANCE = timedelta(minutes=5)


def _passcode() -> str:
    # Accounts may require both letters and digits in passcodes.
    while True:
        code = "".join(secrets.choice(PASSCODE_ALPHABET) for _ in range(PASSCODE_LENGTH))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def _error_code(response: requests.Response) -> int | None:
    """Zoom's own error code from an error answer ({"code": ..., "message": ...}), if any."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) else None


def _json(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise provider_error(NAME, what, retryable=False, status=response.status_code,
                             detail=f"unexpected answer: {truncate(response.text, 200)}")
    return body


class ZoomProvider:
    """Zoom meetings; see the module docstring for settings and choices.

    `clock` returns seconds on a monotonic scale (injectable for tests); it decides
    when the cached OAuth token is renewed.
    """

    name = NAME

    def __init__(self, settings: Mapping[str, object], session: requests.Session, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._account_id = required_setting(settings, "ZOOM_ACCOUNT_ID")
        self._client_id = required_setting(settings, "ZOOM_CLIENT_ID")
        self._client_secret = required_setting(settings, "ZOOM_CLIENT_SECRET")
        self._oauth_url = str(setting(settings, "ZOOM_OAUTH_URL", DEFAULT_OAUTH_URL))
        self._api_base = str(setting(settings, "ZOOM_API_BASE", DEFAULT_API_BASE)).rstrip("/")
        self._host_user = str(setting(settings, "ZOOM_HOST_USER", "me"))
        self._timeout = http_timeout(settings)
        self._session = session
        self._clock = clock
        self._token: str | None = None
        self._token_renew_at = 0.0
        self._token_lock = threading.Lock()

    # --- OAuth ---------------------------------------------------------------

    def _access_token(self, stale: str | None = None) -> str:
        """A valid access token, fetched only when none is cached, it is due for
        renewal, or the API just refused `stale`."""
        with self._token_lock:
            if self._token is not None and self._token != stale and self._clock() < self._token_renew_at:
                return self._token
            response = send(self._session, "POST", self._oauth_url, provider=NAME, what="OAuth token",
                            timeout=self._timeout, auth=(self._client_id, self._client_secret),
                            params={"grant_type": "account_credentials", "account_id": self._account_id})
            if response.status_code != 200:
                raise response_error(NAME, "OAuth token", response)
            body = _json(response, "OAuth token")
            token = body.get("access_token")
            if not isinstance(token, str) or not token:
                raise provider_error(NAME, "OAuth token", retryable=False, status=200,
                                     detail="answer without access_token")
            try:
                expires_in = float(body.get("expires_in", 3600))
            except (TypeError, ValueError):
                expires_in = 3600.0
            self._token = token
            self._token_renew_at = self._clock() + max(expires_in - TOKEN_EARLY_RENEWAL, expires_in / 2)
            return token

    def _api(self, method: str, path: str, what: str, body: Mapping[str, Any] | None = None) -> requests.Response:
        """Call the API; a 401 (token revoked or expired early) gets one fresh token and one retry."""
        token = self._access_token()
        response = self._send_api(method, path, what, token, body)
        if response.status_code == 401:
            response = self._send_api(method, path, what, self._access_token(stale=token), body)
        return response

    def _send_api(self, method: str, path: str, what: str, token: str,
                  body: Mapping[str, Any] | None) -> requests.Response:
        return send(self._session, method, self._api_base + path, provider=NAME, what=what, timeout=self._timeout,
                    headers={"Authorization": f"Bearer {token}"}, json=body)

    def _error(self, what: str, response: requests.Response) -> ProviderError:
        code = _error_code(response)
        return response_error(NAME, what, response, code=None if code is None else str(code))

    # --- meetings ------------------------------------------------------------

    @staticmethod
    def _schedule(req: RoomRequest) -> dict[str, Any]:
        return {"topic": req.topic[:TOPIC_LIMIT], "agenda": req.series_title[:AGENDA_LIMIT],
                "start_time": utc_z(req.starts_at), "duration": req.duration_minutes, "timezone": req.timezone}

    def create_room(self, req: RoomRequest) -> Room:
        passcode = _passcode()
        body = {**self._schedule(req), "type": 2, "password": passcode, "settings": {
            "waiting_room": True,
            "join_before_host": False,
            "approval_type": 0,  # automatic approval: registrants get personal links at once
            "registration_type": 1,
            "registrants_email_notification": False,  # the platform shows the links itself
            "registrants_confirmation_email": False,
            "auto_recording": "none",  # Balint groups are confidential
        }}
        what = "create meeting"
        response = self._api("POST", f"/users/{quote(self._host_user, safe='@')}/meetings", what, body)
        if response.status_code != 201:
            raise self._error(what, response)
        meeting = _json(response, what)
        if "id" not in meeting or not isinstance(meeting.get("join_url"), str):
            raise provider_error(NAME, what, retryable=False, status=201, detail="answer without id or join_url")
        return Room(provider=NAME, external_id=str(meeting["id"]), join_url=meeting["join_url"],
                    data={"uuid": str(meeting.get("uuid", "")), "passcode": str(meeting.get("password", passcode))})

    def update_room(self, room: Room, req: RoomRequest) -> Room:
        """PATCH the schedule. A meeting deleted on Zoom's side is created afresh (new id and links)."""
        what = "update meeting"
        response = self._api("PATCH", f"/meetings/{quote(room.external_id, safe='')}", what, self._schedule(req))
        if response.status_code in (200, 204):
            return room
        if response.status_code == 404:
            log.warning("zoom: meeting %s is gone; creating a new one for %s", room.external_id, req.key)
            return self.create_room(req)
        raise self._error(what, response)

    def delete_room(self, room: Room) -> None:
        what = "delete meeting"
        response = self._api("DELETE", f"/meetings/{quote(room.external_id, safe='')}", what)
        if response.status_code in (200, 204, 404):  # 404: already gone, which is what we want
            return
        raise self._error(what, response)

    def join_url(self, room: Room, who: Participant) -> str:
        """Hosts: the meeting link. Others: a personal registrant link (one API call).

        The platform should keep a person's link rather than register them on every
        click. If the account or meeting cannot take registrations, the meeting link is
        returned and a warning logged (Zoom then cannot tell participants apart).
        """
        if who.is_host:
            return room.join_url
        first, _, last = who.name.strip().partition(" ")
        body = {"email": who.email, "first_name": (first or who.email)[:NAME_LIMIT]}
        if last.strip():
            body["last_name"] = last.strip()[:NAME_LIMIT]
        what = "register participant"
        response = self._api("POST", f"/meetings/{quote(room.external_id, safe='')}/registrants", what, body)
        if response.status_code in (200, 201):
            registrant = _json(response, what)
            if not isinstance(registrant.get("join_url"), str):
                raise provider_error(NAME, what, retryable=False, status=response.status_code,
                                     detail="answer without join_url")
            return registrant["join_url"]
        if response.status_code in (400, 403, 404) and _error_code(response) in REGISTRATION_UNAVAILABLE:
            log.warning("zoom: meeting %s cannot take registrations (%s); giving user %s the meeting link, "
                        "so Zoom cannot tell who is who", room.external_id, truncate(response.text), who.user_id)
            return room.join_url
        raise self._error(what, response)


# --- webhooks ------------------------------------------------------------------

_SECONDS = re.compile(r"[0-9]{1,12}")
# 2100-01-01T00:00:00Z: no real event is later; larger numbers overflow datetime.
_LAST_EVENT_MS = 4_102_444_800_000


class WebhookRejected(Exception):
    """A webhook request that must not be trusted; `reason` says why (safe to log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _signature(secret_token: str, message: bytes) -> str:
    return hmac.new(secret_token.encode(), message, hashlib.sha256).hexdigest()


class HeaderItems(Protocol):
    """A request's headers: a mapping, or werkzeug's Headers (which is not one)."""

    def items(self) -> Iterable[tuple[str, str]]: ...


def verify_zoom_webhook(secret_token: str, headers: HeaderItems, raw_body: bytes,
                        now: datetime | None = None) -> dict[str, Any]:
    """Check a webhook's signature and freshness; return its JSON payload.

    Zoom signs "v0:{x-zm-request-timestamp}:{raw body}" with HMAC-SHA256 under the
    app's secret token and sends "v0=<hex>" in x-zm-signature. Requests whose
    timestamp is more than 5 minutes from `now` are refused as possible replays.
    Header names are matched case-insensitively. Raises WebhookRejected.
    """
    if not secret_token:
        raise WebhookRejected("webhook secret token not configured")
    lowered = {key.lower(): value for key, value in headers.items()}
    signature = lowered.get("x-zm-signature")
    timestamp = lowered.get("x-zm-request-timestamp")
    if not signature:
        raise WebhookRejected("missing x-zm-signature")
    if not timestamp:
        raise WebhookRejected("missing x-zm-request-timestamp")
    # Seconds since the epoch; bounded before arithmetic, since a huge number overflows a float.
    if not _SECONDS.fullmatch(timestamp):
        raise WebhookRejected("malformed x-zm-request-timestamp")
    sent_at = int(timestamp)
    now = now or datetime.now(UTC)
    if abs(now.timestamp() - sent_at) > WEBHOOK_TOLERANCE.total_seconds():
        raise WebhookRejected("timestamp outside the 5-minute window (possible replay)")
    expected = "v0=" + _signature(secret_token, b"v0:" + timestamp.encode() + b":" + raw_body)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise WebhookRejected("bad signature")
    try:
        payload = json.loads(raw_body)
    except (ValueError, RecursionError):
        raise WebhookRejected("body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookRejected("body is not a JSON object")
    return payload


def zoom_url_validation_response(secret_token: str, plain_token: str) -> dict[str, str]:
    """The answer to Zoom's endpoint.url_validation challenge (verify the request first)."""
    return {"plainToken": plain_token, "encryptedToken": _signature(secret_token, plain_token.encode())}


@dataclass(frozen=True)
class ParticipantEvent:
    """Someone joined or left a Zoom meeting.

    email is "" when Zoom does not know it (guests not signed in, unregistered).
    registrant_id is set for people who came in through a personal registrant link.
    meeting_uuid tells apart instances of the same meeting id.
    """

    kind: str  # "joined" | "left"
    meeting_external_id: str
    email: str
    name: str
    at: datetime  # aware UTC
    registrant_id: str | None = None
    meeting_uuid: str | None = None


_PARTICIPANT_EVENTS = {"meeting.participant_joined": ("joined", "join_time"),
                       "meeting.participant_left": ("left", "leave_time")}


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _from_millis(value: object) -> datetime | None:
    """event_ts (milliseconds since the epoch) as an instant; None when absent or beyond any real event."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= _LAST_EVENT_MS:
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


def is_participant_event(payload: Mapping[str, Any]) -> bool:
    return payload.get("event") in _PARTICIPANT_EVENTS


def parse_participant_event(payload: Mapping[str, Any]) -> ParticipantEvent | None:
    """A ParticipantEvent for meeting.participant_joined/left; None for any other event.

    A participant event too malformed to use is logged and also gives None.
    """
    event = payload.get("event")
    if event not in _PARTICIPANT_EVENTS:
        return None
    kind, time_field = _PARTICIPANT_EVENTS[event]
    body = payload.get("payload")
    meeting = body.get("object") if isinstance(body, dict) else None
    participant = meeting.get("participant") if isinstance(meeting, dict) else None
    # (a participant is found only in a dict meeting: the second test tells mypy so)
    if not isinstance(participant, dict) or not isinstance(meeting, dict) or meeting.get("id") in (None, ""):
        log.warning("zoom: %s event without meeting or participant", event)
        return None
    at = _parse_time(participant.get(time_field))
    if at is None:
        at = _from_millis(payload.get("event_ts"))
    if at is None:
        log.warning("zoom: %s event without a time", event)
        return None
    return ParticipantEvent(kind=kind, meeting_external_id=str(meeting["id"]),
                            email=str(participant.get("email") or ""), name=str(participant.get("user_name") or ""),
                            at=at, registrant_id=participant.get("registrant_id") or None,
                            meeting_uuid=meeting.get("uuid") or None)
