"""JSON endpoints for the presenter rotation (see CONTRACT.md, "Presenter rotation", and openapi.py)."""

from flask import Blueprint, url_for

from ..accounts.models import User
from ..core.api import ApiError, Fields, api_auth, current_api_user, get_or_404, json_body
from ..core.timefmt import iso_z
from ..series.models import Meeting, Series
from . import placements, services
from .models import CASE_TITLE_MAX, PlacementRequest, SwapRequest

bp = Blueprint("rotation_api", __name__)


def person(user: User | None) -> dict | None:
    return {"user_id": user.id, "name": user.name} if user is not None else None


def rotation_json(series: Series, *, upcoming_only: bool = False) -> dict:
    rows = services.rotation_rows(series)
    if upcoming_only:
        rows = [r for r in rows if not r.past and not r.meeting.is_cancelled]
    return {
        "series_id": series.id,
        "presenters_per_meeting": series.presenters_per_meeting,
        "meetings": [
            {
                "meeting_id": row.meeting.id,
                "number": row.meeting.number,
                "starts_at": iso_z(row.meeting.starts_at),
                "ends_at": iso_z(row.meeting.ends_at),
                "status": row.meeting.status,
                "presenter_count": row.meeting.presenters_here,
                "held": row.past and not row.meeting.is_cancelled,
                "presenters": [{**person(t.user), "case_title": t.case_title or None} for t in row.presenters],
                "backup": person(row.backup.user) if row.backup else None,
            }
            for row in rows
        ],
    }


def _series(series_id) -> Series:
    series = get_or_404(Series, series_id, "series")
    if series.lifecycle == "draft" and not series.can_manage(current_api_user()):
        raise ApiError(404, f"No series with id {series_id}.")
    return series


def _viewable(series_id) -> Series:
    series = _series(series_id)
    if not services.can_view(series, current_api_user()):
        raise ApiError(403, "Only this series' leaders, its enrolled members or an administrator may see its rotation.")
    return series


@bp.get("/series/<series_id>/rotation")
@api_auth
def rotation(series_id):
    return rotation_json(_viewable(series_id))


def _member_for(series: Series, data: dict, f: Fields) -> User:
    """The caller, or (for leaders and administrators) the member named by `user_id`."""
    user = current_api_user()
    other = f.integer("user_id")
    if other is None or other == user.id:
        return user
    if not series.can_manage(user):
        raise ApiError(403, "Only the series' leaders or an administrator may change another member's availability.")
    member = get_or_404(User, other, "user")
    if not services.is_enrolled(series, member):
        raise ApiError(422, "That person is not enrolled in this series.", fields={"user_id": "Not an enrolled member."})
    return member


@bp.get("/series/<series_id>/availability")
@api_auth
def availability(series_id):
    series = _series(series_id)
    if not services.is_enrolled(series, current_api_user()):
        raise ApiError(403, "Only members enrolled in this series have an availability to show.")
    return {"series_id": series.id, "user_id": current_api_user().id,
            "unavailable_meeting_ids": services.unavailable_meeting_ids(series, current_api_user())}


@bp.put("/series/<series_id>/availability")
@api_auth
def set_availability(series_id):
    series = _series(series_id)
    data = json_body()
    f = Fields(data)
    if "unavailable_meeting_ids" not in data:
        f.fail("unavailable_meeting_ids", "This field is required (an empty list when free for every meeting).")
    meeting_ids = f.id_list("unavailable_meeting_ids")
    f.check()
    member = _member_for(series, data, f)
    f.check()
    if not services.is_enrolled(series, member):
        raise ApiError(403, "Only members enrolled in this series can say when they cannot present.")
    services.set_availability(series, member, list(dict.fromkeys(meeting_ids)), current_api_user())
    return {**rotation_json(series, upcoming_only=True), "user_id": member.id,
            "unavailable_meeting_ids": services.unavailable_meeting_ids(series, member)}


def _manager(series_id) -> Series:
    series = _series(series_id)
    if not series.can_manage(current_api_user()):
        raise ApiError(403, "Only this series' leaders or an administrator may change its rotation.")
    return series


@bp.post("/series/<series_id>/rotation/swap")
@api_auth
def swap(series_id):
    series = _manager(series_id)
    f = Fields(json_body())
    values = [f.integer(name, required=True) for name in ("meeting_id_a", "user_id_a", "meeting_id_b", "user_id_b")]
    f.check()
    services.swap_turns(series, current_api_user(), *values)
    return rotation_json(series)


@bp.post("/series/<series_id>/rotation/move")
@api_auth
def move(series_id):
    series = _manager(series_id)
    f = Fields(json_body())
    meeting_id = f.integer("meeting_id", required=True)
    user_id = f.integer("user_id", required=True)
    to_meeting_id = f.integer("to_meeting_id")
    to_user_id = f.integer("to_user_id")
    if to_meeting_id is None and to_user_id is None and not f.errors:
        f.fail("to_meeting_id", "Give to_meeting_id, to_user_id or both.")
    f.check()
    services.move_turn(series, current_api_user(), meeting_id, user_id, to_meeting_id=to_meeting_id,
                       to_user_id=to_user_id)
    return rotation_json(series)


@bp.put("/meetings/<meeting_id>/presenters")
@api_auth
def presenter_count(meeting_id):
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    f = Fields(json_body())
    count = f.integer("count", required=True, minimum=1, maximum=10)
    f.check()
    services.set_presenter_count(meeting, count, current_api_user())
    return {**rotation_json(meeting.series), "guarantee": services.guarantee(meeting.series).to_api()}


