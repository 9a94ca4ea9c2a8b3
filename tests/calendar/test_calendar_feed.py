"""Feeds: every meeting lands at its UTC instant in every parser we have."""

from __future__ import annotations

import itertools
import os
import pickle
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from balint_online.calendar.ics import build_calendar, google_calendar_link

UTC = UTC


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _unfold(ics: bytes) -> bytes:
    return ics.replace(b"\r\n ", b"")


_renamed = itertools.count()


def _private_zone_names(ics: bytes, tzids) -> bytes:
    """Rename the zones so Python parsers must use our VTIMEZONE, not tzdata.

    Names are never reused: icalendar caches parsed zones by TZID.
    """
    ics = _unfold(ics)
    for tzid in tzids:
        private = f"Balint Test Zone {next(_renamed)}".encode()
        for prefix in (b"TZID:", b"TZID="):
            ics = ics.replace(prefix + tzid.encode(), prefix + private)
    return ics


def _python_instants(ics: bytes) -> dict[str, tuple[datetime, datetime]]:
    cal = Calendar.from_ical(ics)
    return {
        str(ev["UID"]): (
            ev.decoded("DTSTART").astimezone(UTC),
            ev.decoded("DTEND").astimezone(UTC),
        )
        for ev in cal.walk("VEVENT")
    }


def _own_zone_instants(ics: bytes, tzids) -> dict[str, tuple[datetime, datetime]]:
    renamed = _private_zone_names(ics, tzids)
    for ev in Calendar.from_ical(renamed).walk("VEVENT"):
        assert not isinstance(ev.decoded("DTSTART").tzinfo, ZoneInfo)
    return _python_instants(renamed)


def _recurring_instants(ics: bytes) -> dict[str, tuple[datetime, datetime]]:
    cal = Calendar.from_ical(ics)
    found = recurring_ical_events.of(cal).between(
        datetime(1999, 1, 1, tzinfo=UTC), datetime(2060, 1, 1, tzinfo=UTC)
    )
    return {
        str(ev["UID"]): (ev["DTSTART"].dt.astimezone(UTC), ev["DTEND"].dt.astimezone(UTC))
        for ev in found
    }


SERIES = {
    # A weekly 19:00 series across the US fall-back on 1 November 2026.
    "new_york": ("America/New_York", date(2026, 10, 15), time(19, 0), 6),
    # Southern hemisphere: Sydney leaves daylight time on 4 April 2027.
    "sydney": ("Australia/Sydney", date(2027, 3, 18), time(18, 0), 6),
    # British Summer Time starts on 28 March 2027.
    "london": ("Europe/London", date(2027, 3, 11), time(20, 15), 5),
    # No daylight time at all, and a half-hour offset.
    "kolkata": ("Asia/Kolkata", date(2026, 10, 20), time(17, 30), 3),
}


@pytest.fixture
def series(weekly_series):
    def build(key):
        tzid, first, at, weeks = SERIES[key]
        return weekly_series(tzid, first, at, weeks, series=key)

    return build


@pytest.mark.parametrize("key", sorted(SERIES))
def test_series_instants_survive_every_parser(key, series, ical_js):
    events = series(key)
    tzid = SERIES[key][0]
    expected = {ev.uid: (ev.starts_at, ev.ends_at) for ev in events}
    ics = build_calendar(events, name="Balint group")

    [as_is] = ical_js(ics)
    assert as_is["timezones"] == [tzid]
    got = {ev["uid"]: (_utc(ev["start"]), _utc(ev["end"])) for ev in as_is["events"]}
    assert got == expected
    assert {ev["tzid"] for ev in as_is["events"]} == {tzid}
    # The local wall-clock time stays put across the change.
    zone = ZoneInfo(tzid)
    assert len({start.astimezone(zone).time() for start, _ in got.values()}) == 1

    assert _python_instants(ics) == expected
    assert _own_zone_instants(ics, [tzid]) == expected
    assert _recurring_instants(ics) == expected
    assert _recurring_instants(_private_zone_names(ics, [tzid])) == expected


def test_series_crosses_the_change_at_the_expected_utc_times(series, ical_js):
    [ny] = ical_js(build_calendar(series("new_york"), name="NY"))
    starts = [ev["start"] for ev in ny["events"]]
    assert starts[:3] == [
        "2026-10-15T23:00:00Z",
        "2026-10-22T23:00:00Z",
        "2026-10-29T23:00:00Z",
    ]
    assert starts[3:] == [
        "2026-11-06T00:00:00Z",
        "2026-11-13T00:00:00Z",
        "2026-11-20T00:00:00Z",
    ]
    [sydney] = ical_js(build_calendar(series("sydney"), name="Sydney"))
    starts = [ev["start"] for ev in sydney["events"]]
    assert starts[2] == "2027-04-01T07:00:00Z"  # 18:00 AEDT (+11)
    assert starts[3] == "2027-04-08T08:00:00Z"  # 18:00 AEST (+10)


