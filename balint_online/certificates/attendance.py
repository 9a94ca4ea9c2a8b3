"""The leaders' attendance grid: members x meetings, each cell judged by the credit's rules and grace minutes
(rules.py), from video's records; the leaders confirm it, and it is exported as CSV.

Changes flush; the caller's boundary commits.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from ..accounts.models import User
from ..core.clock import now
from ..core.errors import InvalidInput
from ..enrollment.queries import enrolled_people
from ..extensions import db
from ..series.models import Meeting, Series
from ..series.services import require_manager
from ..video.attendance import attendance_row, attended
from ..video.models import ATTENDANCE_STATUSES, Attendance, AttendanceStatus
from .models import SeriesCredit
from .rules import FULL, CreditSettings, Presence, meeting_verdict


@dataclass
class Cell:
    meeting: Meeting
    record: Attendance | None
    editable: bool  # the meeting has started, so there is something to confirm
    # What the records say of the whole meeting (certificates.rules: full, late, left_early, absent).
    seen_as: str = ""

    @property
    def choice(self) -> str:
        """What the grid shows: the leaders' word, else "present" for whom the records show there throughout.

        Someone seen arriving late or leaving early is left for the leaders to decide, so that saving the
        grid does not turn a partial attendance into their word that it was whole."""
        if self.record is not None and self.record.status:
            return self.record.status
        return "present" if self.seen_as == FULL else ""


@dataclass
class MemberRow:
    user: User
    enrolled: bool
    cells: list[Cell] = field(default_factory=list)

    def numbers(self, status: str) -> list[int]:
        return [c.meeting.number for c in self.cells if c.record is not None and c.record.status == status]


@dataclass
class Grid:
    series: Series
    meetings: list[Meeting]
    rows: list[MemberRow]


@cache
def _series_records():
    """The attendance records at a series' live meetings (bound as `series_id`)."""
    return (select(Attendance).join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Meeting.series_id == bindparam("series_id"), Meeting.status != "cancelled"))


def attendance_grid(series: Series, moment: datetime) -> Grid:
    """Members x live meetings: enrolled members, and anyone else with a record (who left mid-way)."""
    meetings = series.live_meetings
    enrolled = enrolled_people(series.id)
    records = db.session.scalars(_series_records(), {"series_id": series.id}).all()
    by_cell = {(r.meeting_id, r.user_id): r for r in records}
    leader_ids = {u.id for u in series.leaders}
    people = {u.id: MemberRow(u, True) for u in enrolled}
    # Those who left mid-way, in one query: their records' `user` one by one would be a query each.
    if left := {r.user_id for r in records} - people.keys() - leader_ids:
        people.update((u.id, MemberRow(u, False)) for u in db.session.scalars(select(User).where(User.id.in_(left))))
    rows = sorted(people.values(), key=lambda r: (r.user.name.lower(), r.user.id))
    grace = timedelta(minutes=grace_minutes(series))
    # Each meeting's facts read once, not once per member: a 40 x 40 grid is 1,600 cells.
    columns = [(m, m.id, m.starts_at, m.ends_at, m.starts_at <= moment) for m in meetings]
    for row in rows:
        user_id = row.user.id
        row.cells = []
        for m, meeting_id, starts_at, ends_at, started in columns:
            record = by_cell.get((meeting_id, user_id))
            seen_as = (
                ""
                if record is None or not record.seen
                else meeting_verdict(
                    Presence(starts_at, ends_at, record.first_entered_at, record.provider_joined_at,
                             record.provider_left_at),
                    grace,
                )
            )
            row.cells.append(Cell(m, record, started, seen_as))
    return Grid(series, meetings, rows)


def grace_minutes(series: Series) -> int:
    """The series' credit settings say how late or early still counts as the whole meeting."""
    credit = db.session.get(SeriesCredit, series.id)
    return credit.grace_minutes if credit is not None else CreditSettings.grace_minutes


def cell_name(meeting_id: int, user_id: int) -> str:
    return f"m{meeting_id}_u{user_id}"


def save_attendance(series: Series, actor: User, choices: dict[str, str]) -> int:
    """The leaders' word on each started meeting's cells, from `choices` by cell_name; returns how many changed.

    "" clears a confirmation; cells not in `choices` are left alone.
    """
    require_manager(series, actor)
    moment = now()
    changed = 0
    for row in attendance_grid(series, moment).rows:
        for cell in row.cells:
            value = choices.get(cell_name(cell.meeting.id, row.user.id))
            if value is None or not cell.editable:
                continue
            if value and value not in ATTENDANCE_STATUSES:
                raise InvalidInput(_("Choose present, absent or excused."),
                                   fields={cell_name(cell.meeting.id, row.user.id): _("Not a choice.")})
            current = cell.record.status if cell.record is not None else None
            if (value or None) == current:
                continue
            record = cell.record or attendance_row(cell.meeting.id, row.user.id)
            record.status = AttendanceStatus(value) if value else None
            record.confirmed_by_id, record.confirmed_at = actor.id, moment
            changed += 1
    db.session.flush()
    return changed


def attendance_table(grid: Grid) -> tuple[list[str], list[list]]:
    """One row per member, one column per meeting: present, absent, excused, entered (not yet confirmed) or blank."""
    header = (
        ["name", "email"]
        + [f"meeting {m.number} ({m.starts_at.date().isoformat()})" for m in grid.meetings]
        + ["attended"]
    )
    rows = []
    for row in grid.rows:
        marks = [(c.record.status or ("entered" if attended(c.record) else "")) if c.record else "" for c in row.cells]
        rows.append([row.user.name, row.user.email] + marks + [sum(attended(c.record) for c in row.cells)])
    return header, rows
