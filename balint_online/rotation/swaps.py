"""Members asking each other to swap presenting turns: the request, the answer, the withdrawal (flushes only).

A request the engine would refuse is refused at once; one that is no longer valid when accepted is
closed as "refused" with the reason, which the boundary commits before answering 409 (`raise_if_refused`).
"""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..extensions import db
from ..notifications.services import queue_email
from ..series.locking import lock_series
from ..series.models import Series
from .commands import refusal
from .engine import SwapRefused, swap
from .models import SwapRequest, SwapStatus
from .planning import apply_plan
from .state import (
    Snapshot,
    is_enrolled,
    not_pending,
    require_member,
    require_open,
    rotation_url,
    stored_plan,
    take_snapshot,
)


def _check_swap(snap: Snapshot, request_turns):
    try:
        return swap(snap.inp, stored_plan(snap), *request_turns)
    except SwapRefused as exc:
        raise refusal(exc) from exc


def request_swap(series: Series, requester: User, meeting_id: int, partner_id: int, partner_meeting_id: int,
                 message: str = "") -> SwapRequest:
    """`requester` asks `partner` to exchange turns; refused at once if the swap could not be applied now."""
    require_member(series, requester)
    require_open(series)
    partner = db.session.get(User, partner_id)
    if partner is None or partner.id == requester.id or not is_enrolled(series, partner):
        raise InvalidInput(
            _("Ask another member of this group."), fields={"partner_id": _("Not another member of this group.")}
        )
    snap = take_snapshot(series)
    for meeting_ref, name in ((meeting_id, "meeting_id"), (partner_meeting_id, "partner_meeting_id")):
        if meeting_ref not in snap.by_id:
            raise InvalidInput(
                _("That meeting is not part of this series."), fields={name: _("Not a meeting of this series.")}
            )
    _check_swap(snap, (meeting_id, requester.id, partner_meeting_id, partner.id))
    duplicate = db.session.scalar(select(SwapRequest.id).where(
        SwapRequest.requester_id == requester.id, SwapRequest.partner_id == partner.id,
        SwapRequest.requester_meeting_id == meeting_id, SwapRequest.partner_meeting_id == partner_meeting_id,
        SwapRequest.status == "pending"))
    if duplicate is not None:
        raise DomainError(_("You have already asked this; wait for the answer."), code="already_requested")
    request = SwapRequest(series_id=series.id, requester_id=requester.id, requester_meeting_id=meeting_id,
                          partner_id=partner.id, partner_meeting_id=partner_meeting_id, message=message.strip()[:500],
                          created_at=now())
    db.session.add(request)
    db.session.flush()
    queue_email(key=f"rotation-swap-request:request-{request.id}", kind="rotation_swap_request", user=partner,
                context={"series": series, "request": request, "requester": requester,
                         "requests_url": rotation_url(series) + "/requests"})
    return request


def _decide(request: SwapRequest, status: SwapStatus, outcome: str = "") -> None:
    request.status, request.outcome, request.decided_at = status, outcome[:1000], now()


def answer_swap_request(request: SwapRequest, user, accept: bool) -> SwapRequest:
    """The partner accepts (the swap is applied if still valid) or declines.

    A swap that is no longer valid closes the request as "refused", with the reason as its outcome.
    """
    if user is None or request.partner_id != user.id:
        raise NotAllowed(_("Only the member who was asked can answer this request."))
    if request.status != "pending":
        raise not_pending(request)
    series = request.series
    if not accept:
        _decide(request, SwapStatus.DECLINED)
        _tell_requester(request)
        db.session.flush()
        return request
    lock_series(series.id)
    snap = take_snapshot(series)
    turns = (request.requester_meeting_id, request.requester_id, request.partner_meeting_id, request.partner_id)
    try:
        if request.requester_id not in snap.members or request.partner_id not in snap.members:
            raise DomainError(_("One of you is no longer enrolled in this group."), code="swap_refused")
        swapped = _check_swap(snap, turns)
    except DomainError as exc:
        _decide(request, SwapStatus.REFUSED, exc.message)
        _tell_requester(request)
        db.session.flush()
        return request
    _decide(request, SwapStatus.ACCEPTED)
    apply_plan(snap, swapped, kind="swapped", reason="two members agreed to swap their presenting turns", actor=user)
    return request


def raise_if_refused(request) -> None:
    """After the boundary committed a refused answer: the 409 that says why (swap and placement requests)."""
    if request.status == "refused":
        code = "swap_refused" if isinstance(request, SwapRequest) else "placement_refused"
        raise DomainError(request.outcome, code=code)


def withdraw_swap_request(request: SwapRequest, user) -> SwapRequest:
    if user is None or request.requester_id != user.id:
        raise NotAllowed(_("Only the member who asked can withdraw this request."))
    if request.status != "pending":
        raise not_pending(request)
    _decide(request, SwapStatus.WITHDRAWN)
    db.session.flush()
    return request


def _tell_requester(request: SwapRequest) -> None:
    queue_email(key=f"rotation-swap-answer:request-{request.id}", kind="rotation_swap_answer", user=request.requester,
                context={"series": request.series, "request": request, "rotation_url": rotation_url(request.series)})


def swap_requests_for(series: Series, user) -> list[SwapRequest]:
    """The requests a member made or received in this series (every request for its leaders), newest first."""
    query = select(SwapRequest).where(SwapRequest.series_id == series.id).options(
        selectinload(SwapRequest.requester), selectinload(SwapRequest.partner),
        selectinload(SwapRequest.requester_meeting), selectinload(SwapRequest.partner_meeting),
    ).order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc())
    if not series.can_manage(user):
        query = query.where((SwapRequest.requester_id == user.id) | (SwapRequest.partner_id == user.id))
    return list(db.session.scalars(query))
