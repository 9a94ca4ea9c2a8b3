"""Loopback HTTP fakes of the Zoom and BigBlueButton APIs, for the provider client tests.

Each fake is a real http.server.ThreadingHTTPServer on 127.0.0.1 in a thread (a new one for
each test, on the port the last fake of its kind had when that is free), implementing the
documented contract closely enough to catch client mistakes: Zoom's OAuth token endpoint and
meeting endpoints, BigBlueButton's checksum-signed create/join/end/getMeetingInfo. Tests can
script failures and slow answers with `FakeServer.script`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: str  # raw, as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.query, keep_blank_values=True).items()}

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int
    body: bytes | str | dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class _Scripted:
    path_contains: str
    status: int | None
    body: bytes | str | dict | None
    delay: float
    times: int


class _Handler(BaseHTTPRequestHandler):
    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, parts.query,
                          {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
        reply = self.server.fake.handle(request)
        body = reply.body
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        body = body or b""
        self.send_response(reply.status)
        if body:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _dispatch

    def log_message(self, format, *args) -> None:  # noqa: A002 - signature from the base class
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that timed out hangs up while a slow handler is still sleeping.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


_PORTS: dict[str, int] = {}  # a kind of fake -> the port its last one listened on, in this test process


class FakeServer:
    """A loopback server in a thread; subclasses implement `route`. Use as a context manager."""

    def __init__(self) -> None:
        self._server = self._bind()
        self._server.fake = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval keeps shutdown (once per test) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self._script: list[_Scripted] = []

    def _bind(self) -> _Server:
        """On the last port of this kind of fake when it is free: each test's settings (the fake's URL) then
        match the last test's, so set-up built for one is put back for the next (tests/snapshots.py)."""
        kind = type(self).__name__
        try:
            server = _Server(("127.0.0.1", _PORTS.get(kind, 0)), _Handler)
        except OSError:  # taken meanwhile by something else: any free port is as right, only slower
            server = _Server(("127.0.0.1", 0), _Handler)
        _PORTS[kind] = server.server_address[1]
        return server

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, path_contains: str, *, status: int | None = None, body=None, delay: float = 0.0,
               times: int = 1) -> None:
        """The next `times` requests whose path contains `path_contains` wait `delay`
        seconds, then get `status`/`body` instead of the normal answer (if status is given)."""
        with self.lock:
            self._script.append(_Scripted(path_contains, status, body, delay, times))

    def _scripted(self, request: Request) -> _Scripted | None:
        with self.lock:
            for entry in self._script:
                if entry.path_contains in request.path:
                    entry.times -= 1
                    if entry.times == 0:
                        self._script.remove(entry)
                    return entry
        return None

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
        entry = self._scripted(request)
        if entry is not None:
            time.sleep(entry.delay)
            if entry.status is not None:
                return Reply(entry.status, entry.body)
        with self.lock:
            return self.route(request)

    def route(self, request: Request) -> Reply:
        raise NotImplementedError


# --- Zoom ----------------------------------------------------------------------

ZOOM_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
PASSCODE = re.compile(r"[A-Za-z0-9@_*-]{1,10}\Z")


