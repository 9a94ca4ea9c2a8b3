"""The member's aid applications and their state on their home page, and the aid they could still apply for."""

from ..enrollment.home import applications
from ..enrollment.models import LIVE_STATUSES
from ..enrollment.quotes import series_today
from .services import aid_of, programmes_by_series


def section(home):
    aid = aid_of(home.user)
    asked = {(a.application_id, a.programme_id) for a in aid}
    open_to_apply = []
    live = [a for a in applications(home) if a.status in LIVE_STATUSES and not a.scholarship]
    offered = programmes_by_series({a.series_id for a in live})
    for application in live:
        today = series_today(application.series)
        programmes = [p for p in offered[application.series_id]
                      if (application.id, p.id) not in asked and (p.deadline is None or today <= p.deadline)]
        if programmes:
            open_to_apply.append((application, programmes))
    if not aid and not open_to_apply:
        return None
    return ("aid/_home.html", {"aid": aid, "open_to_apply": open_to_apply})
