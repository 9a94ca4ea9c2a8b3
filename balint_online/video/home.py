"""On the home page, first: the next meeting of each group, the person's turn at it, and the way in."""

from flask import current_app

from ..enrollment.home import applications, led_series
from ..rotation.home import upcoming_turns
from .services import home_groups


def next_meetings(home):
    enrolled = [a.series for a in applications(home) if a.status == "enrolled"]
    mine = {s.id: s for s in enrolled + led_series(home)}
    groups = home_groups(home.user, list(mine.values()), home.moment)
    if not groups:
        return None
    groups.sort(key=lambda g: (g.next_meeting is None, g.next_meeting.starts_at if g.next_meeting else None, g.series.id))
    turns = {t.meeting_id: t for t in upcoming_turns(home)}
    return ("video/_home.html", {"groups": groups, "turns": turns, "moment": home.moment,
                                 "window": current_app.config["JOIN_WINDOW_MINUTES"]})
