"""The member's aid applications and their state, on their home page."""

from .services import aid_of


def section(user):
    aid = aid_of(user)
    return ("aid/_home.html", {"aid": aid}) if aid else None
