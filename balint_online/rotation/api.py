"""JSON endpoints for the presenter rotation (see CONTRACT.md, "Presenter rotation")."""

from flask import Blueprint, url_for

from ..accounts.models import User
from ..core.api import ApiError, api_auth, current_api_user, get_or_404, returns, use_body
from ..extensions import db
from ..series.models import Meeting, Series
from . import commands, placements, queries, state, swaps
from .models import PlacementRequest, SwapRequest
from .schemas import (
    Availability,
    AvailabilitySet,
    CaseTitle,
    CaseTitleSet,
    Guarantee,
    Move,
    PlacementAsked,
    PlacementCreate,
    PlacementOut,
    Placements,
    PresenterCountSet,
    Rotation,
    RotationWithAvailability,
    RotationWithGuarantee,
    Swap,
    SwapRequestCreate,
    SwapRequestOut,
    SwapRequests,
)

bp = Blueprint("rotation_api", __name__)


def _committed(result):
    """The request is the unit of work: what the services flushed is committed here, once."""
    db.session.commit()
    return result


def _answered(request):
    """A refused answer is committed (the request closed, with its reason) before the 409 that says why."""
    db.session.commit()
    swaps.raise_if_refused(request)
    return request


def _series(series_id: int) -> Series:
    series = get_or_404(Series, series_id, "series")
    if series.lifecycle == "draft" and not series.can_manage(current_api_user()):
        raise ApiError(404, f"No series with id {series_id}.")
    return series


def _viewable(series_id: int) -> Series:
    series = _series(series_id)
    if not state.can_view(series, current_api_user()):
        raise ApiError(403, "Only this series' leaders, its enrolled members or an administrator may see its rotation.")
    return series


@bp.get("/series/<int:series_id>/rotation")
@api_auth
@returns(Rotation, errors=(403,))
def rotation(series_id):
    """Who presents when, every meeting of the series (its leaders, enrolled members, admins)"""
    return Rotation.of(_viewable(series_id))


def _member_for(series: Series, other: int | None) -> User:
    """The caller, or (for leaders and administrators) the member named by `user_id`."""
    user = current_api_user()
    if other is None or other == user.id:
        return user
    if not series.can_manage(user):
        raise ApiError(403, "Only the series' leaders or an administrator may change another member's availability.")
    member = get_or_404(User, other, "user")
    if not state.is_enrolled(series, member):
        raise ApiError(
            422, "That person is not enrolled in this series.", fields={"user_id": "Not an enrolled member."}
        )
    return member


@bp.get("/series/<int:series_id>/availability")
@api_auth
@returns(Availability, errors=(403,))
def availability(series_id):
    """The caller's unavailability in this series (an enrolled member)"""
    series = _series(series_id)
    if not state.is_enrolled(series, current_api_user()):
        raise ApiError(403, "Only members enrolled in this series have an availability to show.")
    return Availability(series_id=series.id, user_id=current_api_user().id,
                        unavailable_meeting_ids=queries.unavailable_meeting_ids(series, current_api_user()))


@bp.put("/series/<int:series_id>/availability")
@api_auth
@use_body(AvailabilitySet)
@returns(RotationWithAvailability, errors=(403, 409))
def set_availability(series_id, body: AvailabilitySet):
    """Set the meetings where a member cannot present

    The rotation of meetings still to come is recomputed with as few moves as possible; once the turns are
    announced, those whose turns moved are told in one email a day at most (at once for a meeting less than a
    day away). Ids of meetings already held are ignored. Leaders and admins may pass `user_id` to set a
    member's availability for them. 409 `rotation_infeasible` when no rotation keeps every guarantee; nothing is
    saved. `message` names the members who could not be given a turn and why; `unplaceable` lists them as
    `{user_id, name, reason}`. The answer lists the meetings still to come only.
    """
    series = _series(series_id)
    member = _member_for(series, body.user_id)
    if not state.is_enrolled(series, member):
        raise ApiError(403, "Only members enrolled in this series can say when they cannot present.")
    commands.set_availability(series, member, list(dict.fromkeys(body.unavailable_meeting_ids)), current_api_user())
    db.session.commit()
    return RotationWithAvailability.of(series, upcoming_only=True, user_id=member.id,
                                       unavailable_meeting_ids=queries.unavailable_meeting_ids(series, member))


