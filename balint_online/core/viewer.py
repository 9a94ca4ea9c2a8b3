"""The zone a page is shown in: the signed-in person's, else the one a visitor chose (a cookie).

Here rather than in web.py because pages below it (sign-up) ask too.
"""

from flask import has_request_context, request
from flask_login import current_user

from .zonelist import chosen_zone

TZ_COOKIE = "tz"


def viewer_timezone() -> str:
    """The signed-in person's zone; a visitor's chosen zone (cookie); else UTC."""
    # Emails are rendered by the scheduler too, where nobody is signed in.
    if not has_request_context():
        return "UTC"
    if current_user.is_authenticated:
        return current_user.timezone
    return chosen_zone(request.cookies.get(TZ_COOKIE)) or "UTC"


def visitor_zone_unknown() -> bool:
    """A visitor who has not chosen a zone (nor had their browser's detected): static/js/zones.js asks."""
    return not current_user.is_authenticated and chosen_zone(request.cookies.get(TZ_COOKIE)) is None
