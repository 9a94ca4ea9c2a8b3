"""The member's aid applications and their state on their home page, and the aid they could still apply for."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..enrollment.models import LIVE_STATUSES, Application
from ..extensions import db
from ..pricing.services import series_today
from .services import aid_of, programmes_by_series


def section(user):
    aid = aid_of(user)
    asked = {(a.application_id, a.programme_id) for a in aid}
    open_to_apply = []
    live = db.session.scalars(select(Application).where(
        Application.user_id == user.id, Application.status.in_(LIVE_STATUSES), Application.scholarship.is_(False))
        .options(selectinload(Application.series))).all()
    offered = programmes_by_series([a.series_id for a in live])
    for application in live:
        today = series_today(application.series)
        programmes = [p for p in offered[application.series_id]
                      if (application.id, p.id) not in asked and (p.deadline is None or today <= p.deadline)]
        if programmes:
            open_to_apply.append((application, programmes))
    if not aid and not open_to_apply:
        return None
    return ("aid/_home.html", {"aid": aid, "open_to_apply": open_to_apply})
