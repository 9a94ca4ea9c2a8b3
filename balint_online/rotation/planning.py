"""Re-planning a series' rotation with the engine and writing the plan back (flushes, never commits).

The result is written back as `PresenterTurn` rows (presenters and one backup per meeting) and a
`RotationEvent` records it. Members are not emailed here: what changed for them goes out in the
announcement and the daily digest (`calendar/turns.py`), so a burst of changes is one message.

Several requests may change one series at once; each recomputation locks the series row first
(``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers).
"""

from collections import defaultdict
from dataclasses import replace

from flask_babel import force_locale
from sqlalchemy import select

from ..core.errors import DomainError
from ..core.i18n import language_of
from ..enrollment.models import Application
from ..extensions import db
from ..notifications.services import queue_email
from ..series.locking import lock_series
from ..series.models import Series
from . import wording
from .engine import RotationInfeasible, RotationInput, RotationPlan, plan_rotation
from .models import PresenterTurn, RotationEvent
from .state import Snapshot, diff, names_for, rotation_url, take_snapshot


class RotationConflict(DomainError):
    """No rotation keeps every guarantee with the requested change; nothing was saved."""

    status = 409
    code = "rotation_infeasible"


def explain(exc: RotationInfeasible) -> str:
    return wording.infeasible(exc.unplaceable, names_for(wording.members_in(exc.unplaceable)))


def plan_or_conflict(inp: RotationInput) -> RotationPlan:
    """The engine's plan for a requested change, or RotationConflict (409) naming who has no turn.

    Raised before anything is written; the request's boundary discards what it had flushed.
    """
    try:
        return plan_rotation(inp)
    except RotationInfeasible as exc:
        names = names_for(wording.members_in(exc.unplaceable))
        raise RotationConflict(wording.infeasible(exc.unplaceable, names),
                               unplaceable=wording.unplaceable_people(exc.unplaceable, names)) from exc


def has_room_for_another(series: Series, moment) -> bool:
    """Whether one more member (free at every meeting) could still be given a turn in the meetings left.

    The engine's exact answer: the enrolled members (with their availability and who has presented
    already), everyone holding an offer of a seat, and one newcomer must all fit. Locks the series
    row, so concurrent accepts and offers decide one after another.
    """
    lock_series(series.id)
    snap = take_snapshot(series, moment)
    offered = db.session.scalars(
        select(Application.user_id).where(Application.series_id == series.id, Application.status == "offered")
    ).all()
    # Everyone holding an offer may still take it up, so each needs a turn too; newcomers are
    # stand-ins with negative ids (no real user has one) and no unavailability.
    newcomers = [-(k + 1) for k in range(len(offered) + 1)]
    try:
        plan_rotation(replace(snap.inp, members=[*snap.inp.members, *newcomers]))
    except RotationInfeasible:
        return False
    return True


def write_plan(snap: Snapshot, plan: RotationPlan) -> bool:
    """Store `plan` for every meeting not yet held; True if any row changed.

    A member whose turn moves keeps the case title they had chosen for it.
    """
    by_meeting: dict[int, dict[int, PresenterTurn]] = defaultdict(dict)
    for turn in snap.turns:
        by_meeting[turn.meeting_id][turn.user_id] = turn
    titles: dict[int, list[str]] = defaultdict(list)  # member -> titles of presenter turns they lost
    gained: list[PresenterTurn] = []
    touched = False
    for meeting in snap.meetings:
        if snap.is_past(meeting):
            continue
        wanted: dict[int, str] = {}
        if not meeting.is_cancelled:
            wanted = {member: "presenter" for member in plan.presenters.get(meeting.id, ())}
            backup = plan.backups.get(meeting.id)
            if backup is not None and backup not in wanted:
                wanted[backup] = "backup"
        here = by_meeting.get(meeting.id, {})
        for member, turn in here.items():
            role = wanted.get(member)
            if role == turn.role:
                continue
            touched = True
            if turn.role == "presenter" and turn.case_title:
                titles[member].append(turn.case_title)
            if role is None:
                db.session.delete(turn)
            else:
                turn.role, turn.case_title, turn.announced_at = role, "", snap.moment
                if role == "presenter":
                    gained.append(turn)
        for member, role in wanted.items():
            if member not in here:
                touched = True
                turn = PresenterTurn(meeting_id=meeting.id, user_id=member, role=role, announced_at=snap.moment)
                db.session.add(turn)
                if role == "presenter":
                    gained.append(turn)
    for turn in gained:
        if titles[turn.user_id]:
            turn.case_title = titles[turn.user_id].pop(0)
    db.session.flush()
    return touched


def record(snap: Snapshot, plan: RotationPlan, *, kind: str, reason: str, actor=None,
           explanation: str = "") -> RotationEvent:
    event = RotationEvent(series_id=snap.series.id, kind=kind, reason=reason[:500], explanation=explanation,
                          changes=[[c.meeting_id, c.member_id, str(c.kind)] for c in plan.changes],
                          actor_id=getattr(actor, "id", None), at=snap.moment)
    db.session.add(event)
    db.session.flush()
    return event


def apply_plan(snap: Snapshot, plan: RotationPlan, *, kind: str, reason: str, actor=None) -> RotationEvent | None:
    """Write `plan` back and record the event; None when nothing changed."""
    # Changes as members see them: against every announced turn, not only the ones the engine kept fixed.
    plan = replace(plan, changes=diff(snap, plan.presenters))
    if not write_plan(snap, plan) and not plan.changes:
        return None
    return record(snap, plan, kind=kind, reason=reason, actor=actor)


def tell_leaders(snap: Snapshot, event: RotationEvent, exc: RotationInfeasible) -> None:
    """The rotation could not follow a change: each leader is told why (in their own language) and what they can do."""
    for leader in snap.series.leaders:
        with force_locale(language_of(leader)):
            explanation = explain(exc)
        queue_email(key=f"rotation-infeasible:event-{event.id}:user-{leader.id}", kind="rotation_infeasible",
                    user=leader, context={"series": snap.series, "reason": event.reason,
                                          "explanation": explanation, "rotation_url": rotation_url(snap.series)})
