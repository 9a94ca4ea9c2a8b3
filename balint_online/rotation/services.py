"""The rotation follows changes that have already happened (a member joined or left, a meeting moved, the
series was cancelled): called inside the caller's unit of work, flushing, never committing.

`refresh` re-plans; where no rotation keeps every guarantee (`RotationInfeasible`) the stored plan is
kept, less the turns that cannot stand, and the failure is recorded (a `RotationEvent` of kind
"infeasible" with its explanation, shown on the rotation page) and emailed to the leaders.
"""

import logging

from sqlalchemy import select

from ..core.clock import now
from ..extensions import db
from ..series.locking import lock_series
from ..series.models import Meeting, Series
from .engine import RotationInfeasible, RotationPlan, plan_rotation
from .models import PresenterTurn, RotationEvent
from .planning import apply_plan, explain, record, tell_leaders, write_plan
from .state import diff, stored_plan, take_snapshot

log = logging.getLogger(__name__)


def refresh(series: Series, *, reason: str, actor=None) -> RotationEvent | None:
    """Re-plan after a change that has already happened; never commits."""
    if series.lifecycle == "cancelled":
        return clear_future(series, reason=reason, actor=actor)
    lock_series(series.id)
    snap = take_snapshot(series)
    try:
        plan = plan_rotation(snap.inp)
    except RotationInfeasible as exc:
        explanation = explain(exc)
        log.warning("Rotation of series %s kept as it was after %r: %s", series.id, reason, explanation)
        # Turns that cannot stand go all the same: at cancelled meetings, and of people no longer enrolled.
        kept = stored_plan(snap)
        enrolled = set(snap.members)
        presenters = {m: p if snap.is_past(snap.by_id[m]) else tuple(x for x in p if x in enrolled)
                      for m, p in kept.presenters.items() if not snap.by_id[m].is_cancelled}
        backups = {m: b if b in enrolled else None for m, b in kept.backups.items()}
        kept = RotationPlan(presenters=presenters, backups=backups, changes=diff(snap, presenters))
        write_plan(snap, kept)
        event = record(snap, kept, kind="infeasible", reason=reason, actor=actor, explanation=explanation)
        tell_leaders(snap, event, exc)
        return event
    return apply_plan(snap, plan, kind="replanned", reason=reason, actor=actor)


def clear_future(series: Series, *, reason: str, actor=None) -> RotationEvent | None:
    """A cancelled series keeps its held turns and drops every later one, without emails
    (members are told of the cancellation itself)."""
    moment = now()
    future = select(Meeting.id).where(Meeting.series_id == series.id, Meeting.starts_at > moment)
    turns = db.session.scalars(select(PresenterTurn).where(PresenterTurn.meeting_id.in_(future))).all()
    if not turns:
        return None
    for turn in turns:
        db.session.delete(turn)
    event = RotationEvent(series_id=series.id, kind="cleared", reason=reason[:500],
                          changes=[[t.meeting_id, t.user_id, "removed"] for t in turns if t.role == "presenter"],
                          actor_id=getattr(actor, "id", None), at=moment)
    db.session.add(event)
    db.session.flush()
    return event
