"""On the home page: the next meeting of each group with its way in, and a member's own attendance."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.clock import now
from ..enrollment.models import Application
from ..extensions import db
from ..series.models import Meeting, Series, series_leaders
from .attendance import own_attendance_records


def section(user):
    groups = home_groups(user, now())
    if not groups:
        return None
    return ("video/_home.html", {"groups": groups, "window": current_app.config["JOIN_WINDOW_MINUTES"]})


@dataclass
class HomeGroup:
    series: Series
    leading: bool
    next_meeting: Meeting | None
    room_ready: bool
    opens_at: datetime | None
    attendance: list[tuple[Meeting, str]]  # a member's started meetings: present | absent | excused | ""


def home_groups(user: User, moment: datetime) -> list[HomeGroup]:
    """The groups a person meets with (as enrolled member or leader) that are running or to come."""
    enrolled_ids = select(Application.series_id).where(Application.user_id == user.id, Application.status == "enrolled")
    led_ids = select(series_leaders.c.series_id).where(series_leaders.c.user_id == user.id)
    current = select(Meeting.series_id).where(Meeting.ends_at > moment)
    mine = db.session.scalars(
        select(Series).where(or_(Series.id.in_(enrolled_ids), Series.id.in_(led_ids)), Series.id.in_(current),
                             Series.lifecycle == "published")
        .options(selectinload(Series.meetings), selectinload(Series.leaders))).all()
    records = own_attendance_records([s for s in mine if not s.is_led_by(user)], user, moment)
    window = timedelta(minutes=int(current_app.config["JOIN_WINDOW_MINUTES"]))
    groups = []
    for series in sorted(mine, key=lambda s: (s.first_start or moment, s.id)):
        leading = series.is_led_by(user)
        upcoming = [m for m in series.live_meetings if m.ends_at > moment]
        next_meeting = upcoming[0] if upcoming else None
        attendance = [] if leading else [(m, (records[m.id].status if m.id in records else None) or "")
                                         for m in series.live_meetings if m.starts_at <= moment]
        groups.append(HomeGroup(series, leading, next_meeting, next_meeting is not None and next_meeting.video_room is not None,
                                next_meeting.starts_at - window if next_meeting else None, attendance))
    return groups
