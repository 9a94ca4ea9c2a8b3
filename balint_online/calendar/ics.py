"""iCalendar (RFC 5545 / 5546 / 7986) generation for Balint group meetings.

Pure functions: data in, bytes out. No Flask, no database, no clock: the same
input always gives the same bytes, so feeds can be served with ETags.

The shape of a series (SeriesObject): ONE recurring event per series, one UID.
  * A master VEVENT: DTSTART at the first slot of the series' cadence, in its
    zone (TZID); RRULE FREQ=WEEKLY;INTERVAL=n;COUNT=k over the slots from the
    first to the last meeting; EXDATE for every slot with no live meeting (skip
    dates, cancelled meetings); DTEND the nominal length.
  * A RECURRENCE-ID exception for each meeting that is not as the rule says:
    moved, a different length (one spanning a clock change is written out so
    readers that add exact and nominal durations agree), or its own title
    ("(you present)").
  * Cancelling one meeting: METHOD:CANCEL with that instance's RECURRENCE-ID
    (RFC 5546 3.2.5); leaving or a cancelled series: CANCEL of the master,
    which removes every instance.
Why this shape and not one VEVENT per meeting in a message:
  * MS-STANOICAL 2.2.175 (RFC 6047 4.4): Outlook imports the first VEVENT of
    an iMIP message and ignores the rest, so a message must be one object.
    RFC 5546 2.1.5 and 3.2.2 let a REQUEST carry a recurring master with its
    exceptions under one UID. Outlook imports a RECURRENCE-ID VEVENT beside
    its master as an exception of that series (MS-OXCICAL 2.1.3.1.1.20.20;
    EXDATE: 2.1.3.1.1.20.13) and keeps naming a moved instance by its original
    start (MS-STANOICAL 2.1.20, RFC 5546 3.7.1), which is why a meeting's slot
    never changes; Gmail and Apple Calendar read and export series this way.
  * RDATE is not used: MS-OXCICAL 2.1.3.1.1.20.18 accepts an RDATE only paired
    with an EXDATE as a moved instance, so extra dates would be lost. A meeting
    added later gets a free slot of the cadence (calendar.services._slots) and
    an exception moving it to its time.
  * Limits Outlook sets on exceptions (MS-OXCICAL 2.1.3.1.1.20.18): an
    instance must not move past its neighbours nor onto the day of another.
    The API allows such moves; Outlook may then drop that exception. Gmail,
    Apple Calendar and the three readers in the tests take them as written.
  * The same UID serves the personal feed, so a calendar that has both an
    invitation and the subscription merges them rather than showing each
    meeting twice; the public feed uses another UID (it has no way in).

Times: DTSTART/DTEND in the series' IANA zone (TZID), except a time in the
hour a fall-back repeats, which is written as the same wall-clock time in the
fixed zone of the offset then in force (``Etc/GMT+5``: see _zoned), or in UTC
for a fractional offset. Each zone used gets a VTIMEZONE derived here from the
zone rules in use (calendar/vtimezone.py).

A calendar with no events (someone with no groups) holds Etc/UTC's VTIMEZONE:
RFC 5545 3.6 requires at least one component, and a zone definition is one
every reader accepts and none displays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Alarm,
    Calendar,
    Event,
    vCalAddress,
    vDuration,
    vText,
    vUri,
)

from ..core.text import one_line as _one_line
from ..core.zonerules import current as current_rules
from .vtimezone import vtimezone

__all__ = [
    "CANCELLED",
    "CONFIRMED",
    "CalendarEvent",
    "Instance",
    "SeriesObject",
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

_UTC = UTC


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
        _zone(self.tzid)

    @property
    def sort_key(self) -> tuple:
        return (self.starts_at, self.uid)

    @property
    def span_years(self) -> tuple[int, int]:
        return (self.starts_at.astimezone(_UTC).year, self.ends_at.astimezone(_UTC).year)


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
    events = sorted(events, key=lambda ev: ev.sort_key)
    uids = [ev.uid for ev in events]
    if len(set(uids)) != len(uids):
        raise ValueError("each event needs its own uid")
    if method in _ITIP_METHODS and len(uids) > 1:
        # MS-STANOICAL 2.2.175: Outlook reads the first VEVENT of an iTIP message and no other.
        raise ValueError(f"METHOD:{method} carries one calendar object (one UID)")
    for ev in events:
        _check_itip(ev, method)

    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", prodid)
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    cal.add("name", vText(_one_line(name)))
    cal.add("x-wr-calname", vText(_one_line(name)))
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

    parts = [
        (ev, part)
        for ev in events
        for part in (_series_components(ev, method) if isinstance(ev, SeriesObject) else _vevent(ev, method))
    ]
    # Every TZID written, the fixed ones of fall-back hours included (see _zoned).
    years: dict[str, list[tuple[int, int]]] = {}
    for ev, part in parts:
        for tzid in _tzids(part) | {ev.tzid}:
            years.setdefault(tzid, []).append(ev.span_years)
    for tzid in sorted(years):
        spans = years[tzid]
        cal.add_component(vtimezone(tzid, min(y[0] for y in spans), max(y[1] for y in spans)))
    if not events:
        # RFC 5545 3.6 wants at least one component: UTC's zone definition is one every reader
        # accepts and none shows, and it never changes.
        cal.add_component(vtimezone("Etc/UTC", 1970, 1970))
    for _, part in parts:
        cal.add_component(part)
    return cal.to_ical()


# ---------------------------------------------------------------------------
# A series as one recurring calendar object


@dataclass(frozen=True)
class Instance:
    """One meeting of a series object.

    slot: its place on the series' cadence, as a naive local wall-clock time in the series' zone
        (where it was first planned). It is the instance's RECURRENCE-ID, so it never changes
        when the meeting moves.
    starts_at, ends_at: where the meeting is now (aware instants).
    summary, description: for this meeting alone; None takes the object's.
    cancelled: a cancelled meeting is left out of the recurrence set (EXDATE).
    """

    slot: datetime
    starts_at: datetime
    ends_at: datetime
    summary: str | None = None
    description: str | None = None
    cancelled: bool = False

    def __post_init__(self) -> None:
        if self.slot.tzinfo is not None:
            raise ValueError("slot is a naive local wall-clock time")
        for field in ("starts_at", "ends_at"):
            value = getattr(self, field)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{field} must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")


@dataclass(frozen=True)
class SeriesObject:
    """Every meeting of a series as one recurring event with one UID (see the module docstring).

    The fields shared with CalendarEvent mean the same here and apply to every instance.
    interval_weeks, duration: the cadence (FREQ=WEEKLY;INTERVAL) and each meeting's length.
    instances: every meeting, cancelled ones included (they keep their slot).
    status: CANCELLED cancels the whole object (a withdrawal, a cancelled series).
    cancel_slot: with METHOD:CANCEL, the one instance cancelled, by its slot.
    rsvp: whether attendees are asked to reply (RSVP=TRUE).
    sent_by: the address that sends on the organizer's behalf (ORGANIZER;SENT-BY).
    """

    uid: str
    summary: str
    description: str
    tzid: str
    interval_weeks: int
    duration: timedelta
    instances: tuple[Instance, ...]
    sequence: int
    last_modified: datetime
    join_url: str | None
    url: str | None
    status: str = CONFIRMED
    organizers: tuple[tuple[str, str], ...] = ()
    attendees: tuple[tuple[str, str], ...] = ()
    categories: tuple[str, ...] = ()
    alarm_minutes: int | None = 15
    link_to_follow: bool = True
    cancel_slot: datetime | None = None
    rsvp: bool = False
    sent_by: str | None = None

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("uid must not be empty")
        if self.last_modified.tzinfo is None:
            raise ValueError("last_modified must be timezone-aware")
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {sorted(_STATUSES)}")
        if self.sequence < 0 or self.interval_weeks < 1 or self.duration <= timedelta(0):
            raise ValueError("sequence, interval_weeks and duration must be positive")
        if not self.instances:
            raise ValueError("a series object needs its meetings")
        slots = [i.slot for i in self.instances]
        if len(set(slots)) != len(slots):
            raise ValueError("each meeting needs its own slot")
        step = timedelta(weeks=self.interval_weeks)
        first = min(slots)
        if any((slot - first) % step for slot in slots):
            raise ValueError("every slot must fall on the series' cadence")
        if self.cancel_slot is not None and self.cancel_slot not in slots:
            raise ValueError("cancel_slot must be one of the slots")
        _zone(self.tzid)

    # What build_calendar needs of any item.
    @property
    def sort_key(self) -> tuple:
        return (min(i.starts_at for i in self.instances), self.uid)

    @property
    def span_years(self) -> tuple[int, int]:
        return (
            min(i.starts_at.astimezone(_UTC).year for i in self.instances),
            max(i.ends_at.astimezone(_UTC).year for i in self.instances),
        )

    @property
    def live(self) -> list[Instance]:
        return [i for i in self.instances if not i.cancelled]


def _series_components(obj: SeriesObject, method: str | None) -> list[Event]:
    zone = _zone(obj.tzid)
    step = timedelta(weeks=obj.interval_weeks)
    slots = sorted(i.slot for i in obj.instances)
    first, count = slots[0], (slots[-1] - slots[0]) // step + 1
    live = {i.slot: i for i in obj.live}

    if method == "CANCEL" and obj.cancel_slot is not None:
        # RFC 5546 3.2.5: cancelling one instance names it by RECURRENCE-ID.
        one = next(i for i in obj.instances if i.slot == obj.cancel_slot)
        event = _object_event(obj, method, one.summary or obj.summary, one.description, CANCELLED)
        event.add("recurrence-id", one.slot.replace(tzinfo=zone))
        _add_span(event, one.starts_at, one.ends_at, obj.tzid)
        return [event]
    if not live and obj.status != CANCELLED:
        raise ValueError(f"every meeting of {obj.uid} is cancelled: cancel the object instead")

    master = _object_event(obj, method, obj.summary, None, obj.status)
    master.add("dtstart", first.replace(tzinfo=zone))
    # The nominal length: an instance whose exact length differs (it spans a clock change)
    # is written out below, so parsers that add either kind of duration agree.
    master.add("dtend", (first + obj.duration).replace(tzinfo=zone))
    rule = {"FREQ": "WEEKLY", "COUNT": count}
    if obj.interval_weeks > 1:
        rule["INTERVAL"] = obj.interval_weeks
    master.add("rrule", rule)
    skipped = [first + k * step for k in range(count) if first + k * step not in live]
    if skipped:
        master.add("exdate", [slot.replace(tzinfo=zone) for slot in skipped])
    events = [master]
    if obj.status == CANCELLED:
        return events  # RFC 5546 3.2.5: no RECURRENCE-ID cancels every instance
    for slot in sorted(live):
        one = live[slot]
        planned = slot.replace(tzinfo=zone)
        as_planned = (
            one.starts_at == planned
            and one.ends_at == (slot + obj.duration).replace(tzinfo=zone)
            and one.ends_at - one.starts_at == obj.duration
            and one.summary in (None, obj.summary)
            and one.description is None
        )
        if as_planned:
            continue
        event = _object_event(obj, method, one.summary or obj.summary, one.description, CONFIRMED)
        event.add("recurrence-id", planned)
        _add_span(event, one.starts_at, one.ends_at, obj.tzid)
        events.append(event)
    return events


def _object_event(obj: SeriesObject, method, summary: str, description: str | None, status: str) -> Event:
    """The properties every component of the object carries (all but its times)."""
    cancelled = status == CANCELLED
    join_url = None if cancelled else obj.join_url
    stamp = obj.last_modified.astimezone(_UTC)
    event = Event()
    event.add("uid", obj.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", obj.sequence)
    event.add("status", status)
    event.add("summary", vText(_one_line(summary)))
    text = obj.description if description is None else description
    event.add("description", vText(_with_way_in(text, cancelled, join_url, obj.link_to_follow)))
    _add_way_in(event, join_url, obj.url)
    if obj.categories:
        event.add("categories", list(obj.categories))
    _add_people(event, method, obj.organizers, obj.attendees, rsvp=obj.rsvp, sent_by=obj.sent_by)
    if obj.alarm_minutes is not None and not cancelled:
        event.add_component(_alarm(summary, obj.alarm_minutes))
    return event


def _add_span(event: Event, starts_at: datetime, ends_at: datetime, tzid: str) -> None:
    event.add("dtstart", _zoned(starts_at, tzid))
    event.add("dtend", _zoned(ends_at, tzid))


def _zone(tzid: str):
    try:
        return current_rules().zone(tzid)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tzid!r}") from exc


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


def _check_itip(ev, method: str | None) -> None:
    if method in _ITIP_METHODS and not ev.organizers:
        raise ValueError(f"METHOD:{method} needs an organizer ({ev.uid})")
    # A co-leader's copy names them among the organizers' chairs: an attendee all the same.
    if method == "REQUEST" and not ev.attendees and len(ev.organizers) < 2:
        raise ValueError(f"METHOD:REQUEST needs attendees ({ev.uid})")
    cancels_one = getattr(ev, "cancel_slot", None) is not None
    if method == "CANCEL" and ev.status != CANCELLED and not cancels_one:
        raise ValueError(f"METHOD:CANCEL needs STATUS:CANCELLED ({ev.uid})")
    if method == "PUBLISH" and ev.attendees:
        raise ValueError(f"METHOD:PUBLISH allows no attendees ({ev.uid})")


def _vevent(ev: CalendarEvent, method: str | None) -> list[Event]:
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
    event.add("summary", vText(_one_line(ev.summary)))
    _add_span(event, ev.starts_at, ev.ends_at, ev.tzid)
    event.add("description", vText(_with_way_in(ev.description, cancelled, join_url, ev.link_to_follow)))
    _add_way_in(event, join_url, ev.url)
    if ev.categories:
        event.add("categories", list(ev.categories))
    _add_people(event, method, ev.organizers, ev.attendees)
    if ev.alarm_minutes is not None and not cancelled:
        event.add_component(_alarm(ev.summary, ev.alarm_minutes))
    return [event]


def _add_way_in(event: Event, join_url: str | None, url: str | None) -> None:
    if join_url:
        event.add("location", vText(join_url))
        event.add(
            "conference",
            vUri(join_url),
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": JOIN_LABEL},
        )
    if link := url or join_url:
        event.add("url", vUri(link))


def _add_people(event: Event, method, organizers, attendees, *, rsvp: bool = False,
                sent_by: str | None = None) -> None:
    if organizers:
        extra = {"SENT-BY": f"mailto:{sent_by}"} if sent_by else {}
        event.add("organizer", _address(*organizers[0], **extra))
    if method == "PUBLISH":
        return
    for leader in organizers[1:]:
        event.add("attendee", _address(*leader, ROLE="CHAIR", PARTSTAT="ACCEPTED", RSVP="FALSE"))
    for member in attendees:
        event.add(
            "attendee",
            _address(
                *member,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="TRUE" if rsvp and method == "REQUEST" else "FALSE",
            ),
        )


def _alarm(summary: str, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", vText(_one_line(summary)))
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


def _with_way_in(description: str, cancelled: bool, join_url: str | None, link_to_follow: bool) -> str:
    parts = [description.strip()] if description.strip() else []
    if join_url:
        parts.append(f"{JOIN_LABEL}: {join_url}")
    elif not cancelled and link_to_follow:
        parts.append(LINK_PENDING_TEXT)
    return "\n\n".join(parts)


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # Outlook does not read RFC 6868 escapes, which is how a DQUOTE would go.
    address.params["CN"] = _one_line(name).replace('"', "'")
    address.params.update(params)
    return address


def _zoned(instant: datetime, tzid: str) -> datetime:
    """The wall-clock time of ``instant`` in ``tzid``, unambiguously.

    In the hour a fall-back repeats, a local time names two instants: RFC 5545 3.3.5 takes
    the first, ical.js the second. There the time is written as the same wall-clock time in
    the fixed zone of the offset then in force (``Etc/GMT+5`` is UTC-05:00, POSIX signs), which
    every reader resolves alike; a zero offset (London's GMT) is written as UTC by icalendar,
    the same wall-clock time; a fractional offset (Lord Howe, Chatham) has no such zone and
    goes in UTC.
    """
    local = instant.astimezone(_zone(tzid))
    if local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset():
        return local
    offset = local.utcoffset()
    assert offset is not None  # astimezone made it aware
    hours, rest = divmod(offset, timedelta(hours=1))
    if rest:
        return instant.astimezone(_UTC)
    return instant.astimezone(ZoneInfo("Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"))


def _tzids(component) -> set[str]:
    found = set()
    for prop in component.property_items(recursive=False):
        tzid = getattr(prop[1], "params", {}).get("TZID") if hasattr(prop[1], "params") else None
        if tzid:
            found.add(tzid)
    return found
