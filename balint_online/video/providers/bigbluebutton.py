"""BigBlueButton (2.4 or later), through its checksum-signed API.

Every call is GET {BBB_URL}api/{call}?{query}&checksum=H(call + query + secret),
H being SHA-256 (or SHA-1 for old servers); answers are XML with a returncode.

BBB has no scheduled meetings: a meeting exists only from `create` until it ends,
and the server drops one that nobody joins within minutes. So:
  * create_room calls `create` once, which checks URL and secret early (the
    scheduler sees configuration errors and retries, not the first member), and
    keeps what re-creating needs (name, series) in Room.data;
  * update_room only updates Room.data: the new name is used the next time the
    meeting is created;
  * join_url calls `create` again, which BBB treats as idempotent for the same
    meetingID: it starts the meeting if it is not running, or returns the running
    one. The signed join link carries that instance's createTime, so a link from
    an earlier instance cannot open a later one;
  * delete_room calls `end` (a meeting that is not running is fine).
No moderator/attendee passwords are used: the join link's `role` decides.

Settings:
    BBB_URL              e.g. "https://bbb.example.org/bigbluebutton/" (required).
    BBB_SECRET           the server's shared secret (required).
    BBB_CHECKSUM         "sha256" (default), "sha1" for old servers; sha384/sha512 too.
    BBB_MEETING_PREFIX   start of meetingIDs, default "balint"; lets several
                         platform installations share one server.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from . import (
    Participant,
    ProviderConfigError,
    Room,
    RoomRequest,
    http_timeout,
    provider_error,
    required_setting,
    response_error,
    send,
    setting,
)

NAME = "bigbluebutton"
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
NOT_RUNNING = frozenset({"notFound"})


@dataclass(frozen=True)
class Attendee:
    user_id: str  # the platform user id given at join, as a string
    full_name: str
    role: str  # "MODERATOR" | "VIEWER"


@dataclass(frozen=True)
class MeetingInfo:
    running: bool
    create_time: str
    attendees: tuple[Attendee, ...]


def _api_base(url: str) -> str:
    base = url.rstrip("/")
    if base.endswith("/api"):
        base = base[: -len("/api")]
    return base + "/api/"


class BigBlueButtonProvider:
    """Meetings on a BigBlueButton server; see the module docstring for the lifecycle."""

    name = NAME

    def __init__(self, settings: Mapping[str, object], session: requests.Session) -> None:
        url = required_setting(settings, "BBB_URL")
        if not re.match(r"https?://[^/]+", url):
            raise ProviderConfigError("setting BBB_URL must be an http(s) URL")
        self.server_url = url if url.endswith("/") else url + "/"
        self._api_url = _api_base(url)
        self._secret = required_setting(settings, "BBB_SECRET")
        self._algorithm = str(setting(settings, "BBB_CHECKSUM", "sha256")).lower()
        if self._algorithm not in CHECKSUM_ALGORITHMS:
            raise ProviderConfigError(f"setting BBB_CHECKSUM must be one of {', '.join(CHECKSUM_ALGORITHMS)}")
        self._prefix = str(setting(settings, "BBB_MEETING_PREFIX", "balint"))
        self._timeout = http_timeout(settings)
        self._session = session

    def _signed_url(self, call: str, params: Mapping[str, str]) -> str:
        query = urlencode(params)
        checksum = hashlib.new(self._algorithm, (call + query + self._secret).encode()).hexdigest()
        return f"{self._api_url}{call}?{query}&checksum={checksum}"

    def _call(self, call: str, params: Mapping[str, str], tolerate: frozenset[str] = frozenset()) -> ET.Element | None:
        """Make an API call. A FAILED answer whose messageKey is in `tolerate` gives None;
        other FAILED answers become non-retryable ProviderErrors coded by messageKey."""
        response = send(self._session, "GET", self._signed_url(call, params), provider=NAME, what=call,
                        timeout=self._timeout)
        if response.status_code != 200:
            raise response_error(NAME, call, response)
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError:
            # Typically a proxy's error page in front of a server that is down.
            raise provider_error(NAME, call, retryable=True, status=200, detail=response.text) from None
        if root.findtext("returncode") == "SUCCESS":
            return root
        key = root.findtext("messageKey") or ""
        if key in tolerate:
            return None
        raise provider_error(NAME, call, retryable=False, status=200, code=key or None,
                             detail=f"{key}: {root.findtext('message') or ''}")

    def _create(self, meeting_id: str, name: str, series: str) -> str:
        """Create the meeting, or find it running; return its createTime."""
        params = {"meetingID": meeting_id, "name": name, "record": "false"}
        if series:
            params["meta_series"] = series
        root = self._call("create", params)
        assert root is not None  # nothing is tolerated: a FAILED answer raised
        create_time = root.findtext("createTime")
        if not create_time:
            raise provider_error(NAME, "create", retryable=False, status=200, detail="answer without createTime")
        return create_time

    def create_room(self, req: RoomRequest) -> Room:
        # Derived from the platform's key, so a retried create_room finds the same meeting.
        meeting_id = f"{self._prefix}-{req.key}"
        self._create(meeting_id, req.topic, req.series_title)
        return Room(provider=NAME, external_id=meeting_id, join_url=self.server_url,
                    data={"name": req.topic, "series": req.series_title})

    def update_room(self, room: Room, req: RoomRequest) -> Room:
        return room.with_data(name=req.topic, series=req.series_title)

    def delete_room(self, room: Room) -> None:
        self._call("end", {"meetingID": room.external_id}, tolerate=NOT_RUNNING)

    def join_url(self, room: Room, who: Participant) -> str:
        """A signed join link; calls `create` first so the meeting is running (see module docstring)."""
        create_time = self._create(room.external_id, room.data.get("name") or room.external_id,
                                   room.data.get("series", ""))
        return self._signed_url("join", {
            "fullName": who.name,
            "meetingID": room.external_id,
            "role": "MODERATOR" if who.is_host else "VIEWER",
            "userID": str(who.user_id),
            "createTime": create_time,
            "redirect": "true",
        })

    def meeting_info(self, room: Room) -> MeetingInfo | None:
        """Who is in the meeting now (getMeetingInfo), for attendance; None if it is not running."""
        root = self._call("getMeetingInfo", {"meetingID": room.external_id}, tolerate=NOT_RUNNING)
        if root is None:
            return None
        attendees = tuple(
            Attendee(user_id=a.findtext("userID") or "", full_name=a.findtext("fullName") or "",
                     role=a.findtext("role") or "")
            for a in root.iterfind("attendees/attendee"))
        return MeetingInfo(running=root.findtext("running") == "true", create_time=root.findtext("createTime") or "",
                           attendees=attendees)
