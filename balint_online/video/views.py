"""Pages: the guarded way into a meeting's room, the leaders' attendance grid, and Zoom's webhook."""

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..core.api import ApiError
from ..core.clock import now
from ..core.csvfile import csv_download
from ..extensions import csrf, db
from ..series.models import Meeting
from ..series.services import managed_series
from .attendance import attendance_grid, attendance_table, cell_name, record_provider_event, save_attendance
from .entry import JoinRefused, VideoUnavailable, enter_meeting
from .forms import attendance_form
from .providers.zoom import (
    WebhookRejected,
    is_participant_event,
    parse_participant_event,
    verify_zoom_webhook,
    zoom_url_validation_response,
)

log = logging.getLogger(__name__)
bp = Blueprint("video", __name__)


@bp.get("/meetings/<int:meeting_id>/join")
@login_required
def join(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    try:
        entry = enter_meeting(meeting, current_user)
    except JoinRefused as refusal:
        return render_template("video/refused.html", meeting=meeting, refusal=refusal), 403
    except VideoUnavailable as exc:
        return (render_template("video/unavailable.html", meeting=meeting, message=exc.message), 503,
                {"Retry-After": "60"})
    response = redirect(entry.url)
    # A personal link: no cache along the way may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/lead/series/<int:series_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(series_id):
    series = managed_series(series_id, current_user)
    grid = attendance_grid(series, now())
    form = attendance_form(grid)
    if form.validate_on_submit():
        changed = save_attendance(series, current_user,
                                  {name: f.data for name, f in form._fields.items() if name != "csrf_token"})
        db.session.commit()
        flash(ngettext("Attendance saved (%(num)d change).", "Attendance saved (%(num)d changes).", changed), "success")
        return redirect(url_for(".attendance", series_id=series.id))
    return (render_template("video/attendance.html", grid=grid, form=form, cell_name=cell_name),
            422 if form.errors else 200)


@bp.get("/lead/series/<int:series_id>/attendance.csv")
@login_required
def attendance_export(series_id):
    series = managed_series(series_id, current_user)
    header, rows = attendance_table(attendance_grid(series, now()))
    return csv_download(header, rows, f"attendance-series-{series.id}.csv")


# Zoom signs its requests instead of sending a CSRF token; only this view is exempt, not the pages.
@bp.post("/webhooks/zoom")
@csrf.exempt
def zoom_webhook():
    secret = current_app.config.get("ZOOM_WEBHOOK_SECRET") or ""
    try:
        payload = verify_zoom_webhook(secret, request.headers, request.get_data(), now())
    except WebhookRejected as exc:
        log.warning("video: Zoom webhook refused: %s", exc.reason)
        malformed = exc.reason.startswith("body")
        raise ApiError(400 if malformed else 401, f"Webhook refused: {exc.reason}.") from None
    if payload.get("event") == "endpoint.url_validation":
        body = payload.get("payload")
        plain = body.get("plainToken") if isinstance(body, dict) else None
        if not isinstance(plain, str) or not plain:
            raise ApiError(400, "endpoint.url_validation without a plainToken.")
        return zoom_url_validation_response(secret, plain)
    event = parse_participant_event(payload)
    if event is None and is_participant_event(payload):
        raise ApiError(400, "Webhook refused: a participant event without a usable meeting, participant or time.")
    recorded = event is not None and record_provider_event(event)
    db.session.commit()
    return {"status": "recorded" if recorded else "ignored"}
