"""Video rooms: the configured provider clients, what a meeting's room is asked to be, and the leaders'
warning when one is not ready. Changes flush; the caller's boundary commits."""

from flask import current_app
from sqlalchemy import update

from ..core.videoproviders import PROVIDER_LABELS
from ..extensions import db
from ..notifications.services import queue_email
from ..series.models import Meeting
from .models import VideoProvisioning
from .providers import RoomRequest, VideoProvider, get_provider, provider_settings


def provider_for(name: str, *, at_the_door: bool = False) -> VideoProvider:
    """The configured client for `name`, kept per process so that Zoom's OAuth token is reused.

    `at_the_door`: the client for joins, whose every call has the short VIDEO_JOIN_TIMEOUT budget.
    """
    # The values (secrets among them) go to the client only.
    settings = provider_settings(current_app.config)
    if at_the_door:
        settings["VIDEO_HTTP_TIMEOUT"] = current_app.config["VIDEO_JOIN_TIMEOUT"]
    cache = current_app.extensions.setdefault("video_providers", {})
    key = (name, at_the_door)
    kept = cache.get(key)
    if kept is None or kept[0] != settings:
        kept = cache[key] = (settings, get_provider(name, settings))
    return kept[1]


def room_request(meeting: Meeting) -> RoomRequest:
    series = meeting.series
    return RoomRequest(
        key=f"meeting-{meeting.id}", series_title=series.title,
        topic=f"Balint group: {series.title} — meeting {meeting.number} of {series.meeting_count}",
        starts_at=meeting.starts_at, duration_minutes=int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        timezone=series.timezone,
    )


def tell_leaders(meeting: Meeting) -> None:
    """Once per meeting: its room is not ready or its provider is failing."""
    series = meeting.series
    for leader in series.leaders:
        queue_email(key=f"video-trouble:meeting-{meeting.id}:user-{leader.id}", kind="video_trouble", user=leader,
                    context={"meeting": meeting, "series": series,
                             "provider_name": PROVIDER_LABELS.get(series.video_provider, series.video_provider)})


def lift_back_off(meeting_ids: list[int]) -> None:
    """A changed meeting is worth a provider call at the next pass, whatever failed before."""
    if meeting_ids:
        db.session.execute(update(VideoProvisioning).where(VideoProvisioning.meeting_id.in_(meeting_ids))
                           .values(next_attempt_at=None, attempts=0).execution_options(synchronize_session=False))
