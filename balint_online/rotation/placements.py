"""Leaders' override within the guarantee: a member presents at a meeting they marked unavailable,
after being asked (Planning Center's blockout warnings are the model: the leader is warned, the
member confirms, then the turn is placed)."""

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..extensions import db
from ..notifications.services import queue_email
from ..series.locking import lock_series
from .engine import RotationInfeasible, plan_rotation
from .models import MemberUnavailability, PlacementRequest, PlacementStatus
from .planning import apply_plan, explain
from .state import is_enrolled, names_for, not_pending, require_open, rotation_url, stored_plan, take_snapshot


def _placed(snap, meeting, member: int):
    """The rotation with `member` presenting at `meeting`, which they no longer mark unavailable.

    Their own upcoming turn (if any) goes to someone who presented at `meeting` when it is full, so
    the rest of the plan stays; the engine then checks every guarantee. Returns (input, plan);
    raises DomainError (409, placement_refused) when the placement cannot stand.
    """
    unavailable = {**snap.unavailable, member: snap.unavailable.get(member, frozenset()) - {meeting.id}}
    inp = replace(snap.inp, unavailable=unavailable)
    upcoming = [m for m in snap.upcoming]
    edited = {m.id: list(stored_plan(snap).presenters.get(m.id, ())) for m in upcoming}
    if member not in edited[meeting.id]:
        own = next((m for m in upcoming if member in edited[m.id]), None)
        if own is not None:
            edited[own.id].remove(member)
        here = edited[meeting.id]
        if len(here) >= meeting.presenters_here and here:
            free_then = [x for x in here if own is None or own.id not in unavailable.get(x, ())]
            other = (free_then or here)[0]
            here.remove(other)
            if own is not None:
                edited[own.id].append(other)
        here.append(member)
    try:
        plan = plan_rotation(replace(inp, current=edited))
    except RotationInfeasible as exc:
        raise DomainError(explain(exc), code="placement_refused") from exc
    if member not in plan.presenters.get(meeting.id, ()):
        raise DomainError(_("Meeting %(number)s cannot take this turn and still keep every member's turn.",
                            number=meeting.number),
                          code="placement_refused")
    return inp, plan


def ask_to_place(series, actor, meeting_id: int, user_id: int, message: str = "") -> PlacementRequest:
    """A leader asks a member to present at a meeting they marked unavailable; refused at once if it could not stand."""
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator may ask a member to present."))
    require_open(series)
    snap = take_snapshot(series)
    meeting = next((m for m in snap.upcoming if m.id == meeting_id), None)
    if meeting is None:
        raise InvalidInput(_("Choose a meeting of this series still to come."),
                           fields={"meeting_id": _("Not an upcoming meeting.")})
    if user_id not in snap.members:
        raise InvalidInput(_("Ask a member of this group."), fields={"user_id": _("Not an enrolled member.")})
    name = names_for([user_id]).get(user_id, _("This member"))
    if meeting.id not in snap.unavailable.get(user_id, ()):
        raise InvalidInput(_("%(name)s has not marked meeting %(number)s unavailable: move the turn instead.",
                             name=name, number=meeting.number),
                           fields={"meeting_id": _("The member is available then.")})
    if db.session.scalar(select(PlacementRequest.id).where(
            PlacementRequest.meeting_id == meeting.id, PlacementRequest.user_id == user_id,
            PlacementRequest.status == "pending")):
        raise DomainError(_("%(name)s has been asked already; wait for the answer.", name=name),
                          code="already_requested")
    _placed(snap, meeting, user_id)
    request = PlacementRequest(series_id=series.id, meeting_id=meeting.id, user_id=user_id,
                               requested_by_id=actor.id, message=message.strip()[:500], created_at=now())
    db.session.add(request)
    db.session.flush()
    queue_email(key=f"rotation-placement-request:request-{request.id}", kind="rotation_placement_request",
                user=request.user, context={"series": series, "request": request,
                                            "requests_url": rotation_url(series) + "/requests"})
    return request


def _decide(request: PlacementRequest, status: PlacementStatus, outcome: str = "") -> None:
    request.status, request.outcome, request.decided_at = status, outcome[:1000], now()
    if request.requested_by is not None:
        queue_email(key=f"rotation-placement-answer:request-{request.id}", kind="rotation_placement_answer",
                    user=request.requested_by, context={"series": request.series, "request": request,
                                                        "rotation_url": rotation_url(request.series)})


def answer_placement(request: PlacementRequest, user, accept: bool) -> PlacementRequest:
    """The member agrees (the turn is placed, if it still can be) or declines.

    A placement that can no longer stand closes the request as "refused", with the reason as its
    outcome (the boundary commits it, then answers 409: `swaps.raise_if_refused`).
    """
    if user is None or request.user_id != user.id:
        raise NotAllowed(_("Only the member who was asked can answer this request."))
    if request.status != "pending":
        raise not_pending(request)
    if not accept:
        _decide(request, PlacementStatus.DECLINED)
        db.session.flush()
        return request
    series = request.series
    lock_series(series.id)
    snap = take_snapshot(series)
    meeting = next((m for m in snap.upcoming if m.id == request.meeting_id), None)
    try:
        if meeting is None or not is_enrolled(series, user):
            raise DomainError(_("The meeting has passed or was cancelled, or you are no longer in the group."),
                              code="placement_refused")
        inp, plan = _placed(snap, meeting, user.id)
    except DomainError as exc:
        _decide(request, PlacementStatus.REFUSED, exc.message)
        db.session.flush()
        return request
    db.session.execute(MemberUnavailability.__table__.delete().where(
        MemberUnavailability.meeting_id == meeting.id, MemberUnavailability.user_id == user.id))
    _decide(request, PlacementStatus.ACCEPTED)
    apply_plan(replace(snap, unavailable=inp.unavailable, inp=inp), plan, kind="moved",
               reason=f"{user.name} agreed to present at meeting {meeting.number}", actor=user)
    return request


def withdraw_placement(request: PlacementRequest, user) -> PlacementRequest:
    if not request.series.can_manage(user):
        raise NotAllowed(_("Only this series' leaders or an administrator may withdraw this request."))
    if request.status != "pending":
        raise not_pending(request)
    request.status, request.decided_at = PlacementStatus.WITHDRAWN, now()
    db.session.flush()
    return request


def placement_requests_for(series, user) -> list[PlacementRequest]:
    """The requests a member was sent in this series (every request, for its leaders), newest first."""
    query = select(PlacementRequest).where(PlacementRequest.series_id == series.id).options(
        selectinload(PlacementRequest.user), selectinload(PlacementRequest.meeting),
        selectinload(PlacementRequest.requested_by),
    ).order_by(PlacementRequest.created_at.desc(), PlacementRequest.id.desc())
    if not series.can_manage(user):
        query = query.where(PlacementRequest.user_id == user.id)
    return list(db.session.scalars(query))


def blockouts(series) -> list[tuple]:
    """(member, meeting) for each upcoming meeting a member marked unavailable: whom a leader may ask."""
    snap = take_snapshot(series)
    names = names_for(snap.members)
    return [(user_id, names.get(user_id, ""), m) for m in snap.upcoming for user_id in snap.members
            if m.id in snap.unavailable.get(user_id, ())]
