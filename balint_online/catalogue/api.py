"""JSON endpoints for series and meetings (see CONTRACT.md)."""

from dataclasses import fields

from flask import Blueprint, current_app, url_for
from pydantic import ValidationError

from ..core.api import ApiError, api_auth, current_api_user, get_or_404, returns, use_body, validation_error
from ..extensions import db
from ..flows.series import (
    add_meeting,
    cancel_meeting,
    cancel_series,
    publish_series,
    reschedule_meeting,
    restore_meeting,
    update_series,
)
from ..series.models import Meeting, Series
from ..series.services import SeriesInput, create_series, input_of, open_series
from .schemas import (
    MeetingAdd,
    MeetingCancel,
    MeetingChanged,
    Reschedule,
    SeriesCancel,
    SeriesCreate,
    SeriesEdit,
    SeriesList,
    SeriesOut,
    SeriesSummary,
)

bp = Blueprint("series_api", __name__)
_INPUT_FIELDS = {f.name for f in fields(SeriesInput)}


def series_input(body: SeriesCreate) -> SeriesInput:
    values = body.model_dump(include=_INPUT_FIELDS)
    values["currency"] = (values["currency"] or current_app.config["DEFAULT_CURRENCY"]).upper()
    values["skip_dates"] = sorted(set(values["skip_dates"]))
    return SeriesInput(**values)


@bp.post("/series")
@api_auth
@use_body(SeriesCreate)
@returns(SeriesOut, status=201, errors=(403,))
def create(body: SeriesCreate):
    """Create a draft series (leaders, admins)"""
    series = create_series(series_input(body), current_api_user(), current_app.config["VIDEO_PROVIDER"])
    db.session.commit()
    return SeriesOut.of(series), {"Location": url_for(".detail", series_id=series.id)}


@bp.patch("/series/<int:series_id>")
@api_auth
@use_body(SeriesEdit)
@returns(SeriesOut, errors=(403, 409))
def edit(series_id, body):
    """Edit a series (its leaders, admins) with any fields of the create body

    Those left out keep their value; a field sent as null clears it where it may be empty. A draft changes freely
    (its meetings are re-planned); a published series takes only changes that keep what applicants were promised
    (title, description, leaders, more places, later deadlines): otherwise 409 `published_terms` with each field in
    `fields`.
    """
    series = get_or_404(Series, series_id, "series")
    if not series.can_manage(current_api_user()):
        if series.lifecycle == "draft":
            raise ApiError(404, f"No series with id {series_id}.")
        raise ApiError(403, "Only this series' leaders or an administrator may edit it.")
    # The edited terms are checked whole, exactly as a create body is.
    current = input_of(series)
    terms = {name: getattr(current, name) for name in SeriesCreate.model_fields if hasattr(current, name)}
    for name, value in body.model_dump(include=body.model_fields_set).items():
        field = SeriesCreate.model_fields[name]
        # null empties a list or table; elsewhere the create body's rule decides whether null may stand.
        terms[name] = field.get_default(call_default_factory=True) if value is None and field.default_factory else value
    try:
        data = SeriesCreate.model_validate(terms, strict=False)
    except ValidationError as exc:
        raise validation_error(exc) from None
    series = update_series(series, series_input(data), current_api_user(), current_app.config["VIDEO_PROVIDER"])
    db.session.commit()
    return SeriesOut.of(series)


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
    series = publish_series(get_or_404(Series, series_id, "series"), current_api_user())
    db.session.commit()
    return SeriesOut.of(series)


@bp.post("/series/<int:series_id>/cancel")
@api_auth
@use_body(SeriesCancel)
@returns(SeriesOut, errors=(403, 409))
def cancel_whole_series(series_id, body: SeriesCancel):
    """The society cancels a series: meetings cancelled, everyone refunded in full"""
    series = get_or_404(Series, series_id, "series")
    series = cancel_series(series, current_api_user(), body.reason)
    db.session.commit()
    return SeriesOut.of(series)


@bp.post("/meetings/<int:meeting_id>/reschedule")
@api_auth
@use_body(Reschedule)
@returns(MeetingChanged, errors=(403, 409))
def reschedule(meeting_id, body: Reschedule):
    """Move a meeting to a new local time"""
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    meeting = reschedule_meeting(meeting, body.starts_at_local, current_api_user())
    db.session.commit()
    return MeetingChanged.of(meeting)


@bp.post("/meetings/<int:meeting_id>/cancel")
@api_auth
@use_body(MeetingCancel)
@returns(MeetingChanged, errors=(403, 409))
def cancel(meeting_id, body: MeetingCancel):
    """Cancel a meeting"""
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    meeting = cancel_meeting(meeting, current_api_user(), body.reason)
    db.session.commit()
    return MeetingChanged.of(meeting)


@bp.post("/series/<int:series_id>/meetings")
@api_auth
@use_body(MeetingAdd)
@returns(MeetingChanged, status=201, errors=(403, 409))
def add(series_id, body: MeetingAdd):
    """Add a meeting, such as a make-up for a cancelled one (the series' leaders, admins)

    At a local wall-clock time in the series' zone. It takes the next number; the rotation follows.
    """
    series = get_or_404(Series, series_id, "series")
    meeting = add_meeting(series, body.starts_at_local, current_api_user())
    db.session.commit()
    return MeetingChanged.of(meeting)


@bp.post("/meetings/<int:meeting_id>/restore")
@api_auth
@returns(MeetingChanged, errors=(403, 409))
def restore(meeting_id):
    """Restore a cancelled meeting that has not started (the series' leaders, admins)"""
    meeting = restore_meeting(get_or_404(Meeting, meeting_id, "meeting"), current_api_user())
    db.session.commit()
    return MeetingChanged.of(meeting)
