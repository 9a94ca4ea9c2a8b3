"""VTIMEZONEs: RRULE-based, no RDATE lists, right wherever the zone changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from balint_online.calendar.ics import build_calendar

UTC = UTC


def _vtimezones(ics: bytes) -> dict:
    return {str(vtz["TZID"]): vtz for vtz in Calendar.from_ical(ics).walk("VTIMEZONE")}


def _observances(vtz) -> list:
    return [c for c in vtz.subcomponents if c.name in ("STANDARD", "DAYLIGHT")]


@pytest.mark.parametrize(
    ("tzid", "first", "daylight_month", "standard_month"),
    [
        ("America/New_York", date(2026, 10, 15), 3, 11),
        ("Europe/London", date(2027, 3, 11), 3, 10),
        # Southern hemisphere: daylight time starts in October.
        ("Australia/Sydney", date(2027, 3, 18), 10, 4),
    ],
)
def test_daylight_zones_get_one_yearly_rule_each(
    tzid, first, daylight_month, standard_month, weekly_series
):
    ics = build_calendar(weekly_series(tzid, first, time(19, 0), 6), name="x")
    assert b"RDATE" not in ics
    observances = _observances(_vtimezones(ics)[tzid])
    assert sorted(c.name for c in observances) == ["DAYLIGHT", "STANDARD"]
    for comp in observances:
        rule = comp["RRULE"]
        assert rule["FREQ"] == ["YEARLY"] and "UNTIL" not in rule
        month = daylight_month if comp.name == "DAYLIGHT" else standard_month
        assert rule["BYMONTH"] == [month]
        # DTSTART is the first onset, in the time in force before it.
        start = comp.decoded("DTSTART")
        assert start.month == month
        onset = (start - comp.decoded("TZOFFSETFROM")).replace(tzinfo=UTC)
        zone = ZoneInfo(tzid)
        before = (onset - timedelta(seconds=1)).astimezone(zone).utcoffset()
        assert before == comp.decoded("TZOFFSETFROM")
        assert onset.astimezone(zone).utcoffset() == comp.decoded("TZOFFSETTO")


def test_new_york_rule_is_the_us_rule(make_event):
    ics = build_calendar([make_event()], name="x")
    observances = _observances(_vtimezones(ics)["America/New_York"])
    rules = {c.name: c["RRULE"].to_ical() for c in observances}
    assert rules == {
        "DAYLIGHT": b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "STANDARD": b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
    }
    assert all(c.decoded("DTSTART").time() == time(2, 0) for c in observances)


def test_zone_without_daylight_time_gets_a_single_standard(make_event):
    ics = build_calendar([make_event(tzid="Asia/Kolkata")], name="x")
    [only] = _observances(_vtimezones(ics)["Asia/Kolkata"])
    assert only.name == "STANDARD" and "RRULE" not in only and "RDATE" not in only
    offset = timedelta(hours=5, minutes=30)
    assert only.decoded("TZOFFSETFROM") == only.decoded("TZOFFSETTO") == offset


def test_zone_that_dropped_daylight_time(make_event):
    # Brazil has had no daylight time since February 2019.
    ics = build_calendar([make_event(tzid="America/Sao_Paulo")], name="x")
    [only] = _observances(_vtimezones(ics)["America/Sao_Paulo"])
    assert only.name == "STANDARD" and "RRULE" not in only
    # Midnight of daylight time (-02) became 23:00 standard time (-03).
    assert only.decoded("DTSTART") == datetime(2019, 2, 17, 0, 0)
    assert only.decoded("TZOFFSETFROM") == timedelta(hours=-2)
    assert only.decoded("TZOFFSETTO") == timedelta(hours=-3)


def test_rule_change_closes_the_old_rule(make_event):
    # The US moved its daylight-time dates in 2007.
    starts = datetime(2006, 1, 5, 0, tzinfo=UTC)
    events = [
        make_event(uid=f"{k}@x", starts_at=starts + timedelta(weeks=k)) for k in range(0, 150, 10)
    ]
    ics = build_calendar(events, name="x")
    assert b"RDATE" not in ics
    observances = _observances(_vtimezones(ics)["America/New_York"])
    closed = [c for c in observances if "UNTIL" in c["RRULE"]]
    open_ = [c for c in observances if "UNTIL" not in c["RRULE"]]
    assert {c["RRULE"]["BYMONTH"][0] for c in closed} == {4, 10}
    assert {c["RRULE"]["BYMONTH"][0] for c in open_} == {3, 11}


# Zones whose offsets or rules are unusual or changed within the years given.
TRICKY = [
    ("America/New_York", 2006, 2008),
    ("America/Sao_Paulo", 2017, 2020),
    ("America/Mexico_City", 2021, 2023),
    ("Africa/Cairo", 2022, 2024),
    ("Asia/Tehran", 2021, 2023),
    ("Europe/Moscow", 2010, 2015),
    ("Australia/Lord_Howe", 2026, 2027),
    ("Pacific/Chatham", 2026, 2027),
    ("Europe/Dublin", 2026, 2027),
    ("Africa/Casablanca", 2026, 2027),
    ("America/Santiago", 2026, 2027),
    ("Pacific/Apia", 2020, 2022),
    ("America/Nuuk", 2022, 2024),
    ("Asia/Gaza", 2025, 2027),
]


def _probe_instants(tzid: str, first_year: int, last_year: int) -> list[datetime]:
    """Instants half-hourly around each offset change, plus monthly ones."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    hours = int((datetime(last_year + 1, 1, 1, tzinfo=UTC) - start).total_seconds() // 3600)
    found = {start + timedelta(days=day, hours=day % 24) for day in range(0, hours // 24, 29)}
    before = start.astimezone(zone).utcoffset()
    for hour in range(1, hours):
        at = start + timedelta(hours=hour)
        now = at.astimezone(zone).utcoffset()
        if now != before:
            found.update(at + timedelta(minutes=m) for m in range(-90, 91, 30))
        before = now
    return sorted(found)


def test_tricky_zones_read_back_exactly(make_event, ical_js):
    payloads, expected = [], []
    for tzid, first_year, last_year in TRICKY:
        events = [
            make_event(
                uid=f"{n}@x",
                tzid=tzid,
                starts_at=instant,
                ends_at=instant + timedelta(minutes=45),
            )
            for n, instant in enumerate(_probe_instants(tzid, first_year, last_year))
        ]
        payloads.append(build_calendar(events, name=tzid))
        expected.append({ev.uid: (ev.starts_at, ev.ends_at) for ev in events})

    for (tzid, _, _), ics in zip(TRICKY, payloads, strict=True):
        assert b"RDATE" not in ics, tzid
        vtzs = _vtimezones(ics)
        assert tzid in vtzs
        cal = Calendar.from_ical(ics)
        for ev in cal.walk("VEVENT"):
            start = ev["DTSTART"]
            if "TZID" in start.params:
                # dateutil (icalendar's reader) on our VTIMEZONE, not on tzdata; in a repeated
                # hour that is the fixed zone of the offset then (see ics._zoned).
                tz = vtzs[start.params["TZID"]].to_tz(lookup_tzid=False)
                local = start.dt.replace(tzinfo=tz)
                assert local.astimezone(UTC) == start.dt.astimezone(UTC), (tzid, ev["UID"])

    for (tzid, _, _), want, parsed in zip(TRICKY, expected, ical_js(*payloads), strict=True):
        got = {
            ev["uid"]: (
                datetime.fromisoformat(ev["start"]),
                datetime.fromisoformat(ev["end"]),
            )
            for ev in parsed["events"]
        }
        assert got == want, tzid
