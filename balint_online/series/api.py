"""JSON endpoints for series and meetings (see CONTRACT.md)."""

from flask import Blueprint, current_app, url_for

from ..calendar.services import public_feed_url
from ..core.api import ApiError, Fields, api_auth, current_api_user, get_or_404, json_body
from ..core.timefmt import iso_z, local_wall
from ..pricing.rules import money
from .models import Meeting, Series
from .services import (
    SeriesInput,
    add_meeting,
    cancel_meeting,
    cancel_series,
    create_series,
    input_of,
    open_series,
    publish_series,
    reschedule_meeting,
    restore_meeting,
    update_series,
)

bp = Blueprint("series_api", __name__)


def meeting_json(meeting: Meeting) -> dict:
    return {
        "id": meeting.id,
        "number": meeting.number,
        "starts_at": iso_z(meeting.starts_at),
        "ends_at": iso_z(meeting.ends_at),
        "starts_at_local": local_wall(meeting.starts_at, meeting.series.timezone),
        "status": meeting.status,
        "sequence": meeting.sequence,
        "presenters": meeting.presenters_here,
        "video_ready": meeting.video_room is not None,
    }


def series_json(series: Series, *, full: bool = True) -> dict:
    body = {
        "id": series.id,
        "title": series.title,
        "description": series.description,
        "timezone": series.timezone,
        "status": series.status,
        "capacity": series.capacity,
        "seats_left": series.seats_left,
        "leaders": [{"id": leader.id, "name": leader.name} for leader in series.leaders],
        "prices": series.prices,
        "currency": series.currency,
        "first_meeting_local": series.first_meeting_local.strftime("%Y-%m-%dT%H:%M"),
        "meeting_count": series.meeting_count,
        "interval_weeks": series.interval_weeks,
        "duration_minutes": series.duration_minutes,
        "presenters_per_meeting": series.presenters_per_meeting,
        "video_provider": series.video_provider,
        "early_bird_deadline": series.early_bird_deadline.isoformat() if series.early_bird_deadline else None,
        "registration_deadline": series.registration_deadline.isoformat() if series.registration_deadline else None,
        "cancellation_deadline": series.cancellation_deadline.isoformat() if series.cancellation_deadline else None,
        "cancellation_fee": f"{series.cancellation_fee:.2f}",
        "skip_dates": series.skip_dates,
        "offer_hours": series.offer_hours,
        "calendar_url": public_feed_url(series),
    }
    if full:
        body["meetings"] = [meeting_json(m) for m in series.meetings]
    return body


def _series_input(data: dict) -> SeriesInput:
    f = Fields(data)
    title = f.string("title", required=True, max_length=200)
    description = f.string("description", default="", max_length=5000)
    timezone = f.string("timezone", required=True, max_length=64)
    first = f.local_datetime("first_meeting_local", required=True)
    values = dict(
        meeting_count=f.integer("meeting_count", default=8, minimum=1, maximum=52),
        interval_weeks=f.integer("interval_weeks", default=1, minimum=1, maximum=8),
        duration_minutes=f.integer("duration_minutes", default=90, minimum=15, maximum=480),
        capacity=f.integer("capacity", default=8, minimum=1, maximum=500),
        presenters_per_meeting=f.integer("presenters_per_meeting", default=1, minimum=1, maximum=10),
        offer_hours=f.integer("offer_hours", default=48, minimum=1, maximum=24 * 14),
        leader_emails=f.string_list("leader_emails", max_items=2),
        video_provider=f.string("video_provider", max_length=32),
        currency=f.string("currency", default="USD", max_length=3),
        early_bird_deadline=f.date("early_bird_deadline"),
        registration_deadline=f.date("registration_deadline"),
        cancellation_deadline=f.date("cancellation_deadline"),
        skip_dates=f.date_list("skip_dates"),
    )
    if values["currency"] and (len(values["currency"]) != 3 or not values["currency"].isalpha()):
        f.fail("currency", "Must be a three-letter currency code such as USD.")
    prices = data.get("prices", {})
    if not isinstance(prices, dict):
        f.fail("prices", "Must be an object mapping each category to its rates.")
        prices = {}
    fee = data.get("cancellation_fee", "100.00")
    try:
        values["cancellation_fee"] = money(fee)
    except (TypeError, ValueError) as exc:
        f.fail("cancellation_fee", f"Must be an amount such as \"100.00\": {exc}")
    f.check()
    values["currency"] = values["currency"].upper()
    return SeriesInput(
        title=title, description=description, timezone=timezone, first_meeting_local=first, prices=prices, **values
    )


