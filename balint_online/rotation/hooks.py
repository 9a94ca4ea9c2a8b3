"""The rotation follows the roster and the meetings: each change re-plans the turns still to come.

Receivers run inside the caller's transaction and never commit (see core/signals.py). Each works
in a savepoint: should the rotation fail unexpectedly, its own changes are undone and logged, and
the enrollment or meeting change that triggered it still goes through (the next recomputation
repairs the plan).
"""

import logging

from ..core.signals import application_changed, meeting_changed, series_changed
from ..extensions import db
from . import services

log = logging.getLogger(__name__)


def _follow(series, reason: str, actor, action=None) -> None:
    try:
        with db.session.begin_nested():
            (action or services.refresh)(series, reason=reason, actor=actor)
    except Exception:
        log.exception("The rotation of series %s could not follow: %s", series.id, reason)


@application_changed.connect
def on_application_changed(application, old_status=None, new_status=None, actor=None, **_):
    if (old_status == "enrolled") == (new_status == "enrolled"):
        return  # only joining and leaving the enrolled members moves turns
    if new_status == "enrolled":
        reason = "a member joined from the waiting list" if old_status == "offered" else "a member joined the group"
    else:
        reason = "a member left the group"
    _follow(application.series, reason, actor)


@meeting_changed.connect
def on_meeting_changed(meeting, change=None, actor=None, **_):
    what = {"cancelled": "was cancelled", "rescheduled": "was moved", "added": "was added",
            "restored": "takes place after all"}.get(change, "changed")
    _follow(meeting.series, f"meeting {meeting.number} {what}", actor)


@series_changed.connect
def on_series_changed(series, change=None, actor=None, **_):
    if change == "cancelled":
        _follow(series, "the series was cancelled", actor, services.clear_future)
