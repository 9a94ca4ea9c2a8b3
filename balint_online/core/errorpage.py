"""The error page every failed page request gets (the API answers in JSON instead: core/api.py)."""

from flask import render_template

from ..extensions import db


def error_page(status: int, message: str | None, headers=None):
    # The page shows the signed-in person, which needs a usable session even after a failed statement.
    db.session.rollback()
    titles = {400: "That request was not understood", 403: "Not for you, sorry", 404: "Page not found",
              405: "Not allowed here", 409: "That cannot be done now", 413: "That is too large to send",
              422: "Please check what you entered", 429: "Slow down a little", 500: "Something went wrong"}
    body = render_template("error.html", status=status, title=titles.get(status, "Error"), message=message)
    return body, status, dict(headers or {})