@bp.put("/meetings/<meeting_id>/case-title")
@api_auth
def case_title(meeting_id):
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    f = Fields(json_body())
    title = f.string("case_title", required=False, default="", max_length=CASE_TITLE_MAX)
    f.check()
    turn = services.set_case_title(meeting, current_api_user(), title)
    return {"meeting_id": meeting.id, "user_id": turn.user_id, "case_title": turn.case_title or None}


def swap_request_json(request: SwapRequest) -> dict:
    return {
        "id": request.id,
        "series_id": request.series_id,
        "status": request.status,
        "requester": person(request.requester),
        "requester_meeting_id": request.requester_meeting_id,
        "partner": person(request.partner),
        "partner_meeting_id": request.partner_meeting_id,
        "message": request.message or None,
        "outcome": request.outcome or None,
        "created_at": iso_z(request.created_at),
        "decided_at": iso_z(request.decided_at),
    }


@bp.get("/series/<series_id>/swap-requests")
@api_auth
def swap_requests(series_id):
    series = _viewable(series_id)
    return {"swap_requests": [swap_request_json(r) for r in services.swap_requests_for(series, current_api_user())]}


@bp.post("/series/<series_id>/swap-requests")
@api_auth
def create_swap_request(series_id):
    series = _series(series_id)
    if not services.is_enrolled(series, current_api_user()):
        raise ApiError(403, "Only members enrolled in this series can ask to swap turns.")
    f = Fields(json_body())
    meeting_id = f.integer("meeting_id", required=True)
    partner_id = f.integer("partner_id", required=True)
    partner_meeting_id = f.integer("partner_meeting_id", required=True)
    message = f.string("message", default="", max_length=500)
    f.check()
    request = services.request_swap(series, current_api_user(), meeting_id, partner_id, partner_meeting_id, message)
    return swap_request_json(request), 201, {"Location": url_for(".swap_request", request_id=request.id)}


def _request(request_id) -> SwapRequest:
    request = get_or_404(SwapRequest, request_id, "swap request")
    user = current_api_user()
    if user.id not in (request.requester_id, request.partner_id) and not request.series.can_manage(user):
        raise ApiError(403, "Only the two members concerned, the series' leaders or an administrator may see this request.")
    return request


@bp.get("/swap-requests/<request_id>")
@api_auth
def swap_request(request_id):
    return swap_request_json(_request(request_id))


@bp.post("/swap-requests/<request_id>/accept")
@api_auth
def accept_swap_request(request_id):
    return swap_request_json(services.answer_swap_request(_request(request_id), current_api_user(), accept=True))


@bp.post("/swap-requests/<request_id>/decline")
@api_auth
def decline_swap_request(request_id):
    return swap_request_json(services.answer_swap_request(_request(request_id), current_api_user(), accept=False))


@bp.post("/swap-requests/<request_id>/withdraw")
@api_auth
def withdraw_swap_request(request_id):
    return swap_request_json(services.withdraw_swap_request(_request(request_id), current_api_user()))


# -- asking a member to present at a meeting they marked unavailable --------------------------------------

def placement_json(request: PlacementRequest) -> dict:
    return {
        "id": request.id, "series_id": request.series_id, "meeting_id": request.meeting_id,
        "member": person(request.user), "requested_by": person(request.requested_by), "status": request.status,
        "message": request.message or None, "outcome": request.outcome or None,
        "created_at": iso_z(request.created_at), "decided_at": iso_z(request.decided_at),
    }


@bp.get("/series/<series_id>/rotation/placements")
@api_auth
def placement_list(series_id):
    series = _viewable(series_id)
    return {"placement_requests": [placement_json(r) for r in
                                   placements.placement_requests_for(series, current_api_user())]}


@bp.post("/series/<series_id>/rotation/placements")
@api_auth
def ask_placement(series_id):
    series = _manager(series_id)
    f = Fields(json_body())
    meeting_id = f.integer("meeting_id", required=True)
    user_id = f.integer("user_id", required=True)
    message = f.string("message", default="", max_length=500)
    f.check()
    request = placements.ask_to_place(series, current_api_user(), meeting_id, user_id, message)
    body = placement_json(request)
    body["warning"] = (f"{request.user.name} marked meeting {request.meeting.number} unavailable; they are asked "
                       "and the turn is placed only if they agree.")
    return body, 201, {"Location": url_for(".placement", request_id=request.id)}


def _placement(request_id) -> PlacementRequest:
    request = get_or_404(PlacementRequest, request_id, "placement request")
    user = current_api_user()
    if user.id != request.user_id and not request.series.can_manage(user):
        raise ApiError(403, "Only the member asked, the series' leaders or an administrator may see this request.")
    return request


@bp.get("/placements/<request_id>")
@api_auth
def placement(request_id):
    return placement_json(_placement(request_id))


@bp.post("/placements/<request_id>/accept")
@api_auth
def accept_placement(request_id):
    return placement_json(placements.answer_placement(_placement(request_id), current_api_user(), accept=True))


@bp.post("/placements/<request_id>/decline")
@api_auth
def decline_placement(request_id):
    return placement_json(placements.answer_placement(_placement(request_id), current_api_user(), accept=False))


@bp.post("/placements/<request_id>/withdraw")
@api_auth
def withdraw_placement(request_id):
    return placement_json(placements.withdraw_placement(_placement(request_id), current_api_user()))
