"""Calendar feeds (no sign-in: the feed's address is its secret), downloads and the subscription page."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..core.clock import now
from ..core.errors import NotAllowed
from ..core.urls import safe_path
from ..extensions import db
from ..pagecache.kept import kept
from ..series.models import Meeting, Series
from ..series.services import require_known
from . import feeds, services
from .forms import DeliveryForm

bp = Blueprint("calendar", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


def _not_modified(version) -> bool:
    # If-None-Match wins when both are sent (RFC 9110 13.2.2): it is exact, the date is not.
    if request.if_none_match:
        return request.if_none_match.star_tag or request.if_none_match.contains_weak(version.etag)
    since = request.if_modified_since
    return since is not None and version.last_modified.replace(microsecond=0) <= since


def _feed_response(version, build, cache_control: str) -> Response:
    """200 with the feed, or 304 without building it when the client's copy is current.

    `version` has the validator (`etag`, `last_modified`); the body is built at most once per
    validator and kept (feeds.cached), since the same validator always means the same bytes.
    """
    if _not_modified(version):
        response = Response(status=304)
    else:
        response = Response(feeds.cached(version.etag, build), content_type=ICS_TYPE)
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/calendar/<token>.ics")
def personal_feed(token):
    validator = feeds.personal_validator(token)
    if validator is None:
        abort(404)

    def build() -> bytes:
        return services.personal_feed(services.personal_contents(db.session.get_one(User, validator.user_id)))

    response = _feed_response(validator, build, "private, no-cache")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/series/<int:series_id>/calendar.ics")
def series_feed(series_id):
    series = services.public_series(series_id)
    if series is None:
        abort(404)
    return _feed_response(services.public_version(series), lambda: services.public_feed(series),
                          "public, max-age=300")


def _entitled_meeting(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    require_known(meeting.series, current_user)
    if not services.is_entitled(meeting, current_user):
        raise NotAllowed(_("This meeting's calendar entry is for its group's members and leaders."))
    return meeting


@bp.get("/series/<int:series_id>/join")
@login_required
def series_join(series_id):
    """The one link a series' calendar object holds: on to the meeting at hand, whose own way in
    decides who may enter and when."""
    series = db.get_or_404(Series, series_id)
    meeting = services.next_meeting(series, now())
    if meeting is None:
        return redirect(url_for("series.detail", series_id=series.id))
    return redirect(url_for("video.join", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def meeting_download(meeting_id):
    meeting = _entitled_meeting(meeting_id)
    return Response(services.meeting_ics(meeting, current_user), content_type=ICS_TYPE, headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"',
        "Cache-Control": "private, no-store",
    })


@bp.get("/calendar")
@login_required
@kept
def overview():
    """Subscription links and every meeting of the person's groups still to come, one by one."""
    contents = services.personal_contents(current_user)
    meetings = services.upcoming_meetings(contents, now())
    form = DeliveryForm(calendar_delivery=current_user.calendar_delivery)
    return render_template("calendar/overview.html", links=services.feed_links(current_user), meetings=meetings,
                           presenting=contents.presenting, google_link=services.google_link, delivery_form=form)


@bp.post("/calendar/delivery")
@login_required
def delivery():
    form = DeliveryForm()
    if form.validate_on_submit():
        services.set_delivery(current_user, form.calendar_delivery.data)
        db.session.commit()
        flash(_("Saved. Changes to your groups' meetings now reach your calendar that way."), "success")
    else:
        flash(_("Choose one of the ways below."), "error")
    return redirect(url_for("calendar.overview"))


@bp.post("/calendar/reset")
@login_required
def reset():
    services.reset_feed(current_user)
    db.session.commit()
    flash(_("Your calendar has a new address. Subscribe again with it: the old one no longer works."), "success")
    return redirect(safe_path(request.form.get("next"), url_for("calendar.overview")))
