"""The personal calendar feed's address, for API clients (see CONTRACT.md)."""

from flask import Blueprint

from ..core.api import api_auth, current_api_user, returns
from ..extensions import db
from .schemas import CalendarLinks, CalendarSettings
from .services import feed_links, reset_feed

bp = Blueprint("calendar_api", __name__)
# The address is a secret: keep it out of shared caches.
PRIVATE = {"Cache-Control": "no-store"}


@bp.get("/me/calendar")
@api_auth
@returns(CalendarSettings)
def my_calendar():
    """Your personal calendar feed's address, and how meetings reach your calendar"""
    user = current_api_user()
    return CalendarSettings(**feed_links(user), delivery=user.calendar_delivery), PRIVATE


@bp.post("/me/calendar/reset")
@api_auth
@returns(CalendarLinks)
def reset_my_calendar():
    """Issue a new secret feed address; the old one answers 404 from now on"""
    links = reset_feed(current_api_user())
    db.session.commit()
    return CalendarLinks(**links), PRIVATE
