"""The member's calendar subscription on their home page."""

from .services import feed_links


def section(home):
    return ("calendar/_home.html", {"links": feed_links(home.user)})
