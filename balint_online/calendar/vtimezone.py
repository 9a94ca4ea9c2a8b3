"""VTIMEZONE components derived from the zone rules in use (core/zonerules.py). Pure: no Flask, no database.

Each zone a calendar uses gets its observances over the meetings' years plus a year either side,
reaching back to the last change before that window, so strict readers comparing rules over a
window (vobject) see the zone's real observances: RRULE-based STANDARD/DAYLIGHT observances
(single-onset ones where a zone has no yearly rule), never RDATE. icalendar's own
``Timezone.from_tzid`` / ``Calendar.add_missing_timezones`` are not used: they write one
multi-valued RDATE per observance covering 1970-2038 only, which Outlook and Mozilla's parser
mishandle, and ``add_missing_timezones`` orders zones by set iteration, so bytes would vary
between processes.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from ..core.zonerules import current as current_rules

_UTC = UTC
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _State:
    offset: timedelta
    dst: timedelta
    name: str


@dataclass(frozen=True)
class _Onset:
    """A change of the zone at ``at`` (UTC) from ``offset_from`` to ``state``."""

    at: datetime
    offset_from: timedelta
    state: _State
    is_daylight: bool

    @property
    def local(self) -> datetime:
        # RFC 5545 3.6.5: an observance's DTSTART is in the time before it.
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self) -> tuple:
        return (self.is_daylight, self.offset_from, self.state)


@dataclass(frozen=True)
class _Observance:
    """One STANDARD/DAYLIGHT sub-component, ready to write."""

    daylight: bool
    dtstart: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rrule: tuple[tuple[str, object], ...] = ()


@dataclass
class _Run:
    """Onsets of one kind in consecutive years on the same yearly rule."""

    onsets: list[_Onset]
    ordinals: set[int]

    @property
    def ordinal(self) -> int:
        # When both fit (the 22nd-28th) prefer -1, "last": tzdata's usual rule.
        return min(self.ordinals)

    def accepts(self, onset: _Onset) -> bool:
        last = self.onsets[-1]
        a, b = last.local, onset.local
        return (
            onset.kind == last.kind
            and b.year == a.year + 1
            and (b.month, b.weekday(), b.time()) == (a.month, a.weekday(), a.time())
            and bool(self.ordinals & _ordinals(b))
        )

    def next_expected(self) -> datetime:
        """UTC instant at which this rule would fire the year after its last."""
        last = self.onsets[-1]
        local = _nth_weekday(
            last.local.year + 1, last.local.month, last.local.weekday(), self.ordinal
        )
        return datetime.combine(local, last.local.time(), _UTC) - last.offset_from

    def observance(self, scanned_until: datetime) -> _Observance:
        first = self.onsets[0]
        rrule: tuple[tuple[str, object], ...] = ()
        if len(self.onsets) > 1:
            rrule = (
                ("FREQ", "YEARLY"),
                ("BYMONTH", first.local.month),
                ("BYDAY", f"{self.ordinal}{_WEEKDAYS[first.local.weekday()]}"),
            )
            # A rule that stopped within the scanned years gets an UNTIL;
            # one still running at the end stays open, as clients expect.
            # The UNTIL is a day after the last onset because dateutil (and
            # so icalendar) compares it with the local DTSTART, not in UTC:
            # a day later is past that onset either way, and a year short of
            # the next.
            if self.next_expected() < scanned_until:
                rrule += (("UNTIL", self.onsets[-1].at + timedelta(days=1)),)
        return _Observance(
            first.is_daylight,
            first.local,
            first.offset_from,
            first.state.offset,
            first.state.name,
            rrule,
        )


def _ordinals(local: datetime) -> set[int]:
    found = {(local.day - 1) // 7 + 1}
    if local.day + 7 > gregorian.monthrange(local.year, local.month)[1]:
        found.add(-1)
    return found


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int):
    days = [
        week[weekday]
        for week in gregorian.Calendar().monthdatescalendar(year, month)
        if week[weekday].month == month
    ]
    return days[ordinal] if ordinal == -1 else days[ordinal - 1]


def _state(zone: ZoneInfo, ts: int) -> _State:
    local = datetime.fromtimestamp(ts, zone)
    offset, dst, name = local.utcoffset(), local.dst(), local.tzname()
    assert offset is not None and dst is not None and name is not None  # a ZoneInfo answers all three
    return _State(offset, dst, name)


def _first_change(zone: ZoneInfo, lo: int, hi: int) -> int:
    """First second in (lo, hi] whose state differs from lo's (hi's does)."""
    old = _state(zone, lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _state(zone, mid) == old:
            lo = mid
        else:
            hi = mid
    return hi


# Sampling step; tzdata never has two transitions this close together.
_SCAN_STEP = int(timedelta(hours=6).total_seconds())
_LOOKBACK_STEP = int(timedelta(days=7).total_seconds())


def _onsets(zone: ZoneInfo, lo: int, hi: int) -> list[_Onset]:
    found = []
    ts, state = lo, _state(zone, lo)
    while ts < hi:
        probe = min(ts + _SCAN_STEP, hi)
        if _state(zone, probe) == state:
            ts = probe
            continue
        at = _first_change(zone, ts, probe)
        new = _state(zone, at)
        # Negative DST (Europe/Dublin's winter, Morocco's Ramadan) flags the
        # lower offset; clients expect the higher one to be the daylight one.
        daylight = new.dst > timedelta(0) or (
            new.dst == timedelta(0) and state.dst < timedelta(0)
        )
        found.append(
            _Onset(datetime.fromtimestamp(at, _UTC), state.offset, new, daylight)
        )
        ts, state = at, new
    return found


def _observances(tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    return _observances_in(current_rules(), tzid, first_year, last_year)


@lru_cache(maxsize=256)
def _observances_in(rules, tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    """Observances in force over first_year..last_year, plus a year either side.

    The window is in whole years so a feed's VTIMEZONE only changes when its
    meetings reach into another year. Keyed by the rules in use, so a change of
    rules is never answered from the cache.
    """
    zone = rules.zone(tzid)
    lo = int(datetime(first_year - 1, 1, 1, tzinfo=_UTC).timestamp())
    hi = int(datetime(last_year + 2, 1, 1, tzinfo=_UTC).timestamp())
    floor = min(int(_EPOCH.timestamp()), lo)

    # The observance in force at the window's start begins with the last
    # change before it: look back for that change so its DTSTART is real.
    current = _state(zone, lo)
    start = lo
    while start > floor and _state(zone, start) == current:
        start = max(start - _LOOKBACK_STEP, floor)

    result: list[_Observance] = []
    if _state(zone, start) == current:
        # Unchanged since 1970: one fixed observance, as clients expect.
        start = lo
        result.append(
            _Observance(
                False,
                datetime.fromtimestamp(floor, _UTC).replace(tzinfo=None),
                current.offset,
                current.offset,
                current.name,
            )
        )

    runs: list[_Run] = []
    for onset in _onsets(zone, start, hi):
        run = next((r for r in runs if r.accepts(onset)), None)
        if run is None:
            runs.append(_Run([onset], _ordinals(onset.local)))
        else:
            run.onsets.append(onset)
            run.ordinals &= _ordinals(onset.local)
    scanned_until = datetime.fromtimestamp(hi, _UTC)
    result.extend(run.observance(scanned_until) for run in runs)
    return tuple(result)


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE for meetings in first_year..last_year."""
    vtz = Timezone()
    vtz.add("tzid", tzid)
    for obs in _observances(tzid, first_year, last_year):
        comp = TimezoneDaylight() if obs.daylight else TimezoneStandard()
        comp.add("dtstart", obs.dtstart)
        if obs.rrule:
            comp.add("rrule", dict(obs.rrule))
        comp.add("tzoffsetfrom", obs.offset_from)
        comp.add("tzoffsetto", obs.offset_to)
        comp.add("tzname", obs.name)
        vtz.add_component(comp)
    return vtz
