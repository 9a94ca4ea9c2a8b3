"""Reading the rotation for pages, the API and other features (the calendar, the workspace): no changes here."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, selectinload

from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import db
from ..series.models import Meeting, Series
from . import wording
from .engine import RotationInfeasible, plan_rotation
from .models import MemberUnavailability, PresenterTurn
from .planning import explain
from .state import names_for, take_snapshot


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


@dataclass
class RotationRow:
    meeting: Meeting
    past: bool
    presenters: list[PresenterTurn]
    backup: PresenterTurn | None


def rotation_rows(series: Series, moment: datetime | None = None) -> list[RotationRow]:
    moment = moment or now()
    meetings = sorted(series.meetings, key=lambda m: m.number)
    ids = [m.id for m in meetings]
    turns = db.session.scalars(
        select(PresenterTurn).where(PresenterTurn.meeting_id.in_(ids)).options(selectinload(PresenterTurn.user))
        .order_by(PresenterTurn.id)
    ).all() if ids else []
    grouped: dict[int, list[PresenterTurn]] = defaultdict(list)
    for turn in turns:
        grouped[turn.meeting_id].append(turn)
    rows = []
    for meeting in meetings:
        here = [] if meeting.is_cancelled else grouped[meeting.id]
        rows.append(RotationRow(
            meeting=meeting, past=meeting.starts_at <= moment,
            presenters=[t for t in here if t.role == "presenter"],
            backup=next((t for t in here if t.role == "backup"), None),
        ))
    return rows


@cache
def _upcoming_turns():
    return (select(PresenterTurn).join(Meeting, Meeting.id == PresenterTurn.meeting_id)
            .join(Series, Series.id == Meeting.series_id)
            .where(PresenterTurn.user_id == bindparam("user_id"),
                   Meeting.starts_at > bindparam("moment", type_=UTCDateTime()), Meeting.status == "scheduled",
                   Series.lifecycle == "published")
            .options(contains_eager(PresenterTurn.meeting).contains_eager(Meeting.series))  # from the joins: one query
            .order_by(Meeting.starts_at))


def upcoming_turns_for(user, moment: datetime | None = None) -> list[PresenterTurn]:
    """The member's turns (presenting and backup) at meetings still to come, soonest first."""
    return list(db.session.scalars(_upcoming_turns(), {"user_id": user.id, "moment": moment or now()}))


def unavailable_meeting_ids(series: Series, user) -> list[int]:
    return list(db.session.scalars(
        select(MemberUnavailability.meeting_id).join(Meeting, Meeting.id == MemberUnavailability.meeting_id)
        .where(Meeting.series_id == series.id, MemberUnavailability.user_id == user.id).order_by(Meeting.number)
    ))


# -- the guarantee, explained before and after each change -------------------------------------------------------

REMEDIES = (_l("add a make-up meeting"), _l("let two members present at one meeting"),
            _l("ask a member to present at a meeting they marked unavailable"))


@dataclass
class Guarantee:
    """Whether every enrolled member has a presenting turn, in words for the leaders."""

    members: int
    without_turn: list[dict]  # [{"user_id", "name"}]
    explanation: str

    @property
    def kept(self) -> bool:
        return not self.without_turn

    @property
    def remedies(self) -> list[str]:
        return [] if self.kept else [str(remedy) for remedy in REMEDIES]

    def to_api(self) -> dict:
        return {"kept": self.kept, "members": self.members, "without_turn": self.without_turn,
                "explanation": self.explanation, "remedies": self.remedies}


def guarantee(series: Series) -> Guarantee:
    """The stored rotation measured against the promise that every member presents at least once."""
    snap = take_snapshot(series)
    has_turn = {t.user_id for t in snap.turns if t.role == "presenter" and not snap.by_id[t.meeting_id].is_cancelled}
    missing = [m for m in snap.members if m not in has_turn]
    names = names_for(missing)
    why = ""
    if missing:
        try:
            plan_rotation(snap.inp)
            why = wording.CATCHING_UP
        except RotationInfeasible as exc:
            why = explain(exc)
    return Guarantee(len(snap.members), [{"user_id": m, "name": wording.person(m, names)} for m in missing],
                     wording.guarantee(len(snap.members), missing, names, why))


def cancellation_warning(meeting: Meeting) -> str | None:
    """What cancelling `meeting` would do to the guarantee, said before the leader confirms; None if nothing."""
    snap = take_snapshot(meeting.series)
    meetings = [replace(m, cancelled=True) if m.id == meeting.id else m for m in snap.inp.meetings]
    try:
        plan_rotation(replace(snap.inp, meetings=meetings))
    except RotationInfeasible as exc:
        return wording.cancellation_warning(meeting.number, explain(exc))
    return None