@bp.post("/series")
@api_auth
def create():
    series = create_series(_series_input(json_body()), current_api_user(), current_app.config["VIDEO_PROVIDER"])
    return series_json(series), 201, {"Location": url_for(".detail", series_id=series.id)}


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _body_of(data: SeriesInput) -> dict:
    """A series' terms in the create body's shape, so that an edit is parsed exactly as a create."""
    day = _day
    return {
        "title": data.title, "description": data.description, "timezone": data.timezone,
        "first_meeting_local": data.first_meeting_local.strftime("%Y-%m-%dT%H:%M"),
        "meeting_count": data.meeting_count, "interval_weeks": data.interval_weeks,
        "duration_minutes": data.duration_minutes, "capacity": data.capacity,
        "presenters_per_meeting": data.presenters_per_meeting, "offer_hours": data.offer_hours,
        "leader_emails": data.leader_emails, "video_provider": data.video_provider, "currency": data.currency,
        "prices": data.prices, "early_bird_deadline": day(data.early_bird_deadline),
        "registration_deadline": day(data.registration_deadline),
        "cancellation_deadline": day(data.cancellation_deadline), "cancellation_fee": f"{data.cancellation_fee:.2f}",
        "skip_dates": [d.isoformat() for d in data.skip_dates],
    }


@bp.patch("/series/<series_id>")
@api_auth
def edit(series_id):
    series = get_or_404(Series, series_id, "series")
    if not series.can_manage(current_api_user()):
        if series.lifecycle == "draft":
            raise ApiError(404, f"No series with id {series_id}.")
        raise ApiError(403, "Only this series' leaders or an administrator may edit it.")
    # Fields left out keep their value; a field sent as null clears it where it may be empty.
    data = _series_input({**_body_of(input_of(series)), **json_body()})
    return series_json(update_series(series, data, current_api_user(), current_app.config["VIDEO_PROVIDER"]))


@bp.get("/series")
@api_auth(optional=True)
def listing():
    return {"series": [series_json(s, full=False) for s in open_series()]}


@bp.get("/series/<series_id>")
@api_auth(optional=True)
def detail(series_id):
    series = get_or_404(Series, series_id, "series")
    user = current_api_user()
    if series.lifecycle == "draft" and not series.can_manage(user):
        raise ApiError(404, f"No series with id {series_id}.")
    return series_json(series)


@bp.post("/series/<series_id>/publish")
@api_auth
def publish(series_id):
    return series_json(publish_series(get_or_404(Series, series_id, "series"), current_api_user()))


@bp.post("/series/<series_id>/cancel")
@api_auth
def cancel_whole_series(series_id):
    series = get_or_404(Series, series_id, "series")
    f = Fields(json_body())
    reason = f.string("reason", required=True, max_length=500)
    f.check()
    return series_json(cancel_series(series, current_api_user(), reason))


@bp.post("/meetings/<meeting_id>/reschedule")
@api_auth
def reschedule(meeting_id):
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    f = Fields(json_body())
    starts = f.local_datetime("starts_at_local", required=True)
    f.check()
    return _with_guarantee(reschedule_meeting(meeting, starts, current_api_user()))


def _with_guarantee(meeting: Meeting) -> dict:
    """A changed meeting, with what the change did to every member's presenting turn."""
    from ..rotation.services import guarantee

    return {**meeting_json(meeting), "rotation": guarantee(meeting.series).to_api()}


@bp.post("/meetings/<meeting_id>/cancel")
@api_auth
def cancel(meeting_id):
    meeting = get_or_404(Meeting, meeting_id, "meeting")
    f = Fields(json_body())
    reason = f.string("reason", default="", max_length=500)
    f.check()
    return _with_guarantee(cancel_meeting(meeting, current_api_user(), reason))


@bp.post("/series/<series_id>/meetings")
@api_auth
def add(series_id):
    series = get_or_404(Series, series_id, "series")
    f = Fields(json_body())
    starts = f.local_datetime("starts_at_local", required=True)
    f.check()
    return _with_guarantee(add_meeting(series, starts, current_api_user())), 201


@bp.post("/meetings/<meeting_id>/restore")
@api_auth
def restore(meeting_id):
    return _with_guarantee(restore_meeting(get_or_404(Meeting, meeting_id, "meeting"), current_api_user()))
