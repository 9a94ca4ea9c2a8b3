"""The error page every failed page request gets (the API answers in JSON instead: core/api.py)."""

from flask import render_template
from flask_babel import gettext as _

from ..extensions import db


def error_page(status: int, message: str | None, headers=None):
    # The page shows the signed-in person, which needs a usable session even after a failed statement.
    db.session.rollback()
    titles = {400: _("That request was not understood"), 403: _("Not for you, sorry"), 404: _("Page not found"),
              405: _("Not allowed here"), 409: _("That cannot be done now"), 413: _("That is too large to send"),
              422: _("Please check what you entered"), 429: _("Slow down a little"), 500: _("Something went wrong")}
    body = render_template("error.html", status=status, title=titles.get(status, _("Error")), message=message)
    return body, status, dict(headers or {})
