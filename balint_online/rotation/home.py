"""Home page section: "Your presenting turns", with links to the rotations of one's groups."""

from sqlalchemy import select

from ..core.clock import now
from ..enrollment.models import Application
from ..extensions import db
from ..series.models import Series, series_leaders
from .queries import upcoming_turns_for


def _running(series_list):
    moment = now()
    return [s for s in series_list if s.last_end is not None and s.last_end > moment]


def section(user):
    turns = upcoming_turns_for(user)
    groups = _running(db.session.scalars(
        select(Series).join(Application, Application.series_id == Series.id)
        .where(Application.user_id == user.id, Application.status == "enrolled", Series.lifecycle == "published")
        .order_by(Series.first_meeting_local)
    ).unique().all())
    led = []
    if user.can_lead:
        led = _running(db.session.scalars(
            select(Series).join(series_leaders).where(series_leaders.c.user_id == user.id,
                                                       Series.lifecycle == "published")
            .order_by(Series.first_meeting_local)
        ).unique().all())
    if not (turns or groups or led):
        return None
    return "rotation/_home_turns.html", {"turns": turns, "groups": groups, "led": led}
