"""Attendance: who entered (the way in), who the provider saw (Zoom's webhooks), and whether someone came.

The leaders' grid, which judges each cell by the credit's rules, is certificates' (certificates/attendance.py).
Changes flush; the caller's boundary commits.
"""

import logging
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select

from ..accounts.models import User
from ..core.statements import insert_once
from ..enrollment.queries import is_enrolled
from ..extensions import db
from ..series.models import Meeting, Series
from .models import Attendance, VideoProvisioning

log = logging.getLogger(__name__)


def attendance_row(meeting_id: int, user_id: int) -> Attendance:
    """The person's attendance row for the meeting, made if missing (safely against a concurrent maker)."""
    query = select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.user_id == user_id)
    row = db.session.scalar(query)
    if row is None:
        row = insert_once(Attendance, meeting_id=meeting_id, user_id=user_id) or db.session.execute(query).scalar_one()
    return row


def record_entry(meeting_id: int, user_id: int, moment: datetime) -> None:
    row = attendance_row(meeting_id, user_id)
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
    row = attendance_row(meeting.id, user.id)
    if event.kind == "joined":
        row.provider_joined_at = min(t for t in (row.provider_joined_at, event.at) if t is not None)
    else:
        row.provider_left_at = max(t for t in (row.provider_left_at, event.at) if t is not None)
    db.session.flush()
    return True


@cache
def _own_records():
    return select(Attendance).where(Attendance.user_id == bindparam("user_id"),
                                    Attendance.meeting_id.in_(bindparam("meeting_ids", expanding=True)))


def own_attendance_records(series_list: list[Series], user: User, moment: datetime) -> dict[int, Attendance]:
    """The person's attendance records at the held meetings of these series, in one query."""
    held = [m.id for s in series_list for m in s.live_meetings if m.starts_at <= moment]
    if not held:
        return {}
    return {r.meeting_id: r for r in db.session.scalars(_own_records(), {"user_id": user.id, "meeting_ids": held})}


def attended(record: Attendance | None) -> bool:
    """The leaders' word where they gave it; otherwise whether the platform or the provider saw them come."""
    if record is None:
        return False
    if record.status is not None:
        return record.status == "present"
    return record.first_entered_at is not None or record.provider_joined_at is not None


def took_part(applications, moment: datetime) -> set[int]:
    """The ids of those of these applications whose person attended a meeting of its series held by
    `moment` (and not cancelled): one query for them all."""
    wanted = {(a.series_id, a.user_id): a.id for a in applications}
    if not wanted:
        return set()
    records = db.session.execute(
        select(Meeting.series_id, Attendance).join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.series_id.in_({s for s, _ in wanted}), Attendance.user_id.in_({u for _, u in wanted}),
               Meeting.status != "cancelled", Meeting.starts_at <= moment))
    return {wanted[series_id, r.user_id] for series_id, r in records
            if (series_id, r.user_id) in wanted and attended(r)}