def _manager(series_id: int) -> Series:
    series = _series(series_id)
    if not series.can_manage(current_api_user()):
        raise ApiError(403, "Only this series' leaders or an administrator may change its rotation.")
    return series


@bp.post("/series/<int:series_id>/rotation/swap")
@api_auth
@use_body(Swap)
@returns(Rotation, errors=(403, 409))
def swap(series_id, body: Swap):
    """Leaders exchange two presenting turns still to come

    409 `swap_refused`, with the reason, when a meeting is held or cancelled, a member does not present there, or
    the swap would break a guarantee (a member presenting where they are unavailable, a member left without a
    turn). 422 when a meeting is not part of the series.
    """
    series = _manager(series_id)
    _committed(commands.swap_turns(series, current_api_user(), body.meeting_id_a, body.user_id_a, body.meeting_id_b,
                                   body.user_id_b))
    return Rotation.of(series)


@bp.post("/series/<int:series_id>/rotation/move")
@api_auth
@use_body(Move)
@returns(Rotation, errors=(403, 409))
def move(series_id, body: Move):
    """Leaders move one turn still to come to another meeting, another member, or both

    Accepted only when the edited rotation breaks no guarantee the current one keeps (409 `move_refused` with the
    reason); backups are then chosen again.
    """
    series = _manager(series_id)
    if body.to_meeting_id is None and body.to_user_id is None:
        raise ApiError(
            422, "Say where the turn goes.", fields={"to_meeting_id": "Give to_meeting_id, to_user_id or both."}
        )
    _committed(commands.move_turn(series, current_api_user(), body.meeting_id, body.user_id,
                                  to_meeting_id=body.to_meeting_id, to_user_id=body.to_user_id))
    return Rotation.of(series)


@bp.put("/meetings/<int:meeting_id>/presenters")
@api_auth
@use_body(PresenterCountSet)
@returns(RotationWithGuarantee, errors=(403, 409))
def presenter_count(meeting_id, body: PresenterCountSet):
    """Leaders set how many members present at one meeting

    Two presenters at one meeting can give every member a turn when a meeting is lost. The answer is the whole
    rotation with `guarantee`: whether every member still has a turn.
    """
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    _committed(commands.set_presenter_count(meeting, body.count, current_api_user()))
    return RotationWithGuarantee.of(meeting.series, guarantee=Guarantee.of(meeting.series))


@bp.put("/meetings/<int:meeting_id>/case-title")
@api_auth
@use_body(CaseTitleSet)
@returns(CaseTitle, errors=(403, 409))
def case_title(meeting_id, body: CaseTitleSet):
    """The presenter names their case

    At most 80 characters, nothing that could identify a patient; an empty title removes it.
    """
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    turn = _committed(commands.set_case_title(meeting, current_api_user(), body.case_title))
    return CaseTitle(meeting_id=meeting.id, user_id=turn.user_id, case_title=turn.case_title or None)


@bp.get("/series/<int:series_id>/swap-requests")
@api_auth
@returns(SwapRequests, errors=(403,))
def swap_requests(series_id):
    """Swap requests the caller made or received (every request, for leaders)"""
    series = _viewable(series_id)
    return SwapRequests(
        swap_requests=[SwapRequestOut.of(r) for r in swaps.swap_requests_for(series, current_api_user())]
    )


@bp.post("/series/<int:series_id>/swap-requests")
@api_auth
@use_body(SwapRequestCreate)
@returns(SwapRequestOut, status=201, errors=(403, 409))
def create_swap_request(series_id, body: SwapRequestCreate):
    """An enrolled member asks another to exchange presenting turns

    Refused at once (409 `swap_refused`) when the swap could not be made now.
    """
    series = _series(series_id)
    if not state.is_enrolled(series, current_api_user()):
        raise ApiError(403, "Only members enrolled in this series can ask to swap turns.")
    request = _committed(swaps.request_swap(series, current_api_user(), body.meeting_id, body.partner_id,
                                            body.partner_meeting_id, body.message))
    return SwapRequestOut.of(request), {"Location": url_for(".swap_request", request_id=request.id)}


def _request(request_id: int) -> SwapRequest:
    request = get_or_404(SwapRequest, request_id, "swap request")
    user = current_api_user()
    if user.id not in (request.requester_id, request.partner_id) and not request.series.can_manage(user):
        raise ApiError(403,
                       "Only the two members concerned, the series' leaders or an administrator may see this request.")
    return request


