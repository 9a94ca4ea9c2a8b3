"""A series' rotation as stored, read into the engine's terms (no changes here).

- meetings that have started (``starts_at <= now``) are held, and the presenters stored for them are
  who presented (``presented``);
- the presenter turns stored for later meetings are the announced plan (``current``), which the
  engine repairs with as few moves as possible.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..core.clock import now
from ..core.errors import DomainError, NotAllowed
from ..core.urls import absolute_url
from ..enrollment.queries import enrolled_ids, is_enrolled
from ..extensions import db
from ..series.models import Meeting, Series
from .engine import Change, MeetingSlot, Move, RotationInput, RotationPlan
from .models import MemberUnavailability, PresenterTurn


@dataclass
class Snapshot:
    """A series' rotation as stored, at one moment, and the engine's input built from it."""

    series: Series
    moment: datetime
    meetings: list[Meeting]  # by number
    members: list[int]  # enrolled user ids, in enrollment order
    turns: list[PresenterTurn]
    unavailable: dict[int, frozenset[int]]
    inp: RotationInput
    # Every stored presenter turn of meetings not yet held: what members were told.
    announced: dict[int, list[int]] = field(default_factory=dict)

    def is_past(self, meeting: Meeting) -> bool:
        return meeting.starts_at <= self.moment

    @property
    def by_id(self) -> dict[int, Meeting]:
        return {m.id: m for m in self.meetings}

    @property
    def upcoming(self) -> list[Meeting]:
        return [m for m in self.meetings if not self.is_past(m) and not m.is_cancelled]


def can_view(series: Series, user) -> bool:
    return series.can_manage(user) or is_enrolled(series, user)


def require_member(series: Series, user) -> None:
    if not is_enrolled(series, user):
        raise NotAllowed(_("Only members enrolled in this series can do that."))


def require_open(series: Series) -> None:
    if series.lifecycle == "cancelled":
        raise DomainError(_("This series is cancelled."), code="series_cancelled")


def not_pending(request) -> DomainError:
    """A swap or placement request answered or withdrawn already, in a sentence for each outcome."""
    said = {"accepted": _("This request was accepted already."), "declined": _("This request was declined already."),
            "withdrawn": _("This request was withdrawn already."), "refused": _("This request could not be applied.")}
    return DomainError(said[request.status], code="not_pending")


def names_for(user_ids) -> dict[int, str]:
    """People's names for the words (wording.py); stand-ins with negative ids have none."""
    ids = {i for i in user_ids if i is not None and i > 0}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def rotation_url(series: Series) -> str:
    return absolute_url("rotation.page", series_id=series.id)


def take_snapshot(series: Series, moment: datetime | None = None) -> Snapshot:
    moment = moment or now()
    meetings = list(db.session.scalars(
        select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.number)
        .execution_options(populate_existing=True)
    ))
    ids = [m.id for m in meetings]
    members = enrolled_ids(series.id)
    turns: list[PresenterTurn] = []
    unavailable: dict[int, frozenset[int]] = {}
    if ids:
        turns = list(db.session.scalars(
            select(PresenterTurn).where(PresenterTurn.meeting_id.in_(ids)).order_by(PresenterTurn.id)
            .execution_options(populate_existing=True)
        ))
        gathered: dict[int, set[int]] = defaultdict(set)
        for user_id, meeting_id in db.session.execute(
            select(MemberUnavailability.user_id, MemberUnavailability.meeting_id)
            .where(MemberUnavailability.meeting_id.in_(ids))
        ):
            gathered[user_id].add(meeting_id)
        unavailable = {user_id: frozenset(found) for user_id, found in gathered.items()}
    snap = Snapshot(series, moment, meetings, members, turns, unavailable, None)  # type: ignore[arg-type]
    presenting: dict[int, list[int]] = defaultdict(list)
    for turn in turns:
        if turn.role == "presenter":
            presenting[turn.meeting_id].append(turn.user_id)
    snap.inp = RotationInput(
        meetings=[MeetingSlot(m.id, m.number, snap.is_past(m), m.is_cancelled, m.presenter_count) for m in meetings],
        members=members,
        presenters_per_meeting=series.presenters_per_meeting,
        presented={m.id: presenting[m.id] for m in meetings if snap.is_past(m) and not m.is_cancelled},
        current=_binding_turns(meetings, presenting, snap),
        unavailable=unavailable,
    )
    snap.announced = {m.id: presenting[m.id] for m in meetings if not snap.is_past(m) and presenting[m.id]}
    return snap


def _binding_turns(meetings, presenting, snap) -> dict[int, list[int]]:
    """Each member's first upcoming turn: the one the engine keeps in place if it can.

    Further turns exist only while meetings outnumber members; keeping them too would let the
    first member to enrol hold most of them, where the engine promises an even spread.
    """
    current: dict[int, list[int]] = defaultdict(list)
    seen: set[int] = set()
    for meeting in meetings:
        if snap.is_past(meeting) or meeting.is_cancelled:
            continue
        for member in presenting[meeting.id]:
            if member not in seen:
                seen.add(member)
                current[meeting.id].append(member)
    return dict(current)


def stored_plan(snap: Snapshot) -> RotationPlan:
    """The plan as stored, in the engine's terms (no changes)."""
    presenters: dict[int, list[int]] = defaultdict(list)
    backups: dict[int, int | None] = {m.id: None for m in snap.upcoming}
    for turn in snap.turns:
        if turn.role == "presenter":
            presenters[turn.meeting_id].append(turn.user_id)
        elif turn.meeting_id in backups:
            backups[turn.meeting_id] = turn.user_id
    return RotationPlan(
        presenters={m.id: tuple(presenters[m.id]) for m in snap.meetings if not m.is_cancelled},
        backups=backups, changes=(),
    )


def diff(snap: Snapshot, presenters) -> tuple[Change, ...]:
    """Changes of presenters versus every announced turn (not only those the engine kept fixed)."""
    changes: list[Change] = []
    for meeting in snap.meetings:
        if snap.is_past(meeting):
            continue
        before = list(dict.fromkeys(snap.announced.get(meeting.id, ())))
        after = [] if meeting.is_cancelled else list(dict.fromkeys(presenters.get(meeting.id, ())))
        changes += [Change(meeting.id, x, Move.REMOVED) for x in before if x not in after]
        changes += [Change(meeting.id, x, Move.ADDED) for x in after if x not in before]
    return tuple(changes)
