"""Pages: the guarded way into a meeting's room, and Zoom's webhook. (The leaders' attendance grid is certificates'.)"""

import logging

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user, login_required

from ..core.api import ApiError
from ..core.clock import now
from ..extensions import csrf, db
from ..series.models import Meeting
from .attendance import record_provider_event
from .entry import JoinRefused, VideoUnavailable, enter_meeting
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
