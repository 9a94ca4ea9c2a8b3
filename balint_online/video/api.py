"""The way into a meeting's video room for API clients (see CONTRACT.md)."""

from flask import Blueprint

from ..core.api import api_auth, current_api_user, get_or_404, returns
from ..core.schemas import Error
from ..series.models import Meeting
from .entry import enter_meeting
from .schemas import JoinLink, JoinRefusal

bp = Blueprint("video_api", __name__)


@bp.get("/meetings/<int:meeting_id>/join")
@api_auth
@returns(JoinLink, responses={
    403: (JoinRefusal, "Kept out: not in the group, too early, ended or cancelled"),
    503: (Error, "room_not_ready (the leaders have been told) or provider_unavailable; try again shortly"),
})
def join(meeting_id):
    """A personal link into the meeting's video room

    For the series' leaders (as hosts) and its enrolled members, from the join window's opening until the meeting
    ends; records that the caller entered.
    """
    entry = enter_meeting(get_or_404(Meeting, meeting_id, "meeting"), current_api_user())
    # A personal link: no cache along the way may keep it.
    return JoinLink(url=entry.url, role=entry.role), {"Cache-Control": "no-store"}
