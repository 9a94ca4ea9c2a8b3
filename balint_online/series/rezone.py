"""Re-planning meetings when the pinned zone rules change.

A series promises a wall-clock time in its zone ("19:00 in Casablanca"). Each meeting keeps that
local start (Meeting.local_start) and the series the tzdata release its instants were computed
with (Series.rules_version). When a new release changes a zone's offsets, the instants of meetings
still to come are computed again from their local starts: the group still meets at 19:00 on its
own clock, at a different moment. Calendars, join windows and reminders all follow the stored
instants, so moving those moves everything; each person is told once.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select, update

from ..core.statements import rows_changed
from ..core.zonerules import ZoneRules
from ..core.zonerules import current as current_rules
from ..extensions import db
from .models import Meeting, Series


@dataclass(frozen=True)
class Move:
    meeting_id: int
    starts_at: datetime
    ends_at: datetime


def replan(meetings, tzid: str, rules: ZoneRules) -> list[Move]:
    """Meetings (id, local_start, starts_at, ends_at) whose instants `rules` put elsewhere.

    Each keeps its length. A local start the new rules skip (a new gap) resolves as zoneinfo does
    for fold=0, to the instant just after the gap; one they repeat, to its first occurrence.
    """
    zone = rules.zone(tzid)
    moves = []
    for meeting_id, local_start, starts_at, ends_at in meetings:
        new_start = local_start.replace(tzinfo=zone).astimezone(UTC)
        if new_start != starts_at:
            moves.append(Move(meeting_id, new_start, new_start + (ends_at - starts_at)))
    return moves


def _claim(series_id: int, version: str) -> bool:
    """Take the series for re-planning under `version`: one scheduler wins, the others skip it."""
    claimed = rows_changed(
        update(Series).where(Series.id == series_id,
                             or_(Series.rules_version.is_(None), Series.rules_version != version))
        .values(rules_version=version)
    )
    return claimed == 1


def replan_series(series: Series, moment: datetime, rules: ZoneRules) -> list[Meeting]:
    """Move the series' live meetings still to come onto `rules` (the current ones), raising each moved
    meeting's SEQUENCE; returns those moved. Calendars and rooms follow in flows/series.py. Flushes."""
    if not _claim(series.id, rules.version):
        return []
    db.session.refresh(series)
    coming = [m for m in series.meetings if not m.is_cancelled and m.starts_at > moment and m.local_start]
    by_id = {m.id: m for m in coming}
    moved = []
    for move in replan([(m.id, m.local_start, m.starts_at, m.ends_at) for m in coming], series.timezone, rules):
        meeting = by_id[move.meeting_id]
        meeting.starts_at, meeting.ends_at = move.starts_at, move.ends_at
        meeting.sequence += 1
        moved.append(meeting)
    db.session.flush()
    return moved


def series_on_other_rules(moment: datetime) -> list[int]:
    """Every series with meetings to come computed with other rules than the current ones."""
    version = current_rules().version
    # Finished series keep the instants they were held at.
    return list(db.session.scalars(
        select(Series.id).where(or_(Series.rules_version.is_(None), Series.rules_version != version),
                                Series.lifecycle != "cancelled",
                                Series.id.in_(select(Meeting.series_id).where(Meeting.starts_at > moment)))
        .order_by(Series.id)
    ))
