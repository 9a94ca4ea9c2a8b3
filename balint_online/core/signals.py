"""Events one feature announces and others follow (rotation, calendars, video), without imports between them.

Receivers run inside the request's transaction and must not commit.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Application; kwargs: old_status, new_status, actor
application_changed = _signals.signal("application-changed")
# sender: the Meeting; kwargs: change ("rescheduled" | "cancelled" | "added" | "restored"), actor
meeting_changed = _signals.signal("meeting-changed")
# sender: the Series; kwargs: change ("published" | "cancelled" | "edited", with fields=[names]), actor
series_changed = _signals.signal("series-changed")
