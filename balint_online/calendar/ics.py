"""iCalendar (RFC 5545 / 5546 / 7986) generation for Balint group meetings.

Pure functions: data in, bytes out. No Flask, no database, no clock: the same
input always gives the same bytes, so feeds can be served with ETags.

Every meeting is written with DTSTART/DTEND in its series' IANA zone (TZID),
except an instant in the hour a fall-back repeats, which goes in UTC since
parsers disagree on which of the two it means. Each zone used gets a
VTIMEZONE derived here from zoneinfo's transitions around the meetings'
years: RRULE-based STANDARD/DAYLIGHT observances (single-onset ones where a
zone has no yearly rule), never RDATE. icalendar's own
``Timezone.from_tzid`` / ``Calendar.add_missing_timezones`` are not used:
they write one multi-valued RDATE per observance covering 1970-2038 only,
which Outlook and Mozilla's parser mishandle, and ``add_missing_timezones``
orders zones by set iteration, so bytes would vary between processes.
"""

from __future__ import annotations

import calendar as gregorian
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
    vUri,
)

__all__ = [
    "CANCELLED",
    "CONFIRMED",
    "CalendarEvent",
    "build_calendar",
    "google_calendar_link",
]

CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"
_STATUSES = frozenset({CONFIRMED, CANCELLED})
_METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
_ITIP_METHODS = frozenset({"REQUEST", "CANCEL"})

JOIN_LABEL = "Join video meeting"
LINK_PENDING_TEXT = "Video link will follow."

_UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class CalendarEvent:
    """One meeting as it should appear in a member's calendar.

    uid: stable across every change of the meeting (the caller builds it,
        e.g. ``"meeting-42@balint.example"``); unique within one calendar.
    summary: title.
    description: plain text; the builder appends the way in (see join_url).
    starts_at, ends_at: aware instants (UTC by convention); ends_at > starts_at.
    tzid: the series' IANA zone; DTSTART/DTEND are written in this zone.
    sequence: RFC 5545 SEQUENCE, raised by the caller on every significant
        change (time, status, way in); never lowered.
    status: ``"CONFIRMED"`` or ``"CANCELLED"``. Cancelled meetings stay in
        feeds with STATUS:CANCELLED, without the way in and without an alarm.
    last_modified: aware instant of the meeting's last change; written as
        LAST-MODIFIED and as DTSTAMP (never "now", so a feed's bytes do not
        change between polls).
    join_url: the platform's guarded join URL, written as LOCATION, as the
        RFC 7986 CONFERENCE and as a line in DESCRIPTION. ``None`` means the
        link is not known yet: DESCRIPTION says so and there is no
        LOCATION/CONFERENCE.
    url: the meeting's page; URL falls back to join_url when absent.
    organizers: ``(name, email)`` of the leaders. The first is ORGANIZER; the
        others become ATTENDEE;ROLE=CHAIR (not under METHOD:PUBLISH, which
        allows no ATTENDEE).
    attendees: ``(name, email)`` written as ATTENDEE (needed for iTIP
        REQUEST). Leave empty for feeds: it would show every member's
        address to every subscriber.
    categories: CATEGORIES values, in order.
    alarm_minutes: a DISPLAY alarm this many minutes before the start;
        ``None`` for no alarm.
    link_to_follow: when join_url is None, whether DESCRIPTION promises the
        link; False for audiences that never get one (a public feed).
    """

    uid: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    tzid: str
    sequence: int
    status: str
    last_modified: datetime
    join_url: str | None
    url: str | None
    organizers: tuple[tuple[str, str], ...] = ()
    attendees: tuple[tuple[str, str], ...] = ()
    categories: tuple[str, ...] = ()
    alarm_minutes: int | None = 15
    link_to_follow: bool = True

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("uid must not be empty")
        for field in ("starts_at", "ends_at", "last_modified"):
            value = getattr(self, field)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{field} must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {sorted(_STATUSES)}")
        if self.sequence < 0:
            raise ValueError("sequence must not be negative")
        if self.alarm_minutes is not None and self.alarm_minutes < 0:
            raise ValueError("alarm_minutes must not be negative")
        try:
            ZoneInfo(self.tzid)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tzid!r}") from exc


