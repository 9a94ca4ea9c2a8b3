"""On the home page: swap and placement requests waiting for the person's answer, and their presenting turns."""

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from ..enrollment.home import applications, led_series
from ..extensions import db
from .models import PlacementRequest, SwapRequest
from .queries import upcoming_turns_for


def upcoming_turns(home):
    return home.once("turns", lambda: upcoming_turns_for(home.user, home.moment))


@cache
def _swaps_asked():
    return (select(SwapRequest).where(SwapRequest.partner_id == bindparam("user_id"), SwapRequest.status == "pending")
            .options(selectinload(SwapRequest.series), selectinload(SwapRequest.requester),
                     selectinload(SwapRequest.requester_meeting), selectinload(SwapRequest.partner_meeting))
            .order_by(SwapRequest.created_at))


@cache
def _placements_asked():
    return (select(PlacementRequest).where(PlacementRequest.user_id == bindparam("user_id"),
                                           PlacementRequest.status == "pending")
            .options(selectinload(PlacementRequest.series), selectinload(PlacementRequest.meeting))
            .order_by(PlacementRequest.created_at))


def requests(home):
    """Requests others made of the person that only they can answer."""
    swaps = db.session.scalars(_swaps_asked(), home.params).all()
    placements = db.session.scalars(_placements_asked(), home.params).all()
    if not swaps and not placements:
        return None
    return "rotation/_home_requests.html", {"swaps": swaps, "placements": placements}


def _running(series_list, moment):
    return [s for s in series_list if s.lifecycle == "published" and s.last_end is not None and s.last_end > moment]


def turns(home):
    groups = _running([a.series for a in applications(home) if a.status == "enrolled"], home.moment)
    led = _running(led_series(home), home.moment)
    mine = upcoming_turns(home)
    if not (mine or groups or led):
        return None
    return "rotation/_home_turns.html", {"turns": mine, "groups": groups, "led": led}
