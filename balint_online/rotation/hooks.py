"""The rotation follows the roster and the meetings: each change re-plans the turns still to come.

Receivers run inside the caller's unit of work and never commit. The failure that can be expected,
no rotation keeping every guarantee, is not an error: `services.refresh` keeps the stored plan,
records an "infeasible" event (shown on the rotation page) and emails the leaders. Anything else is a
fault, and it is raised, not swallowed: the change that triggered it is undone with it (a request
answers 500, a job is retried on its next run, both logged), because committing a roster change the
rotation silently failed to follow would leave members without the turn they are promised.
"""

from ..core.signals import application_changed, meeting_changed, series_changed
from . import services


@application_changed.connect
def on_application_changed(application, old_status=None, new_status=None, actor=None, **_):
    if (old_status == "enrolled") == (new_status == "enrolled"):
        return  # only joining and leaving the enrolled members moves turns
    if new_status == "enrolled":
        reason = "a member joined from the waiting list" if old_status == "offered" else "a member joined the group"
    else:
        reason = "a member left the group"
    services.refresh(application.series, reason=reason, actor=actor)


@meeting_changed.connect
def on_meeting_changed(meeting, change=None, actor=None, **_):
    what = {"cancelled": "was cancelled", "rescheduled": "was moved", "added": "was added",
            "restored": "takes place after all"}.get(change, "changed")
    services.refresh(meeting.series, reason=f"meeting {meeting.number} {what}", actor=actor)


@series_changed.connect
def on_series_changed(series, change=None, actor=None, **_):
    if change == "cancelled":
        services.clear_future(series, reason="the series was cancelled", actor=actor)
