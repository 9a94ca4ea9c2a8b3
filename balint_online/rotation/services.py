"""The presenter rotation as the rest of the platform sees it."""

from ..series.models import Series


def has_room_for_another(series: Series, moment) -> bool:
    """Whether one more member could still be given a turn to present in the meetings left."""
    future_slots = sum(1 for m in series.live_meetings if m.starts_at > moment) * series.presenters_per_meeting
    return future_slots >= series.seats_taken + 1
