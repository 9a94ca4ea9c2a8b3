"""The presenter rotation as the rest of the platform sees it."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..series.models import Series
from .models import PresenterTurn


def presenters_by_meeting(meeting_ids) -> dict[int, list[PresenterTurn]]:
    """Presenter turns (role "presenter", with `.user` loaded) for many meetings in one query."""
    found: dict[int, list[PresenterTurn]] = {meeting_id: [] for meeting_id in meeting_ids}
    if not found:
        return found
    turns = db.session.scalars(
        select(PresenterTurn).where(PresenterTurn.meeting_id.in_(found), PresenterTurn.role == "presenter")
        .options(selectinload(PresenterTurn.user)).order_by(PresenterTurn.meeting_id, PresenterTurn.id)
    )
    for turn in turns:
        found[turn.meeting_id].append(turn)
    return found


def has_room_for_another(series: Series, moment) -> bool:
    """Whether one more member could still be given a turn to present in the meetings left."""
    future_slots = sum(1 for m in series.live_meetings if m.starts_at > moment) * series.presenters_per_meeting
    return future_slots >= series.seats_taken + 1
