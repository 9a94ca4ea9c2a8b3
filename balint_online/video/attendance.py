"""Attendance: who entered (the way in), who the provider saw (Zoom's webhooks), and the leaders' word.

Changes flush; the caller's boundary commits.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..certificates.rules import FULL, CreditSettings, Presence, meeting_verdict
from ..core.clock import now
from ..core.errors import InvalidInput
from ..enrollment.queries import enrolled_members, is_enrolled
from ..extensions import db
from ..series.models import Meeting, Series
from ..series.services import require_manager
from .models import ATTENDANCE_STATUSES, Attendance, AttendanceStatus, VideoProvisioning

log = logging.getLogger(__name__)


def _attendance(meeting_id: int, user_id: int) -> Attendance:
    """The person's attendance row for the meeting, made if missing (safely against a concurrent maker)."""
    query = select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.user_id == user_id)
    row = db.session.scalar(query)
    if row is None:
        try:
            with db.session.begin_nested():
                row = Attendance(meeting_id=meeting_id, user_id=user_id)
                db.session.add(row)
        except IntegrityError:
            row = db.session.execute(query).scalar_one()
    return row


def record_entry(meeting_id: int, user_id: int, moment: datetime) -> None:
    row = _attendance(meeting_id, user_id)
    if row.first_entered_at is None:
        row.first_entered_at = moment


def _entitled_by_email(series: Series, email: str) -> User | None:
    email = email.strip().lower()
    if not email:
        return None
    leader = next((u for u in series.leaders if u.email == email), None)
    member = db.session.scalar(select(User).where(func.lower(User.email) == email))
    return leader or (member if is_enrolled(series, member) else None)


def record_provider_event(event) -> bool:
    """A participant joined or left a provider's room (a verified Zoom webhook); True when recorded.

    People are matched by the email they registered with; joins keep the first arrival, leaves the
    last departure, so a repeated delivery changes nothing.
    """
    meeting = db.session.scalar(
        select(Meeting).join(VideoProvisioning, VideoProvisioning.meeting_id == Meeting.id)
        .where(VideoProvisioning.room_external_id == event.meeting_external_id)
    )
    if meeting is None or (meeting.video_room or {}).get("provider") != "zoom":
        return False
    user = _entitled_by_email(meeting.series, event.email)
    if user is None:
        log.info("video: a participant of meeting %s matched nobody in the group", meeting.id)
        return False
    row = _attendance(meeting.id, user.id)
    if event.kind == "joined":
        row.provider_joined_at = min(t for t in (row.provider_joined_at, event.at) if t is not None)
    else:
        row.provider_left_at = max(t for t in (row.provider_left_at, event.at) if t is not None)
    db.session.flush()
    return True


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


def attendance_grid(series: Series, moment: datetime) -> Grid:
    """Members x live meetings: enrolled members, and anyone else with a record (who left mid-way)."""
    meetings = series.live_meetings
    records = db.session.scalars(select(Attendance).where(Attendance.meeting_id.in_([m.id for m in meetings]))).all()
    by_cell = {(r.meeting_id, r.user_id): r for r in records}
    enrolled = enrolled_members([series.id])[series.id]
    leader_ids = {u.id for u in series.leaders}
    people = {u.id: MemberRow(u, True) for u in enrolled}
    for r in records:
        if r.user_id not in people and r.user_id not in leader_ids:
            people[r.user_id] = MemberRow(r.user, False)
    rows = sorted(people.values(), key=lambda r: (r.user.name.lower(), r.user.id))
    grace = timedelta(minutes=grace_minutes(series))
    for row in rows:
        row.cells = []
        for m in meetings:
            record = by_cell.get((m.id, row.user.id))
            seen_as = (
                ""
                if record is None or not record.seen
                else meeting_verdict(
                    Presence(
                        m.starts_at,
                        m.ends_at,
                        record.first_entered_at,
                        record.provider_joined_at,
                        record.provider_left_at,
                    ),
                    grace,
                )
            )
            row.cells.append(Cell(m, record, m.starts_at <= moment, seen_as))
    return Grid(series, meetings, rows)


def grace_minutes(series: Series) -> int:
    """The series' credit settings say how late or early still counts as the whole meeting."""
    from ..certificates.models import SeriesCredit  # noqa: PLC0415  (a cycle: see the layers contract)

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
            record = cell.record or _attendance(cell.meeting.id, row.user.id)
            record.status = AttendanceStatus(value) if value else None
            record.confirmed_by_id, record.confirmed_at = actor.id, moment
            changed += 1
    db.session.flush()
    return changed


def own_attendance_records(series_list: list[Series], user: User, moment: datetime) -> dict[int, Attendance]:
    """The person's attendance records at the held meetings of these series, in one query."""
    held = [m.id for s in series_list for m in s.live_meetings if m.starts_at <= moment]
    if not held:
        return {}
    return {r.meeting_id: r for r in db.session.scalars(select(Attendance).where(
        Attendance.user_id == user.id, Attendance.meeting_id.in_(held)))}


def attended(record: Attendance | None) -> bool:
    """The leaders' word where they gave it; otherwise whether the platform or the provider saw them come."""
    if record is None:
        return False
    if record.status is not None:
        return record.status == "present"
    return record.first_entered_at is not None or record.provider_joined_at is not None


def attended_meeting_ids(series: Series, user_id: int) -> set[int]:
    held = [m.id for m in series.live_meetings if m.starts_at <= now()]
    records = db.session.scalars(
        select(Attendance).where(Attendance.user_id == user_id, Attendance.meeting_id.in_(held))
    )
    return {r.meeting_id for r in records if attended(r)}


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