def build_calendar(
    events,
    *,
    name: str,
    description: str = "",
    method: str | None = None,
    color: str | None = None,
    refresh: timedelta = timedelta(hours=4),
    prodid: str = "-//Balint Online//Calendar//EN",
) -> bytes:
    """Return a VCALENDAR holding ``events`` (an iterable of CalendarEvent).

    method: ``None`` for a subscribed feed, or ``"PUBLISH"``, ``"REQUEST"``
        or ``"CANCEL"`` for iTIP (RFC 5546). REQUEST and CANCEL need an
        organizer on every event, REQUEST also attendees; CANCEL needs every
        event to be CANCELLED (the caller keeps SEQUENCE at least as high as
        what was sent before). PUBLISH forbids attendees.
    name, description: calendar NAME/DESCRIPTION plus the X-WR-CALNAME /
        X-WR-CALDESC that Apple, Google and Outlook read.
    color: RFC 7986 COLOR, a CSS3 colour name such as ``"teal"``.
    refresh: how often subscribers should poll (REFRESH-INTERVAL and
        X-PUBLISHED-TTL); written for feeds only, not for REQUEST/CANCEL.

    Events are ordered by start then UID, so the bytes do not depend on the
    order they come in. Lines are CRLF-terminated and folded at 75 octets.
    """
    if method is not None and method not in _METHODS:
        raise ValueError(f"method must be None or one of {sorted(_METHODS)}")
    if color is not None and not re.fullmatch(r"[A-Za-z]+", color):
        raise ValueError("color must be a CSS3 colour name (RFC 7986)")
    if refresh <= timedelta(0):
        raise ValueError("refresh must be positive")
    events = sorted(events, key=lambda ev: (ev.starts_at, ev.uid))
    uids = [ev.uid for ev in events]
    if len(set(uids)) != len(uids):
        raise ValueError("each event needs its own uid")
    for ev in events:
        _check_itip(ev, method)

    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", prodid)
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    cal.add("name", vText(name))
    cal.add("x-wr-calname", vText(name))
    if description:
        cal.add("description", vText(description))
        cal.add("x-wr-caldesc", vText(description))
    if color is not None:
        cal.add("color", color)
    if method not in _ITIP_METHODS:
        cal.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh))
    zones = sorted({ev.tzid for ev in events})
    if len(zones) == 1:
        cal.add("x-wr-timezone", zones[0])

    for tzid in zones:
        used = [ev for ev in events if ev.tzid == tzid]
        first_year = min(ev.starts_at.astimezone(_UTC).year for ev in used)
        last_year = max(ev.ends_at.astimezone(_UTC).year for ev in used)
        cal.add_component(_vtimezone(tzid, first_year, last_year))
    for ev in events:
        cal.add_component(_vevent(ev, method))
    return cal.to_ical()


def google_calendar_link(
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    details: str,
    location: str | None,
) -> str:
    """Return an "add to Google Calendar" template URL.

    Dates go in UTC (``YYYYMMDDTHHMMSSZ/YYYYMMDDTHHMMSSZ``), so the link is
    right whatever zone the person opening it is in.
    """
    for value in (starts_at, ends_at):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("starts_at and ends_at must be timezone-aware")
    params = {
        "action": "TEMPLATE",
        "text": summary,
        "dates": f"{_utc_stamp(starts_at)}/{_utc_stamp(ends_at)}",
        "details": details,
    }
    if location:
        params["location"] = location
    return "https://calendar.google.com/calendar/render?" + urlencode(
        params, quote_via=quote, safe="/"
    )