@bp.get("/swap-requests/<int:request_id>")
@api_auth
@returns(SwapRequestOut, errors=(403,))
def swap_request(request_id):
    """One swap request (the two members, the leaders, admins)"""
    return SwapRequestOut.of(_request(request_id))


@bp.post("/swap-requests/<int:request_id>/accept")
@api_auth
@returns(SwapRequestOut, errors=(403, 409))
def accept_swap_request(request_id):
    """The member asked accepts: the swap is made if still valid

    When it is no longer valid the request is closed as `refused` and the answer is 409 `swap_refused` with the
    reason.
    """
    return SwapRequestOut.of(
        _answered(swaps.answer_swap_request(_request(request_id), current_api_user(), accept=True))
    )


@bp.post("/swap-requests/<int:request_id>/decline")
@api_auth
@returns(SwapRequestOut, errors=(403, 409))
def decline_swap_request(request_id):
    """The member asked declines"""
    return SwapRequestOut.of(
        _answered(swaps.answer_swap_request(_request(request_id), current_api_user(), accept=False))
    )


@bp.post("/swap-requests/<int:request_id>/withdraw")
@api_auth
@returns(SwapRequestOut, errors=(403, 409))
def withdraw_swap_request(request_id):
    """The member who asked withdraws the request"""
    return SwapRequestOut.of(_committed(swaps.withdraw_swap_request(_request(request_id), current_api_user())))


# -- asking a member to present at a meeting they marked unavailable --------------------------------------

@bp.get("/series/<int:series_id>/rotation/placements")
@api_auth
@returns(Placements, errors=(403,))
def placement_list(series_id):
    """Requests to present at a meeting marked unavailable: those the caller received (every request, for leaders)"""
    series = _viewable(series_id)
    return Placements(placement_requests=[PlacementOut.of(r) for r in
                                          placements.placement_requests_for(series, current_api_user())])


@bp.post("/series/<int:series_id>/rotation/placements")
@api_auth
@use_body(PlacementCreate)
@returns(PlacementAsked, status=201, errors=(403, 409))
def ask_placement(series_id, body: PlacementCreate):
    """Leaders ask a member to present at a meeting the member marked unavailable

    The turn is placed only if the member accepts; `warning` says so.
    """
    series = _manager(series_id)
    request = _committed(
        placements.ask_to_place(series, current_api_user(), body.meeting_id, body.user_id, body.message)
    )
    warning = (f"{request.user.name} marked meeting {request.meeting.number} unavailable; they are asked "
               "and the turn is placed only if they agree.")
    return PlacementAsked.of(request, warning=warning), {"Location": url_for(".placement", request_id=request.id)}


def _placement(request_id: int) -> PlacementRequest:
    request = get_or_404(PlacementRequest, request_id, "placement request")
    user = current_api_user()
    if user.id != request.user_id and not request.series.can_manage(user):
        raise ApiError(403, "Only the member asked, the series' leaders or an administrator may see this request.")
    return request


@bp.get("/placements/<int:request_id>")
@api_auth
@returns(PlacementOut, errors=(403,))
def placement(request_id):
    """One placement request (the member asked, the leaders, admins)"""
    return PlacementOut.of(_placement(request_id))


@bp.post("/placements/<int:request_id>/accept")
@api_auth
@returns(PlacementOut, errors=(403, 409))
def accept_placement(request_id):
    """The member asked agrees to present: the turn is placed if still possible"""
    return PlacementOut.of(
        _answered(placements.answer_placement(_placement(request_id), current_api_user(), accept=True))
    )


@bp.post("/placements/<int:request_id>/decline")
@api_auth
@returns(PlacementOut, errors=(403, 409))
def decline_placement(request_id):
    """The member asked declines"""
    return PlacementOut.of(_answered(placements.answer_placement(_placement(request_id), current_api_user(),
                                                                accept=False)))


@bp.post("/placements/<int:request_id>/withdraw")
@api_auth
@returns(PlacementOut, errors=(403, 409))
def withdraw_placement(request_id):
    """The leaders withdraw the request"""
    return PlacementOut.of(_committed(placements.withdraw_placement(_placement(request_id), current_api_user())))