def test_meetings_far_from_the_series_start(make_event, weekly_series, ical_js):
    tzid = "America/New_York"
    events = weekly_series(tzid, date(2026, 1, 8), time(19, 0), 2, series="far")
    zone = ZoneInfo(tzid)
    for uid, local in [
        ("later@balint.example", datetime(2028, 7, 6, 19, 0, tzinfo=zone)),
        # Past 2038, where icalendar's own VTIMEZONE helper stops.
        ("much-later@balint.example", datetime(2039, 11, 10, 19, 0, tzinfo=zone)),
    ]:
        starts_at = local.astimezone(UTC)
        events.append(
            make_event(
                uid=uid,
                tzid=tzid,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
            )
        )
    expected = {ev.uid: (ev.starts_at, ev.ends_at) for ev in events}
    ics = build_calendar(events, name="Balint group")
    [parsed] = ical_js(ics)
    got = {ev["uid"]: (_utc(ev["start"]), _utc(ev["end"])) for ev in parsed["events"]}
    assert got == expected
    assert got["much-later@balint.example"][0] == datetime(2039, 11, 11, 0, tzinfo=UTC)
    assert _own_zone_instants(ics, [tzid]) == expected


def test_times_in_the_repeated_hour_are_written_in_the_offset_then_in_force(make_event, ical_js):
    # 01:30 happens twice in New York on 1 November 2026.
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    events = [
        make_event(uid="first@x", starts_at=first, ends_at=first + timedelta(minutes=30)),
        make_event(uid="second@x", starts_at=second, ends_at=second + timedelta(hours=1)),
    ]
    ics = build_calendar(events, name="x")
    # The same wall-clock time (01:30), in the fixed zone of EDT then of EST: never ambiguous.
    assert b"DTSTART;TZID=Etc/GMT+4:20261101T013000" in ics
    assert b"DTSTART;TZID=Etc/GMT+5:20261101T013000" in ics
    assert b"BEGIN:VTIMEZONE\r\nTZID:Etc/GMT+4" in ics
    [parsed] = ical_js(ics)
    got = {ev["uid"]: (_utc(ev["start"]), _utc(ev["end"])) for ev in parsed["events"]}
    assert got == {ev.uid: (ev.starts_at, ev.ends_at) for ev in events}


def test_feed_properties(make_event, ical_js):
    events = [
        make_event(uid="a@x", categories=("Balint", "Online")),
        make_event(
            uid="b@x",
            starts_at=datetime(2026, 11, 12, 0, tzinfo=UTC),
            join_url=None,
        ),
    ]
    ics = build_calendar(
        events,
        name="My Balint groups",
        description="Meetings of the groups I am in",
        color="teal",
        refresh=timedelta(hours=2),
    )
    lines = _unfold(ics).split(b"\r\n")
    for line in (
        b"VERSION:2.0",
        b"PRODID:-//Balint Online//Calendar//EN",
        b"CALSCALE:GREGORIAN",
        b"NAME:My Balint groups",
        b"X-WR-CALNAME:My Balint groups",
        b"DESCRIPTION:Meetings of the groups I am in",
        b"X-WR-CALDESC:Meetings of the groups I am in",
        b"COLOR:teal",
        b"REFRESH-INTERVAL;VALUE=DURATION:PT2H",
        b"X-PUBLISHED-TTL:PT2H",
        b"X-WR-TIMEZONE:America/New_York",
    ):
        assert line in lines
    assert not any(line.startswith(b"METHOD") for line in lines)

    [parsed] = ical_js(ics)
    assert parsed["method"] is None
    assert parsed["name"] == "My Balint groups"
    assert parsed["refresh_interval"] == "PT2H"
    a, b = parsed["events"]
    assert a["location"] == "https://balint.example/meetings/1/join"
    assert a["url"] == "https://balint.example/meetings/1"
    assert a["conference"] == [
        {
            "value": "https://balint.example/meetings/1/join",
            "feature": "VIDEO",
            "label": "Join video meeting",
        }
    ]
    assert a["description"] == (
        "Bring a case from your practice.\n\n"
        "Join video meeting: https://balint.example/meetings/1/join"
    )
    assert a["categories"] == ["Balint", "Online"]
    assert a["alarms"] == [{"action": "DISPLAY", "trigger": "-PT15M"}]
    assert a["status"] == "CONFIRMED"
    assert a["dtstamp"] == a["last_modified"] == "2026-09-01T12:00:00Z"
    # No link yet: say so, and offer no way in.
    assert b["description"].endswith("\n\nVideo link will follow.")
    assert b["location"] is None and b["conference"] == []
    assert b["url"] == "https://balint.example/meetings/1"