def _utc_stamp(value: datetime) -> str:
    return value.astimezone(_UTC).strftime("%Y%m%dT%H%M%SZ")


def _check_itip(ev: CalendarEvent, method: str | None) -> None:
    if method in _ITIP_METHODS and not ev.organizers:
        raise ValueError(f"METHOD:{method} needs an organizer ({ev.uid})")
    if method == "REQUEST" and not ev.attendees:
        raise ValueError(f"METHOD:REQUEST needs attendees ({ev.uid})")
    if method == "CANCEL" and ev.status != CANCELLED:
        raise ValueError(f"METHOD:CANCEL needs STATUS:CANCELLED ({ev.uid})")
    if method == "PUBLISH" and ev.attendees:
        raise ValueError(f"METHOD:PUBLISH allows no attendees ({ev.uid})")


def _vevent(ev: CalendarEvent, method: str | None) -> Event:
    cancelled = ev.status == CANCELLED
    # A cancelled meeting has no way in; its guarded join URL would refuse.
    join_url = None if cancelled else ev.join_url
    stamp = ev.last_modified.astimezone(_UTC)

    event = Event()
    event.add("uid", ev.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", ev.sequence)
    event.add("status", ev.status)
    event.add("summary", vText(ev.summary))
    event.add("dtstart", _zoned(ev.starts_at, ev.tzid))
    event.add("dtend", _zoned(ev.ends_at, ev.tzid))
    event.add("description", vText(_description(ev, cancelled, join_url)))
    if join_url:
        event.add("location", vText(join_url))
        event.add(
            "conference",
            vUri(join_url),
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": JOIN_LABEL},
        )
    if ev.url or join_url:
        event.add("url", vUri(ev.url or join_url))
    if ev.categories:
        event.add("categories", list(ev.categories))

    if ev.organizers:
        event.add("organizer", _address(*ev.organizers[0]))
    if method != "PUBLISH":
        for leader in ev.organizers[1:]:
            event.add(
                "attendee",
                _address(*leader, ROLE="CHAIR", PARTSTAT="ACCEPTED", RSVP="FALSE"),
            )
    for member in ev.attendees:
        event.add(
            "attendee",
            _address(
                *member,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="FALSE",
            ),
        )

    if ev.alarm_minutes is not None and not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", vText(ev.summary))
        alarm.add("trigger", timedelta(minutes=-ev.alarm_minutes))
        event.add_component(alarm)
    return event


def _description(ev: CalendarEvent, cancelled: bool, join_url: str | None) -> str:
    parts = [ev.description.strip()] if ev.description.strip() else []
    if join_url:
        parts.append(f"{JOIN_LABEL}: {join_url}")
    elif not cancelled and ev.link_to_follow:
        parts.append(LINK_PENDING_TEXT)
    return "\n\n".join(parts)


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # Outlook does not read RFC 6868 escapes, which is how a DQUOTE would go.
    address.params["CN"] = name.replace('"', "'")
    address.params.update(params)
    return address


def _zoned(instant: datetime, tzid: str) -> datetime:
    """The wall-clock time of ``instant`` in ``tzid``, or UTC if that is ambiguous.

    RFC 5545 3.3.5 resolves a time in the hour repeated by a fall-back to its
    first occurrence, but ical.js takes the second; only UTC is read alike.
    """
    local = instant.astimezone(ZoneInfo(tzid))
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return instant.astimezone(_UTC)
    return local


# ---------------------------------------------------------------------------
# VTIMEZONE from zoneinfo transitions


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
    return _State(local.utcoffset(), local.dst(), local.tzname())


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


@lru_cache(maxsize=256)
def _observances(tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    """Observances in force over first_year..last_year, plus a year either side.

    The window is in whole years so a feed's VTIMEZONE only changes when its
    meetings reach into another year.
    """
    zone = ZoneInfo(tzid)
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


def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
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
