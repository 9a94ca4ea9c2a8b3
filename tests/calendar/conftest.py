"""Fixtures for the calendar tests: the ical.js harness and event factories.

This folder has no __init__.py on purpose: as a package under a tests/
without one it would be imported as ``calendar``, shadowed by the stdlib.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from balint_online.calendar.ics import CalendarEvent
from tests import snapshots
from tests.smtp import smtp_inbox

HARNESS_DIR = Path(__file__).resolve().parents[1] / "js"

UTC = UTC


@pytest.fixture(scope="session")
def ical_js(tmp_path_factory):
    """``parse(*ics_payloads) -> [calendar dict, ...]`` through one node run.

    Installs the harness's locked dependencies first on a fresh clone.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed for the ical.js checks")
    if not (HARNESS_DIR / "node_modules" / "ical.js").is_dir():
        subprocess.run(
            [npm, "ci", "--prefix", str(HARNESS_DIR), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    harness = _node_harness("parse_ics.mjs", tmp_path_factory.mktemp("ics"))

    def parse(*payloads: bytes) -> list[dict]:
        parsed = harness(payloads)
        return parsed if len(payloads) > 1 else [parsed]

    return parse


def _node_harness(script: str, folder: Path):
    """``run(payloads) -> JSON``: the payloads written to files in `folder`, read by one node run of `script`."""
    node, counter = shutil.which("node"), itertools.count()

    def run(payloads) -> object:
        paths = []
        for payload in payloads:
            path = folder / f"{next(counter)}.ics"
            path.write_bytes(payload)
            paths.append(str(path))
        done = subprocess.run([node, str(HARNESS_DIR / script), *paths], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def _make_event(**fields) -> CalendarEvent:
    """A confirmed 90-minute meeting; any field can be overridden."""
    starts_at = fields.pop("starts_at", datetime(2026, 11, 5, 0, tzinfo=UTC))
    values = dict(
        uid="meeting-1@balint.example",
        summary="Bálint group: Thursday evening",
        description="Bring a case from your practice.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        tzid="America/New_York",
        sequence=0,
        status="CONFIRMED",
        last_modified=datetime(2026, 9, 1, 12, tzinfo=UTC),
        join_url="https://balint.example/meetings/1/join",
        url="https://balint.example/meetings/1",
    )
    values.update(fields)
    return CalendarEvent(**values)


def _weekly_series(
    tzid: str, first: date, at: time, weeks: int, *, series: str = "s"
) -> list[CalendarEvent]:
    """Meetings at the same local wall-clock time every week, stored in UTC."""
    zone = ZoneInfo(tzid)
    events = []
    for week in range(weeks):
        local = datetime.combine(first + timedelta(weeks=week), at, zone)
        starts_at = local.astimezone(UTC)
        events.append(
            _make_event(
                uid=f"{series}-{week}@balint.example",
                tzid=tzid,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
                join_url=f"https://balint.example/meetings/{series}{week}/join",
                url=f"https://balint.example/meetings/{series}{week}",
            )
        )
    return events


# Fixtures rather than imports: in a whole-suite run "conftest" may name
# another folder's module.
@pytest.fixture
def make_event():
    return _make_event


@pytest.fixture
def weekly_series():
    return _weekly_series


# ---------------------------------------------------------------------------
# The calendar inside the app: groups with members, and a real SMTP server.


@pytest.fixture
def group(api, make_user):
    """``group(leader, members, **series_fields) -> series JSON``: published, everyone enrolled."""
    from tests.factories import enrolled, published_series

    @snapshots.kept
    def build(leader, members=(), **fields):
        series = published_series(api(leader), **fields)
        for member in members:
            enrolled(api, leader, series, member)
        return api(leader).get(f"/api/v1/series/{series['id']}").get_json()

    return build


@pytest.fixture
def smtp_server(app):
    """An aiosmtpd server on loopback that the app delivers to (MAIL_URL points at it)."""
    with smtp_inbox() as inbox:
        app.config["MAIL_URL"] = inbox.url
        yield inbox


@pytest.fixture
def member(make_user):
    return make_user(name="Jo Member", email="jo@example.org", timezone="Europe/London")


# ---------------------------------------------------------------------------
# Independent readers of recurring calendar objects.


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _recurring_ical_events(ics: bytes) -> list[dict]:
    import recurring_ical_events
    from icalendar import Calendar

    found = recurring_ical_events.of(Calendar.from_ical(ics)).between(
        datetime(1990, 1, 1, tzinfo=UTC), datetime(2090, 1, 1, tzinfo=UTC))
    return sorted(({
        "uid": str(ev["UID"]),
        "start": _utc_text(ev["DTSTART"].dt),
        "end": _utc_text(ev["DTEND"].dt),
        "summary": str(ev.get("SUMMARY", "")),
        "status": str(ev.get("STATUS", "")) or None,
        "sequence": int(ev.get("SEQUENCE", 0)),
    } for ev in found), key=lambda i: i["start"])


@pytest.fixture(scope="session")
def expand(ical_js, tmp_path_factory):
    """``expand(*ics) -> [{"ical.js": [...], "node-ical": [...], "recurring-ical-events": [...]}]``.

    Every occurrence each reader expands from each payload, sorted by start; an instance is
    ``{uid, start, end, summary, status, sequence}`` with UTC instants. ``ical_js`` is asked
    for first so a fresh clone has its node modules installed.
    """
    harness = _node_harness("expand_ics.mjs", tmp_path_factory.mktemp("expand"))

    def run(*payloads: bytes) -> list[dict]:
        found = harness(payloads)
        for readers, payload in zip(found, payloads, strict=True):
            readers["recurring-ical-events"] = _recurring_ical_events(payload)
        return found

    return run


def api_meetings(*series: dict) -> list[tuple[str, str]]:
    """The live meetings GET /api/v1/series/{id} reports, as (start, end) in UTC, by start."""
    return sorted((m["starts_at"], m["ends_at"]) for s in series for m in s["meetings"] if m["status"] != "cancelled")


@pytest.fixture
def meetings_of():
    return api_meetings
