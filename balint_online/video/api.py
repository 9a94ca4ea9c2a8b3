"""The way into a meeting's video room for API clients (see CONTRACT.md)."""

from flask import Blueprint

from ..core.api import api_auth, current_api_user, get_or_404
from ..series.models import Meeting
from .services import enter_meeting

bp = Blueprint("video_api", __name__)


@bp.get("/meetings/<meeting_id>/join")
@api_auth
def join(meeting_id):
    """200 {"url", "role"} for an entitled person in the join window; refusals are JoinRefused (403) or 503."""
    entry = enter_meeting(get_or_404(Meeting, meeting_id, "meeting"), current_api_user())
    # A personal link: no cache along the way may keep it.
    return {"url": entry.url, "role": entry.role}, 200, {"Cache-Control": "no-store"}
