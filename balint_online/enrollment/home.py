"""On the home page: a leader's decisions waiting, places offered, the person's groups and the groups they lead.

`applications(home)` and `led_series(home)` are what other features' sections read too: loaded once per page.
Both hold only what is current (groups not over yet), so the page costs the same however long a
person's history; the history itself comes a page at a time (`groups`, and invoicing's and
certificates' sections), and a leader's every group on the Leading page.
"""

from functools import cache

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..core.pagination import paginate
from ..core.types import UTCDateTime
from ..extensions import db
from ..series.models import Series, series_leaders
from ..series.services import not_over
from .models import LIVE_STATUSES, Application
from .services import waitlist_positions

HISTORY_PER_PAGE = 10


# The home page's statements are built once, the person and the moment bound as each runs (`Home.params`):
# building them per request cost more than running them.

@cache
def _applications():
    return (select(Application).join(Series, Series.id == Application.series_id)
            .where(Application.user_id == bindparam("user_id"), Application.status.in_(LIVE_STATUSES),
                   not_over(bindparam("moment", type_=UTCDateTime())))
            .order_by(Application.applied_at.desc(), Application.id.desc())
            .options(contains_eager(Application.series).options(selectinload(Series.meetings))))


def applications(home) -> list[Application]:
    """The person's live applications to groups not over yet, newest first, with their series (and its
    meetings). Who leads each is `led_series`' to say, not the series' leaders loaded for each."""
    return home.once("applications", lambda: db.session.scalars(_applications(), home.params).all())


@cache
def _led_series():
    return (select(Series).join(series_leaders).where(series_leaders.c.user_id == bindparam("user_id"),
                                                      Series.lifecycle != "cancelled",
                                                      not_over(bindparam("moment", type_=UTCDateTime())))
            .order_by(Series.first_meeting_local, Series.id)
            .options(selectinload(Series.meetings)))


def led_series(home) -> list[Series]:
    """The series the person leads (not cancelled, not over), soonest first; none for a member."""
    return home.once("led", lambda: db.session.scalars(_led_series(), home.params).all() if home.user.can_lead
                     else [])


def leads_any(home) -> bool:
    """Whether the person leads any series not cancelled, over or not."""
    return home.once("leads_any", lambda: bool(led_series(home)) or bool(home.user.can_lead and db.session.scalar(
        select(exists().where(series_leaders.c.user_id == home.user.id, series_leaders.c.series_id == Series.id,
                              Series.lifecycle != "cancelled")))))


def pending_counts(series_ids) -> dict[int, int]:
    """Applications awaiting the leaders' decision, per series, in one query."""
    ids = list(series_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Application.series_id, func.count(Application.id)).where(
        Application.series_id.in_(ids), Application.status == "pending").group_by(Application.series_id)).all())


def _pending(home) -> dict[int, int]:
    return home.once("pending", lambda: pending_counts(s.id for s in led_series(home)))


def decisions(home):
    """A leader's first sight: the applications waiting for their decision."""
    pending = _pending(home)
    waiting = [(s, pending[s.id]) for s in led_series(home) if pending.get(s.id)]
    if not waiting:
        return None
    return "enrollment/_home_decisions.html", {"waiting": waiting, "total": sum(n for _, n in waiting)}


def offers(home):
    offered = [a for a in applications(home) if a.status == "offered"]
    if not offered:
        return None
    return "enrollment/_home_offers.html", {"offered": offered}


def _queue_positions(home) -> dict[int, int]:
    """The person's place on each waiting list they are on, in one query for all of them."""
    waiting = [a for a in applications(home) if a.status == "waitlisted"]
    if not waiting:
        return {}
    queues = db.session.execute(select(Application.id, Application.series_id, Application.status,
                                       Application.waitlisted_at).where(
        Application.series_id.in_({a.series_id for a in waiting}), Application.status == "waitlisted")).all()
    positions = {}
    for series_id in {a.series_id for a in waiting}:
        positions.update(waitlist_positions([q for q in queues if q.series_id == series_id]))
    return positions


@cache
def _history():
    return (select(Application).where(Application.user_id == bindparam("user_id"))
            .order_by(Application.applied_at.desc(), Application.id.desc()).options(joinedload(Application.series)))


def groups(home):
    """Every application the person made, newest first, a page at a time (?groups=)."""
    page = paginate(_history(), HISTORY_PER_PAGE, param="groups", short=True, params=home.params)
    if not page.total and leads_any(home):
        return None  # a leader who has not applied anywhere: "Groups you lead" says what they have
    return "enrollment/_home.html", {"page": page, "positions": _queue_positions(home)}


def leading(home):
    if not home.user.can_lead:
        return None
    return "series/_home_leading.html", {"led": led_series(home), "pending": _pending(home),
                                         "leads_any": leads_any(home)}
