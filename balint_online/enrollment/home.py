"""The member's own applications, on their home page."""

from sqlalchemy import select

from ..extensions import db
from .models import Application
from .services import waitlist_position


def section(user):
    applications = db.session.scalars(
        select(Application).where(Application.user_id == user.id).order_by(Application.applied_at.desc())
    ).all()
    return ("enrollment/_home.html", {"applications": applications, "user": user, "position": waitlist_position})
