"""The series a leader leads, on their home page."""

from sqlalchemy import select

from ..extensions import db
from .models import Series, series_leaders


def section(user):
    if not user.can_lead:
        return None
    led = db.session.scalars(
        select(Series).join(series_leaders).where(series_leaders.c.user_id == user.id, Series.lifecycle != "cancelled")
        .order_by(Series.first_meeting_local)
    ).all()
    return ("series/_home_leading.html", {"led": led})
