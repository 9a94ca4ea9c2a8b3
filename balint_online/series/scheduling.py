"""Meeting dates of a series: plain functions, no Flask or database.

A series keeps its IANA zone and a local wall-clock time; every meeting is that wall-clock
time on its own date, so a 19:00 New York group stays at 19:00 after the clocks change.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.labels import LabelledStrEnum
from ..core.zonerules import SchedulingError, zone


@dataclass(frozen=True)
class PlannedMeeting:
    number: int
    local_start: datetime  # naive, in the series' zone
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC


def to_utc(local: datetime, tz: str, field: str = "starts_at_local") -> datetime:
    """The instant of a local wall-clock time; refuses times that do not exist or happen twice."""
    zi = zone(tz)
    first = local.replace(tzinfo=zi, fold=0)
    second = local.replace(tzinfo=zi, fold=1)
    if first.utcoffset() != second.utcoffset():
        # zoneinfo reports different offsets for the two folds only in a gap or an overlap.
        round_trip = first.astimezone(UTC).astimezone(zi).replace(tzinfo=None)
        when = local.strftime("%Y-%m-%d %H:%M")
        if round_trip != local:
            raise SchedulingError(field, _("%(when)s does not exist in %(zone)s: the clocks go forward then.",
                                             when=when, zone=tz))
        raise SchedulingError(field, _("%(when)s happens twice in %(zone)s as the clocks go back; choose another time.",
                                         when=when, zone=tz))
    return first.astimezone(UTC)


def meeting_dates(first: date, count: int, interval_weeks: int, skip_dates: set[date] | frozenset[date]) -> list[date]:
    """`count` dates every `interval_weeks` weeks from `first`; a skipped date pushes the series on."""
    dates: list[date] = []
    day = first
    step = timedelta(weeks=interval_weeks)
    while len(dates) < count:
        if day not in skip_dates:
            dates.append(day)
        day += step
    return dates


def plan_meetings(
    first_local: datetime,
    tz: str,
    *,
    count: int,
    interval_weeks: int,
    duration_minutes: int,
    skip_dates: frozenset[date] = frozenset(),
) -> list[PlannedMeeting]:
    """Every meeting of a series at the same local wall-clock time, as UTC instants."""
    if first_local.date() in skip_dates:
        raise SchedulingError("skip_dates", _("The first meeting's date %(day)s is also a skip date.",
                                              day=first_local.date()))
    planned = []
    for number, day in enumerate(meeting_dates(first_local.date(), count, interval_weeks, skip_dates), start=1):
        local = datetime.combine(day, first_local.time())
        field = "first_meeting_local" if number == 1 else "skip_dates"
        starts = to_utc(local, tz, field)
        planned.append(PlannedMeeting(number, local, starts, starts + timedelta(minutes=duration_minutes)))
    return planned


def max_members(meeting_count: int, presenters_per_meeting: int) -> int:
    """The most members a series can take while giving every one a turn to present."""
    return meeting_count * presenters_per_meeting


def check_capacity(capacity: int, meeting_count: int, presenters_per_meeting: int) -> None:
    limit = max_members(meeting_count, presenters_per_meeting)
    if capacity > limit:
        raise SchedulingError(
            "capacity",
            _("A capacity of %(capacity)d is more than %(meetings)d meetings x %(presenters)d presenter(s) can give "
              "a turn to present (at most %(limit)d).", capacity=capacity, meetings=meeting_count,
              presenters=presenters_per_meeting, limit=limit),
        )


def registration_open(on: date, deadline: date | None) -> bool:
    """Applications are taken through the deadline's whole day (in the series' zone), like every deadline."""
    return deadline is None or on <= deadline


class SeriesStatus(LabelledStrEnum):
    """The status people see of a series (series_state); only draft/published/cancelled is stored."""

    DRAFT = "draft", _l("Draft")
    OPEN = "open", _l("Open for applications")
    FULL = "full", _l("Full: waiting list only")
    RUNNING = "running", _l("Under way")
    COMPLETED = "completed", _l("Ended")
    CANCELLED = "cancelled", _l("Cancelled")


# Every status series_state gives, for those who list or document them.
STATES = tuple(SeriesStatus)


def series_state(lifecycle: str, now: datetime, first_start: datetime | None, last_end: datetime | None,
                 seats_left: int) -> SeriesStatus:
    """The status people see: draft, open, full, running, completed or cancelled.

    Only draft/published/cancelled is stored; the rest follows from the clock and the seats, so
    it never goes stale and needs no job to advance it.
    """
    if lifecycle == "draft":
        return SeriesStatus.DRAFT
    if lifecycle == "cancelled":
        return SeriesStatus.CANCELLED
    if last_end is not None and now >= last_end:
        return SeriesStatus.COMPLETED
    if first_start is not None and now >= first_start:
        return SeriesStatus.RUNNING
    return SeriesStatus.FULL if seats_left <= 0 else SeriesStatus.OPEN
