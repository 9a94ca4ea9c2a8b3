"""On the home page: the next meeting of each group with its way in, and a member's own attendance."""

from flask import current_app

from ..core.clock import now
from .services import home_groups


def section(user):
    groups = home_groups(user, now())
    if not groups:
        return None
    return ("video/_home.html", {"groups": groups, "window": current_app.config["JOIN_WINDOW_MINUTES"]})
