"""JSON endpoints for series and meetings (see CONTRACT.md)."""

from dataclasses import fields

from flask import Blueprint, current_app, url_for

from ..core.api import ApiError, api_auth, current_api_user, get_or_404, returns, use_body
from .models import Meeting, Series
from .schemas import MeetingCancel, MeetingOut, Reschedule, SeriesCancel, SeriesCreate, SeriesList, SeriesOut, SeriesSummary
from .services import (
    SeriesInput,
    cancel_meeting,
    cancel_series,
    create_series,
    open_series,
    publish_series,
    reschedule_meeting,
)

bp = Blueprint("series_api", __name__)
_INPUT_FIELDS = {f.name for f in fields(SeriesInput)}


@bp.post("/series")
@api_auth
@use_body(SeriesCreate)
@returns(SeriesOut, status=201, errors=(403,))
def create(body: SeriesCreate):
    """Create a draft series (leaders, admins)"""
    values = body.model_dump(include=_INPUT_FIELDS)
    values["currency"] = values["currency"].upper()
    values["skip_dates"] = sorted(set(values["skip_dates"]))
    series = create_series(SeriesInput(**values), current_api_user(), current_app.config["VIDEO_PROVIDER"])
    return SeriesOut.of(series), {"Location": url_for(".detail", series_id=series.id)}


@bp.get("/series")
@api_auth(optional=True)
@returns(SeriesList)
def listing():
    """Open series (no sign-in needed)"""
    return SeriesList(series=[SeriesSummary.of(s) for s in open_series()])


def _visible(series_id: int) -> Series:
    series = get_or_404(Series, series_id, "series")
    if series.lifecycle == "draft" and not series.can_manage(current_api_user()):
        raise ApiError(404, f"No series with id {series_id}.")
    return series


@bp.get("/series/<int:series_id>")
@api_auth(optional=True)
@returns(SeriesOut)
def detail(series_id):
    """A series with its meetings"""
    return SeriesOut.of(_visible(series_id))


@bp.post("/series/<int:series_id>/publish")
@api_auth
@returns(SeriesOut, errors=(403, 409))
def publish(series_id):
    """Open a series for applications"""
    return SeriesOut.of(publish_series(get_or_404(Series, series_id, "series"), current_api_user()))


@bp.post("/series/<int:series_id>/cancel")
@api_auth
@use_body(SeriesCancel)
@returns(SeriesOut, errors=(403, 409))
def cancel_whole_series(series_id, body: SeriesCancel):
    """The society cancels a series: meetings cancelled, everyone refunded in full"""
    series = get_or_404(Series, series_id, "series")
    return SeriesOut.of(cancel_series(series, current_api_user(), body.reason))


@bp.post("/meetings/<int:meeting_id>/reschedule")
@api_auth
@use_body(Reschedule)
@returns(MeetingOut, errors=(403, 409))
def reschedule(meeting_id, body: Reschedule):
    """Move a meeting to a new local time"""
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    return MeetingOut.of(reschedule_meeting(meeting, body.starts_at_local, current_api_user()))


@bp.post("/meetings/<int:meeting_id>/cancel")
@api_auth
@use_body(MeetingCancel)
@returns(MeetingOut, errors=(403, 409))
def cancel(meeting_id, body: MeetingCancel):
    """Cancel a meeting"""
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    return MeetingOut.of(cancel_meeting(meeting, current_api_user(), body.reason))
