"""The member's own applications, on their home page."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..series.models import Series
from .models import Application
from .services import waitlist_position


def section(user):
    applications = db.session.scalars(
        select(Application).where(Application.user_id == user.id).order_by(Application.applied_at.desc())
        .options(selectinload(Application.series).options(selectinload(Series.meetings), selectinload(Series.leaders)))
    ).all()
    return ("enrollment/_home.html", {"applications": applications, "user": user, "position": waitlist_position})