def test_cancelled_meetings_stay_in_the_feed(make_event, ical_js):
    events = [
        make_event(uid="on@x"),
        make_event(
            uid="off@x",
            starts_at=datetime(2026, 11, 12, 0, tzinfo=UTC),
            status="CANCELLED",
            sequence=3,
        ),
    ]
    [parsed] = ical_js(build_calendar(events, name="x"))
    on, off = parsed["events"]
    assert on["status"] == "CONFIRMED"
    assert off["status"] == "CANCELLED" and off["sequence"] == 3
    assert off["location"] is None and off["conference"] == [] and off["alarms"] == []
    assert "Join" not in off["description"] and "will follow" not in off["description"]


def test_zone_hint_only_when_one_zone(make_event):
    ics = build_calendar(
        [make_event(uid="a@x"), make_event(uid="b@x", tzid="Europe/Budapest")],
        name="x",
    )
    assert b"X-WR-TIMEZONE" not in ics
    assert ics.count(b"BEGIN:VTIMEZONE") == 2


def test_lines_are_folded_at_75_octets(make_event, ical_js):
    description = "Esetmegbeszélés, őszinte visszajelzés; " * 20
    ics = build_calendar([make_event(description=description)], name="Bálint")
    assert ics.endswith(b"\r\n")
    lines = ics.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    ics.decode("utf-8")  # folding never splits a character
    [parsed] = ical_js(ics)
    assert parsed["events"][0]["description"].startswith(description.strip())


def test_same_input_same_bytes(make_event, weekly_series):
    events = weekly_series("Australia/Sydney", date(2027, 3, 18), time(18, 0), 4)
    events += [make_event(uid="ny@x"), make_event(uid="bp@x", tzid="Europe/Budapest")]
    first = build_calendar(events, name="x", color="teal")
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    assert build_calendar(shuffled, name="x", color="teal") == first

    # Another process with another hash seed: no set order leaks out.
    script = (
        "import pickle, sys\n"
        "from balint_online.calendar.ics import build_calendar\n"
        "events = pickle.loads(sys.stdin.buffer.read())\n"
        "sys.stdout.buffer.write(build_calendar(events, name='x', color='teal'))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(repo))
    other = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps(events),
        capture_output=True,
        env=env,
        check=True,
        timeout=60,
    ).stdout
    assert other == first


def test_invalid_input_is_refused(make_event):
    with pytest.raises(ValueError):
        make_event(starts_at=datetime(2026, 11, 5, 0))  # naive
    with pytest.raises(ValueError):
        make_event(ends_at=datetime(2026, 11, 4, tzinfo=UTC))
    with pytest.raises(ValueError):
        make_event(status="TENTATIVE")
    with pytest.raises(ValueError):
        make_event(tzid="Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        build_calendar([make_event(), make_event()], name="x")  # same UID
    with pytest.raises(ValueError):
        build_calendar([make_event()], name="x", color="#00ff00")
    with pytest.raises(ValueError):
        build_calendar([make_event()], name="x", method="REFRESH")


def test_google_calendar_link():
    link = google_calendar_link(
        "Bálint group & friends",
        datetime(2026, 11, 5, 19, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 11, 6, 1, 30, tzinfo=UTC),
        "Join video meeting: https://balint.example/meetings/1/join",
        "https://balint.example/meetings/1/join",
    )
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    query = parse_qs(parts.query)
    assert query == {
        "action": ["TEMPLATE"],
        "text": ["Bálint group & friends"],
        "dates": ["20261106T000000Z/20261106T013000Z"],
        "details": ["Join video meeting: https://balint.example/meetings/1/join"],
        "location": ["https://balint.example/meetings/1/join"],
    }
    assert "dates=20261106T000000Z/20261106T013000Z" in parts.query
    with pytest.raises(ValueError):
        google_calendar_link("x", datetime(2026, 1, 1), datetime(2026, 1, 2), "", None)
