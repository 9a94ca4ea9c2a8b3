"""The personal calendar feed's address, for API clients (see CONTRACT.md)."""

from flask import Blueprint, jsonify

from ..core.api import api_auth, current_api_user
from .services import feed_links, reset_feed

bp = Blueprint("calendar_api", __name__)


def _private(payload: dict):
    response = jsonify(payload)
    # The address is a secret: keep it out of shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/me/calendar")
@api_auth
def my_calendar():
    user = current_api_user()
    return _private({**feed_links(user), "delivery": user.calendar_delivery})


@bp.post("/me/calendar/reset")
@api_auth
def reset_my_calendar():
    return _private(reset_feed(current_api_user()))
