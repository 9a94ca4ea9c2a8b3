"""On the home page, first: the next meeting of each group, the person's turn at it, and the way in."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from ..accounts.models import User
from ..enrollment.home import applications, led_series
from ..rotation.home import upcoming_turns
from ..series.models import Meeting, Series
from .attendance import own_attendance_records


def next_meetings(home):
    enrolled = [a.series for a in applications(home) if a.status == "enrolled"]
    led = led_series(home)
    mine = {s.id: s for s in enrolled + led}
    groups = home_groups(home.user, list(mine.values()), {s.id for s in led}, home.moment)
    if not groups:
        return None
    groups.sort(
        key=lambda g: (g.next_meeting is None, g.next_meeting.starts_at if g.next_meeting else None, g.series.id)
    )
    turns = {t.meeting_id: t for t in upcoming_turns(home)}
    return ("video/_home.html", {"groups": groups, "turns": turns, "moment": home.moment,
                                 "window": current_app.config["JOIN_WINDOW_MINUTES"]})


@dataclass
class HomeGroup:
    series: Series
    leading: bool
    next_meeting: Meeting | None
    room_ready: bool
    opens_at: datetime | None
    attendance: list[tuple[Meeting, str]]  # a member's started meetings: present | absent | excused | ""


def home_groups(user: User, series_list: list[Series], led: set[int], moment: datetime) -> list[HomeGroup]:
    """Of the series a person meets with (as enrolled member or leader of those in `led`, loaded with their
    meetings by the caller), those published and running or to come, with each one's next meeting."""
    mine = [s for s in series_list if s.lifecycle == "published" and any(m.ends_at > moment for m in s.live_meetings)]
    records = own_attendance_records([s for s in mine if s.id not in led], user, moment)
    window = timedelta(minutes=int(current_app.config["JOIN_WINDOW_MINUTES"]))
    groups = []
    for series in sorted(mine, key=lambda s: (s.first_start or moment, s.id)):
        leading = series.id in led
        upcoming = [m for m in series.live_meetings if m.ends_at > moment]
        next_meeting = upcoming[0] if upcoming else None
        attendance = [] if leading else [(m, (records[m.id].status if m.id in records else None) or "")
                                         for m in series.live_meetings if m.starts_at <= moment]
        groups.append(
            HomeGroup(
                series,
                leading,
                next_meeting,
                next_meeting is not None and next_meeting.video_room is not None,
                next_meeting.starts_at - window if next_meeting else None,
                attendance,
            )
        )
    return groups
