"""Jitsi Meet: the default provider; needs no account and makes no network calls.

A room is just an unguessable name on a Jitsi server. On a server with token
authentication (prosody `token` auth, shared-secret HS256), personal links carry a
JWT naming the person and whether they moderate; without it the room name is the
only protection, and the link just pre-fills the display name.

Settings:
    JITSI_BASE_URL               server, default "https://meet.jit.si".
    JITSI_ROOM_PREFIX            start of room names, default "balint".
    JITSI_APP_ID, JITSI_APP_SECRET
                                 both or neither; when set, links carry a JWT
                                 (iss = app id, signed with the secret).
    JITSI_JWT_SUB                JWT "sub", default the server's host name.
    JITSI_JWT_AUD                JWT "aud", default "jitsi".
    JITSI_JWT_GRACE_MINUTES      tokens expire this long after the meeting's end,
                                 default 180.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import requests

from . import Participant, ProviderConfigError, Room, RoomRequest, setting, utc_z

DEFAULT_BASE_URL = "https://meet.jit.si"
DEFAULT_PREFIX = "balint"
DEFAULT_GRACE_MINUTES = 180
# Tolerates a server clock a little ahead of ours when it checks "nbf".
CLOCK_SKEW = timedelta(minutes=1)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def encode_hs256(claims: Mapping[str, object], secret: str) -> str:
    """A compact JWT signed with HMAC-SHA256 (RFC 7519)."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def _random_part() -> str:
    # Jitsi lower-cases room names, so mixed-case randomness would partly collapse:
    # 20 random bytes in lower-case base32 keep all 160 bits.
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()


class JitsiProvider:
    """Rooms on a Jitsi Meet server; see the module docstring for settings."""

    name = "jitsi"

    def __init__(self, settings: Mapping[str, object], session: requests.Session | None = None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        # `session` is accepted for the common constructor; Jitsi needs no HTTP.
        self.base_url = str(setting(settings, "JITSI_BASE_URL", DEFAULT_BASE_URL)).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProviderConfigError("setting JITSI_BASE_URL must be an http(s) URL")
        prefix = re.sub(r"[^a-z0-9]+", "-", str(setting(settings, "JITSI_ROOM_PREFIX", DEFAULT_PREFIX)).lower())
        self.prefix = prefix.strip("-") or DEFAULT_PREFIX
        app_id, app_secret = setting(settings, "JITSI_APP_ID"), setting(settings, "JITSI_APP_SECRET")
        if (app_id is None) != (app_secret is None):
            raise ProviderConfigError("settings JITSI_APP_ID and JITSI_APP_SECRET must be set together")
        self._app_id = None if app_id is None else str(app_id)
        self._app_secret = None if app_secret is None else str(app_secret)
        self._sub = str(setting(settings, "JITSI_JWT_SUB", parts.hostname))
        self._aud = str(setting(settings, "JITSI_JWT_AUD", "jitsi"))
        try:
            self._grace = timedelta(minutes=int(setting(settings, "JITSI_JWT_GRACE_MINUTES", DEFAULT_GRACE_MINUTES)))
        except (TypeError, ValueError):
            raise ProviderConfigError("setting JITSI_JWT_GRACE_MINUTES must be whole minutes") from None
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def uses_jwt(self) -> bool:
        return self._app_secret is not None

    def create_room(self, req: RoomRequest) -> Room:
        room_name = f"{self.prefix}-{_random_part()}"
        return Room(provider=self.name, external_id=room_name, join_url=f"{self.base_url}/{room_name}",
                    data={"ends_at": utc_z(req.ends_at)})

    def update_room(self, room: Room, req: RoomRequest) -> Room:
        # Same room; only the end time that bounds token lifetimes moves.
        return room.with_data(ends_at=utc_z(req.ends_at))

    def delete_room(self, room: Room) -> None:
        """Nothing to do: a Jitsi room exists only while people are in it."""

    def join_url(self, room: Room, who: Participant) -> str:
        if self.uses_jwt:
            return f"{room.join_url}?jwt={self._token(room, who)}"
        # Jitsi reads hash parameters as JSON values, hence the quoted string.
        return f"{room.join_url}#userInfo.displayName={quote(json.dumps(who.name, ensure_ascii=False))}"

    def _token(self, room: Room, who: Participant) -> str:
        now = self._clock()
        ends_at = datetime.fromisoformat(room.data["ends_at"])
        claims = {
            "aud": self._aud,
            "iss": self._app_id,
            "sub": self._sub,
            "room": room.external_id,
            "iat": int(now.timestamp()),
            "nbf": int((now - CLOCK_SKEW).timestamp()),
            "exp": int((ends_at + self._grace).timestamp()),
            "context": {"user": {
                "id": str(who.user_id),
                "name": who.name,
                "email": who.email,
                "moderator": who.is_host,
                # Read by the widely used token_affiliation prosody plugin on self-hosted servers.
                "affiliation": "owner" if who.is_host else "member",
            }},
        }
        assert self._app_secret is not None  # only with uses_jwt
        return encode_hs256(claims, self._app_secret)
