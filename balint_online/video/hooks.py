"""Video follows meetings: a moved or cancelled meeting's room is dealt with at the scheduler's next pass.

The provider is never called here: a receiver runs inside the leader's request and must not
block it on a slow or absent provider. What needs doing is read from the meeting itself by the
job; these receivers only lift any back-off left from earlier failures, so the change goes out soon.
"""

from ..core.signals import meeting_changed, series_changed
from .services import lift_back_off


@meeting_changed.connect
def on_meeting_changed(meeting, change, actor=None, **_):
    lift_back_off([meeting.id])


@series_changed.connect
def on_series_changed(series, change, actor=None, **_):
    if change == "cancelled":
        lift_back_off([m.id for m in series.meetings if m.is_cancelled])