class FakeZoom(FakeServer):
    """Server-to-Server OAuth at /oauth/token and meetings under /v2.

    tokens_issued counts access tokens handed out; revoke_tokens() makes all current
    tokens invalid (as when Zoom expires one early). With registration=False the
    account is not licensed for registration.
    """

    def __init__(self, account_id: str, client_id: str, client_secret: str, *, expires_in: int = 3599,
                 registration: bool = True) -> None:
        super().__init__()
        self.account_id = account_id
        self._basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.expires_in = expires_in
        self.registration = registration
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.meetings: dict[int, dict] = {}
        self.registrants: dict[int, dict[str, dict]] = {}
        self._next_id = 81234567890

    @property
    def oauth_url(self) -> str:
        return self.url + "/oauth/token"

    @property
    def api_base(self) -> str:
        return self.url + "/v2"

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def route(self, request: Request) -> Reply:
        if request.path == "/oauth/token":
            return self._token(request) if request.method == "POST" else Reply(405)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[len("Bearer "):] not in self.tokens:
            return Reply(401, {"code": 124, "message": "Invalid access token."})
        routes = [
            ("POST", r"/v2/users/([^/]+)/meetings", self._create),
            ("PATCH", r"/v2/meetings/(\d+)", self._update),
            ("DELETE", r"/v2/meetings/(\d+)", self._delete),
            ("POST", r"/v2/meetings/(\d+)/registrants", self._register),
        ]
        for method, pattern, handler in routes:
            match = re.fullmatch(pattern, request.path)
            if match and request.method == method:
                return handler(request, match.group(1))
        return Reply(404, {"code": 404, "message": "Not found"})

    def _token(self, request: Request) -> Reply:
        if request.headers.get("authorization") != self._basic:
            return Reply(400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
        params = request.params()
        if params.get("grant_type") != "account_credentials":
            return Reply(400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"})
        if params.get("account_id") != self.account_id:
            return Reply(400, {"reason": "Invalid account_id", "error": "invalid_request"})
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        self.tokens_issued += 1
        return Reply(200, {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in,
                           "scope": "meeting:write:admin", "api_url": "https://api.zoom.us"})

    def _missing(self, meeting_id: int) -> Reply:
        return Reply(404, {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."})

    @staticmethod
    def _invalid(field_name: str) -> Reply:
        return Reply(400, {"code": 300, "message": "Validation Failed.",
                           "errors": [{"field": field_name, "message": "Invalid field."}]})

    def _check_schedule(self, body: dict, partial: bool) -> Reply | None:
        checks = {
            "topic": lambda v: isinstance(v, str) and len(v) <= 200,
            "agenda": lambda v: isinstance(v, str) and len(v) <= 2000,
            "start_time": lambda v: isinstance(v, str) and ZOOM_TIME.match(v),
            "duration": lambda v: isinstance(v, int) and v > 0,
            "timezone": lambda v: isinstance(v, str) and "/" in v,
            "type": lambda v: v in (1, 2, 3, 8),
            "password": lambda v: isinstance(v, str) and PASSCODE.match(v),
            "settings": lambda v: isinstance(v, dict),
        }
        for name, ok in checks.items():
            if name in body and not ok(body[name]):
                return self._invalid(name)
        if not partial and ("start_time" not in body or "duration" not in body):
            return self._invalid("start_time")
        return None

    def _create(self, request: Request, user: str) -> Reply:
        body = request.json()
        if not isinstance(body, dict):
            return Reply(400, {"code": 300, "message": "Request Body should be a valid JSON object."})
        problem = self._check_schedule(body, partial=False)
        if problem:
            return problem
        meeting_id = self._next_id
        self._next_id += 1
        settings = {"approval_type": 2, **body.get("settings", {})}
        password = body.get("password") or "default1"
        meeting = {**body, "id": meeting_id, "uuid": base64.b64encode(secrets.token_bytes(16)).decode(),
                   "host_id": user, "password": password, "settings": settings,
                   "join_url": f"{self.url}/j/{meeting_id}?pwd={secrets.token_urlsafe(16)}",
                   "start_url": f"{self.url}/s/{meeting_id}?zak={secrets.token_urlsafe(32)}"}
        self.meetings[meeting_id] = meeting
        return Reply(201, meeting)

    def _update(self, request: Request, meeting_id: str) -> Reply:
        meeting = self.meetings.get(int(meeting_id))
        if meeting is None:
            return self._missing(int(meeting_id))
        body = request.json()
        problem = self._check_schedule(body, partial=True)
        if problem:
            return problem
        settings = {**meeting["settings"], **body.pop("settings", {})}
        meeting.update(body, settings=settings)
        return Reply(204)

    def _delete(self, request: Request, meeting_id: str) -> Reply:
        if self.meetings.pop(int(meeting_id), None) is None:
            return self._missing(int(meeting_id))
        return Reply(204)

    def _register(self, request: Request, meeting_id: str) -> Reply:
        meeting = self.meetings.get(int(meeting_id))
        if meeting is None:
            return self._missing(int(meeting_id))
        if not self.registration:
            return Reply(400, {"code": 200, "message": f"Only available for paid users: {meeting['host_id']}."})
        if meeting["settings"].get("approval_type") == 2:
            return Reply(404,
                         {"code": 404, "message": f"Registration has not been enabled for this meeting: {meeting_id}."})
        body = request.json()
        if not isinstance(body, dict) or "@" not in str(body.get("email", "")):
            return self._invalid("email")
        if not body.get("first_name") or len(body["first_name"]) > 64 or len(body.get("last_name", "")) > 64:
            return self._invalid("first_name")
        people = self.registrants.setdefault(int(meeting_id), {})
        registrant = people.get(body["email"].lower())
        if registrant is None:
            registrant_id = secrets.token_urlsafe(12)
            registrant = {**body, "registrant_id": registrant_id,
                          "join_url": f"{self.url}/w/{meeting_id}?tk={secrets.token_urlsafe(24)}"}
            people[body["email"].lower()] = registrant
        return Reply(201, {"id": int(meeting_id), "registrant_id": registrant["registrant_id"],
                           "join_url": registrant["join_url"], "topic": meeting.get("topic", ""),
                           "start_time": meeting["start_time"]})


def zoom_signature(secret_token: str, timestamp: str, body: bytes) -> str:
    """What Zoom puts in x-zm-signature (computed here independently of the client)."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret_token.encode(), message, hashlib.sha256).hexdigest()


# --- BigBlueButton -------------------------------------------------------------

_CHECKSUM_BY_LENGTH = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}


class FakeBBB(FakeServer):
    """BigBlueButton's API at /bigbluebutton/api/.

    Verifies each call's checksum the way BBB does (algorithm recognised by length),
    keeps running meetings with a createTime, and on a good join records the
    attendee and redirects to the client. expire(meeting_id) drops a meeting as BBB
    does when nobody joined or everyone left.
    """

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret
        self.meetings: dict[str, dict] = {}
        self._last_create_time = 0

    @property
    def bbb_url(self) -> str:
        return self.url + "/bigbluebutton/"

    def expire(self, meeting_id: str) -> None:
        with self.lock:
            self.meetings.pop(meeting_id, None)

    @staticmethod
    def _xml(returncode: str, **fields) -> Reply:
        root = ET.Element("response")
        ET.SubElement(root, "returncode").text = returncode
        for name, value in fields.items():
            if isinstance(value, ET.Element):
                root.append(value)
            else:
                ET.SubElement(root, name).text = str(value)
        return Reply(200, ET.tostring(root, encoding="unicode"), content_type="text/xml")

    def _failed(self, key: str, message: str) -> Reply:
        return self._xml("FAILED", messageKey=key, message=message)

    def route(self, request: Request) -> Reply:
        prefix = "/bigbluebutton/api/"
        if not request.path.startswith(prefix):
            return Reply(404, "Not Found", content_type="text/plain")
        call = request.path[len(prefix):]
        # BBB checks the checksum over the query string as sent, minus the checksum itself.
        pairs = request.query.split("&") if request.query else []
        sent = [p[len("checksum="):] for p in pairs if p.startswith("checksum=")]
        signed_query = "&".join(p for p in pairs if not p.startswith("checksum="))
        algorithm = _CHECKSUM_BY_LENGTH.get(len(sent[0])) if len(sent) == 1 else None
        expected = algorithm and hashlib.new(algorithm, (call + signed_query + self._secret).encode()).hexdigest()
        if not expected or not hmac.compare_digest(expected, sent[0]):
            return self._failed("checksumError", "You did not pass the checksum security check")
        params = {k: v[0] for k, v in parse_qs(signed_query, keep_blank_values=True).items()}
        handler = {"create": self._create, "join": self._join, "end": self._end,
                   "getMeetingInfo": self._info}.get(call)
        if handler is None:
            return self._failed("unsupportedRequest", "This request is not supported.")
        return handler(params)

    def _create(self, params: dict[str, str]) -> Reply:
        meeting_id, name = params.get("meetingID", ""), params.get("name", "")
        if not meeting_id or not name or "," in meeting_id:
            return self._failed("missingParam", "You must specify a meeting ID and name for the meeting.")
        if params.get("record", "false") not in ("true", "false"):
            return self._failed("invalidParam", "record must be true or false")
        meeting = self.meetings.get(meeting_id)
        warning = {}
        if meeting is None:
            # createTime is milliseconds; strictly increasing so instances are distinguishable.
            self._last_create_time = max(self._last_create_time + 1, int(time.time() * 1000))
            meeting = {"name": name, "createTime": str(self._last_create_time), "attendees": [],
                       "record": params.get("record", "false"),
                       "meta": {k[len("meta_"):]: v for k, v in params.items() if k.startswith("meta_")}}
            self.meetings[meeting_id] = meeting
        else:
            warning = {"messageKey": "duplicateWarning",
                       "message": "This conference was already in existence and may currently be in progress."}
        return self._xml("SUCCESS", meetingID=meeting_id, internalMeetingID=secrets.token_hex(20),
                         attendeePW=secrets.token_hex(4), moderatorPW=secrets.token_hex(4),
                         createTime=meeting["createTime"], hasUserJoined=str(bool(meeting["attendees"])).lower(),
                         **warning)

    def _join(self, params: dict[str, str]) -> Reply:
        meeting = self.meetings.get(params.get("meetingID", ""))
        if meeting is None:
            return self._failed("invalidMeetingIdentifier",
                                "The meeting ID that you supplied did not match any existing meetings")
        if "createTime" in params and params["createTime"] != meeting["createTime"]:
            return self._failed("mismatchCreateTime",
                                "The createTime parameter submitted mismatches with the current meeting.")
        if not params.get("fullName"):
            return self._failed("missingParamFullName",
                                "You must specify a name for the attendee who will be joining the meeting.")
        if params.get("role") not in ("MODERATOR", "VIEWER"):
            return self._failed("invalidRole", "The role parameter is not valid.")
        meeting["attendees"].append({"userID": params.get("userID", ""), "fullName": params["fullName"],
                                     "role": params["role"]})
        token = secrets.token_hex(8)
        if params.get("redirect", "true") == "true":
            return Reply(302, headers={"Location": f"{self.url}/html5client/join?sessionToken={token}"})
        return self._xml("SUCCESS", messageKey="successfullyJoined", sessionToken=token)

    def _end(self, params: dict[str, str]) -> Reply:
        if self.meetings.pop(params.get("meetingID", ""), None) is None:
            return self._failed("notFound", "We could not find a meeting with that meeting ID - "
                                            "perhaps the meeting is not yet running?")
        return self._xml("SUCCESS", messageKey="sentEndMeetingRequest",
                         message="A request to end the meeting was sent.")

    def _info(self, params: dict[str, str]) -> Reply:
        meeting_id = params.get("meetingID", "")
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            return self._failed("notFound", "A meeting with that ID does not exist")
        attendees = ET.Element("attendees")
        for person in meeting["attendees"]:
            attendee = ET.SubElement(attendees, "attendee")
            for name, value in person.items():
                ET.SubElement(attendee, name).text = value
        return self._xml("SUCCESS", meetingName=meeting["name"], meetingID=meeting_id,
                         createTime=meeting["createTime"], running=str(bool(meeting["attendees"])).lower(),
                         participantCount=len(meeting["attendees"]), attendees=attendees)
