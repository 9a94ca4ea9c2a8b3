"""The presenter rotation: kept up to date as the roster, the meetings and members' availability change.

Every change goes through `engine.plan_rotation` (or `engine.swap`) on the stored state:

- meetings that have started (``starts_at <= now``) are held, and the presenters stored for them are
  who presented (``presented``);
- the presenter turns stored for later meetings are the announced plan (``current``), which the
  engine repairs with as few moves as possible;
- the result is written back as `PresenterTurn` rows (presenters and one backup per meeting), a
  `RotationEvent` records it, and each enrolled member whose turns moved is emailed once (the
  event's id is in the outbox key).

Where no rotation keeps every guarantee (`RotationInfeasible`), the stored plan is kept: requests
that asked for the change are refused (`RotationConflict`, 409, naming the members who could not be
placed), and changes that already happened (a meeting cancelled, a member enrolled) are logged and
explained to the leaders by email.

Several requests may change one series at once; each recomputation locks the series row first
(``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers).
"""

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.clock import now
from ..core.urls import absolute_url
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..enrollment.models import Application
from ..extensions import db
from ..notifications.models import OutboxMessage
from ..notifications.services import queue_email
from ..series.locking import lock_series
from ..series.models import Meeting, Series
from .engine import (
    Change,
    MeetingSlot,
    RotationInfeasible,
    RotationInput,
    RotationPlan,
    SwapRefused,
    check_plan,
    plan_rotation,
)
from .engine import swap as engine_swap
from .models import CASE_TITLE_MAX, MemberUnavailability, PresenterTurn, RotationEvent, SwapRequest, SwapStatus

log = logging.getLogger(__name__)

REMINDER_LEADS = (("7d", timedelta(days=7)), ("1d", timedelta(days=1)))


class RotationConflict(DomainError):
    """No rotation keeps every guarantee with the requested change; nothing was saved."""

    status = 409
    code = "rotation_infeasible"


# -- what other features read ------------------------------------------------------------------------

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
    """Whether one more member (free at every meeting) could still be given a turn in the meetings left.

    The engine's exact answer: the enrolled members (with their availability and who has presented
    already), everyone holding an offer of a seat, and one newcomer must all fit. Locks the series
    row, so concurrent accepts and offers decide one after another.
    """
    lock_series(series.id)
    snap = take_snapshot(series, moment)
    offered = db.session.scalars(
        select(Application.user_id).where(Application.series_id == series.id, Application.status == "offered")
    ).all()
    # Everyone holding an offer may still take it up, so each needs a turn too; newcomers are
    # stand-ins with negative ids (no real user has one) and no unavailability.
    newcomers = [-(k + 1) for k in range(len(offered) + 1)]
    try:
        plan_rotation(replace(snap.inp, members=[*snap.inp.members, *newcomers]))
    except RotationInfeasible:
        return False
    return True


# -- reading the stored state --------------------------------------------------------------------------

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


def enrolled_ids(series_id: int) -> list[int]:
    return list(db.session.scalars(
        select(Application.user_id).where(Application.series_id == series_id, Application.status == "enrolled")
        .order_by(Application.enrolled_at, Application.id)
    ))


def is_enrolled(series: Series, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return db.session.scalar(select(Application.id).where(
        Application.series_id == series.id, Application.user_id == user.id, Application.status == "enrolled"
    ).limit(1)) is not None


def can_view(series: Series, user) -> bool:
    return series.can_manage(user) or is_enrolled(series, user)


def take_snapshot(series: Series, moment: datetime | None = None) -> Snapshot:
    moment = moment or now()
    meetings = list(db.session.scalars(
        select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.number)
        .execution_options(populate_existing=True)
    ))
    ids = [m.id for m in meetings]
    members = enrolled_ids(series.id)
    turns, unavailable = [], {}
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


# -- people's names in the engine's sentences ----------------------------------------------------------

_IDS = re.compile(r"\b(?:[Mm]embers?|(presenters)) (-?\d+(?:, -?\d+)*)( and \d+ more)?")


def names_for(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None and i > 0}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _separator(names: list[str]) -> str:
    # "Ben Brook, NP" has a comma of its own: such lists are separated by semicolons.
    return "; " if any("," in name for name in names) else ", "


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else _separator(names).join(names[:-1]) + " and " + names[-1]


def name_members(text: str, names: dict[int, str]) -> str:
    """The engine's "member 12" and "members 3, 4" written with people's names."""

    def named(match: re.Match) -> str:
        people = [names.get(int(i), "a former member") for i in match.group(2).split(", ")]
        if match.group(3):
            listed = _separator(people).join(people) + match.group(3)
        else:
            listed = _and(people)
        return f"presenters {listed}" if match.group(1) else listed

    return _IDS.sub(named, text)


def _ids_in(text: str) -> list[int]:
    return [int(i) for m in _IDS.finditer(text) for i in m.group(2).split(", ")]


# The engine's reason for a member caught in a shortage: their own availability, then the group.
_SHORTAGE = re.compile(r"^(?P<own>.*?); members? .+? (?:has|have) not presented yet either and (?P<group>can present only at .*)$")





def explain_infeasible(exc: RotationInfeasible) -> tuple[str, list[dict]]:
    """A message for people and the members who could not be placed, each with the engine's reason.

    The engine explains each member separately; members caught in the same shortage share one
    sentence here, and only restrictions of a member's own availability are spelt out for them.
    """
    names = names_for([*exc.unplaceable, *(i for r in exc.unplaceable.values() for i in _ids_in(r))])
    people = [{"user_id": user_id, "name": names.get(user_id, "a former member"), "reason": name_members(reason, names)}
              for user_id, reason in exc.unplaceable.items()]
    own: list[str] = []
    alone: list[str] = []
    groups: dict[str, list[str]] = {}
    for person, reason in zip(people, exc.unplaceable.values()):
        match = _SHORTAGE.match(reason)
        if match is None:
            alone.append(f"{person['name']} {person['reason']}")
            continue
        groups.setdefault(match.group("group"), []).append(person["name"])
        if "available at every remaining meeting" not in match.group("own"):
            restriction = name_members(match.group("own"), names).removeprefix("has not presented yet and ")
            own.append(f"{person['name']} {restriction}")
    sentences = alone + [
        f"{_and(group)} {'have' if len(group) > 1 else 'has'} not presented yet, and between them they {shortage}"
        for shortage, group in groups.items()
    ] + own
    return "No rotation gives every member a presenting turn. " + ". ".join(s[0].upper() + s[1:] for s in sentences) + ".", people


def plan_or_conflict(inp: RotationInput) -> RotationPlan:
    """The engine's plan for a requested change, or RotationConflict (409, nothing saved) naming who has no turn."""
    try:
        return plan_rotation(inp)
    except RotationInfeasible as exc:
        message, people = explain_infeasible(exc)
        db.session.rollback()
        raise RotationConflict(message, unplaceable=people) from exc


def _refusal(exc: Exception) -> str:
    text = str(exc)
    return name_members(text, names_for(_ids_in(text)))


# -- writing a plan back ---------------------------------------------------------------------------------

def _diff(snap: Snapshot, presenters) -> tuple[Change, ...]:
    """Changes of presenters versus the stored plan, as the engine words them (by meeting number)."""
    changes = []
    for meeting in snap.meetings:
        if snap.is_past(meeting):
            continue
        before = list(dict.fromkeys(snap.announced.get(meeting.id, ())))
        after = [] if meeting.is_cancelled else list(dict.fromkeys(presenters.get(meeting.id, ())))
        changes += [Change(meeting.id, x, "removed") for x in before if x not in after]
        changes += [Change(meeting.id, x, "added") for x in after if x not in before]
    return tuple(changes)


def _write(snap: Snapshot, plan: RotationPlan) -> bool:
    """Store `plan` for every meeting not yet held; True if any row changed.

    A member whose turn moves keeps the case title they had chosen for it.
    """
    by_meeting: dict[int, dict[int, PresenterTurn]] = defaultdict(dict)
    for turn in snap.turns:
        by_meeting[turn.meeting_id][turn.user_id] = turn
    titles: dict[int, list[str]] = defaultdict(list)  # member -> titles of presenter turns they lost
    gained: list[PresenterTurn] = []
    touched = False
    for meeting in snap.meetings:
        if snap.is_past(meeting):
            continue
        wanted: dict[int, str] = {}
        if not meeting.is_cancelled:
            wanted = {member: "presenter" for member in plan.presenters.get(meeting.id, ())}
            backup = plan.backups.get(meeting.id)
            if backup is not None and backup not in wanted:
                wanted[backup] = "backup"
        here = by_meeting.get(meeting.id, {})
        for member, turn in here.items():
            role = wanted.get(member)
            if role == turn.role:
                continue
            touched = True
            if turn.role == "presenter" and turn.case_title:
                titles[member].append(turn.case_title)
            if role is None:
                db.session.delete(turn)
            else:
                turn.role, turn.case_title, turn.announced_at = role, "", snap.moment
                if role == "presenter":
                    gained.append(turn)
        for member, role in wanted.items():
            if member not in here:
                touched = True
                turn = PresenterTurn(meeting_id=meeting.id, user_id=member, role=role, announced_at=snap.moment)
                db.session.add(turn)
                if role == "presenter":
                    gained.append(turn)
    for turn in gained:
        if titles[turn.user_id]:
            turn.case_title = titles[turn.user_id].pop(0)
    db.session.flush()
    return touched


def _apply(snap: Snapshot, plan: RotationPlan, *, kind: str, reason: str, actor=None) -> RotationEvent | None:
    """Write `plan` back, record the event and email each enrolled member whose turns changed."""
    # Changes as members see them: against every announced turn, not only the ones the engine kept fixed.
    plan = replace(plan, changes=_diff(snap, plan.presenters))
    if not _write(snap, plan) and not plan.changes:
        return None
    event = RotationEvent(series_id=snap.series.id, kind=kind, reason=reason[:500],
                          changes=[[c.meeting_id, c.member_id, c.kind] for c in plan.changes],
                          actor_id=getattr(actor, "id", None), at=snap.moment)
    db.session.add(event)
    db.session.flush()
    _notify_changes(snap, plan.changes, plan.presenters, plan.backups, event)
    return event


def rotation_url(series: Series) -> str:
    return absolute_url("rotation.page", series_id=series.id)


def _notify_changes(snap: Snapshot, changes, presenters, backups, event: RotationEvent) -> None:
    enrolled = set(snap.members)
    meetings = snap.by_id
    moved: dict[int, dict[str, list[Meeting]]] = defaultdict(lambda: {"added": [], "removed": []})
    for change in changes:
        if change.member_id in enrolled:
            moved[change.member_id][change.kind].append(meetings[change.meeting_id])
    if not moved:
        return
    # The calendar imports this module; importing it here keeps the dependency one-way at load time.
    from ..calendar.services import turns_update

    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(moved)))}
    for member, change in moved.items():
        # "(you present)" is in the member's calendar object: its update goes with this email.
        calendar = turns_update(snap.series, users[member])
        queue_email(
            key=f"rotation-changed:event-{event.id}:user-{member}", kind="rotation_changed", user=users[member],
            calendar=calendar,
            context={"itip": calendar is not None, "series": snap.series, "added": change["added"], "removed": change["removed"],
                     "reason": event.reason, "rotation_url": rotation_url(snap.series),
                     "turns": [m for m in snap.upcoming if member in presenters.get(m.id, ())],
                     "backup_at": [m for m in snap.upcoming if backups.get(m.id) == member]},
        )


def _tell_leaders(snap: Snapshot, event: RotationEvent) -> None:
    for leader in snap.series.leaders:
        queue_email(key=f"rotation-infeasible:event-{event.id}:user-{leader.id}", kind="rotation_infeasible",
                    user=leader, context={"series": snap.series, "reason": event.reason,
                                          "explanation": event.explanation, "rotation_url": rotation_url(snap.series)})


# -- following the roster (called by hooks, inside the caller's transaction) ---------------------------------

def refresh(series: Series, *, reason: str, actor=None) -> RotationEvent | None:
    """Re-plan after a change that has already happened; never commits.

    If no rotation keeps every guarantee, the stored plan stays (less any turns at cancelled
    meetings or of people no longer enrolled, which cannot stand), the problem is logged and the
    leaders get the explanation.
    """
    if series.lifecycle == "cancelled":
        return clear_future(series, reason=reason, actor=actor)
    lock_series(series.id)
    snap = take_snapshot(series)
    try:
        plan = plan_rotation(snap.inp)
    except RotationInfeasible as exc:
        explanation, _ = explain_infeasible(exc)
        log.warning("Rotation of series %s kept as it was after %r: %s", series.id, reason, explanation)
        # Turns that cannot stand go all the same: at cancelled meetings, and of people no longer enrolled.
        kept = stored_plan(snap)
        enrolled = set(snap.members)
        presenters = {m: p if snap.is_past(snap.by_id[m]) else tuple(x for x in p if x in enrolled)
                      for m, p in kept.presenters.items() if not snap.by_id[m].is_cancelled}
        backups = {m: b if b in enrolled else None for m, b in kept.backups.items()}
        kept = RotationPlan(presenters=presenters, backups=backups, changes=_diff(snap, presenters))
        changes = kept.changes
        _write(snap, kept)
        event = RotationEvent(series_id=series.id, kind="infeasible", reason=reason[:500], explanation=explanation,
                              changes=[[c.meeting_id, c.member_id, c.kind] for c in changes],
                              actor_id=getattr(actor, "id", None), at=snap.moment)
        db.session.add(event)
        db.session.flush()
        _notify_changes(snap, changes, presenters, kept.backups, event)
        _tell_leaders(snap, event)
        return event
    return _apply(snap, plan, kind="replanned", reason=reason, actor=actor)


def clear_future(series: Series, *, reason: str, actor=None) -> RotationEvent | None:
    """A cancelled series keeps its held turns and drops every later one, without emails
    (members are told of the cancellation itself)."""
    moment = now()
    future = select(Meeting.id).where(Meeting.series_id == series.id, Meeting.starts_at > moment)
    turns = db.session.scalars(select(PresenterTurn).where(PresenterTurn.meeting_id.in_(future))).all()
    if not turns:
        return None
    for turn in turns:
        db.session.delete(turn)
    event = RotationEvent(series_id=series.id, kind="cleared", reason=reason[:500],
                          changes=[[t.meeting_id, t.user_id, "removed"] for t in turns if t.role == "presenter"],
                          actor_id=getattr(actor, "id", None), at=moment)
    db.session.add(event)
    db.session.flush()
    return event


# -- members' and leaders' requests (each commits) ------------------------------------------------------------

def _require_member(series: Series, user) -> None:
    if not is_enrolled(series, user):
        raise NotAllowed("Only members enrolled in this series can do that.")


def _require_open(series: Series) -> None:
    if series.lifecycle == "cancelled":
        raise DomainError("This series is cancelled.", code="series_cancelled")


def unavailable_meeting_ids(series: Series, user) -> list[int]:
    return list(db.session.scalars(
        select(MemberUnavailability.meeting_id).join(Meeting, Meeting.id == MemberUnavailability.meeting_id)
        .where(Meeting.series_id == series.id, MemberUnavailability.user_id == user.id).order_by(Meeting.number)
    ))


def set_availability(series: Series, member: User, meeting_ids, actor) -> Snapshot:
    """Replace `member`'s unavailability at meetings not yet held, and re-plan.

    Meetings already held keep what was stored (ids of held meetings are ignored). Raises
    `RotationConflict` (nothing saved) when no rotation keeps every guarantee; returns the new state.
    """
    if actor.id != member.id and not series.can_manage(actor):
        raise NotAllowed("Only the member, the series' leaders or an administrator may change this availability.")
    _require_member(series, member)
    _require_open(series)
    lock_series(series.id)
    snap = take_snapshot(series)
    meetings = snap.by_id
    unknown = [i for i in meeting_ids if i not in meetings]
    if unknown:
        raise InvalidInput("Some meetings are not part of this series.", fields={
            "unavailable_meeting_ids": f"Not meetings of this series: {', '.join(map(str, unknown))}."})
    stored = snap.unavailable.get(member.id, frozenset())
    wanted = frozenset(i for i in meeting_ids if not snap.is_past(meetings[i])) | frozenset(
        i for i in stored if snap.is_past(meetings[i]))
    unavailable = {**snap.unavailable, member.id: wanted}
    inp = replace(snap.inp, unavailable=unavailable)
    plan = plan_or_conflict(inp)
    for meeting_id in stored - wanted:
        db.session.execute(MemberUnavailability.__table__.delete().where(
            MemberUnavailability.meeting_id == meeting_id, MemberUnavailability.user_id == member.id))
    for meeting_id in sorted(wanted - stored):
        db.session.add(MemberUnavailability(meeting_id=meeting_id, user_id=member.id))
    snap = replace(snap, unavailable=unavailable, inp=inp)
    _apply(snap, plan, kind="replanned", reason="a member's availability changed", actor=actor)
    db.session.commit()
    return snap


def _meeting_of(snap: Snapshot, meeting_id: int, field: str) -> Meeting:
    meeting = snap.by_id.get(meeting_id)
    if meeting is None:
        raise InvalidInput("That meeting is not part of this series.", fields={field: "Not a meeting of this series."})
    return meeting


def swap_turns(series: Series, actor, meeting_a: int, user_a: int, meeting_b: int, user_b: int) -> RotationEvent | None:
    """A leader exchanges two upcoming turns; refused (409) if the swap breaks a guarantee."""
    if not series.can_manage(actor):
        raise NotAllowed("Only this series' leaders or an administrator may swap turns.")
    _require_open(series)
    lock_series(series.id)
    snap = take_snapshot(series)
    plan = stored_plan(snap)
    _meeting_of(snap, meeting_a, "meeting_id_a")
    _meeting_of(snap, meeting_b, "meeting_id_b")
    try:
        swapped = engine_swap(snap.inp, plan, meeting_a, user_a, meeting_b, user_b)
    except SwapRefused as exc:
        db.session.rollback()
        raise DomainError(_refusal(exc), code="swap_refused") from exc
    event = _apply(snap, swapped, kind="swapped", reason="the leaders swapped two presenting turns", actor=actor)
    db.session.commit()
    return event


def move_turn(series: Series, actor, meeting_id: int, user_id: int, *, to_meeting_id: int | None = None,
              to_user_id: int | None = None) -> RotationEvent | None:
    """A leader moves one upcoming turn to another meeting, to another member, or both.

    Accepted only if the edited plan breaks no guarantee the stored plan kept (`engine.check_plan`);
    the backups are then recomputed around it.
    """
    if not series.can_manage(actor):
        raise NotAllowed("Only this series' leaders or an administrator may move turns.")
    _require_open(series)
    lock_series(series.id)
    snap = take_snapshot(series)
    plan = stored_plan(snap)
    to_meeting_id = meeting_id if to_meeting_id is None else to_meeting_id
    to_user_id = user_id if to_user_id is None else to_user_id
    source = _meeting_of(snap, meeting_id, "meeting_id")
    target = _meeting_of(snap, to_meeting_id, "to_meeting_id")
    names = names_for([user_id, to_user_id])
    for meeting in (source, target):
        if snap.is_past(meeting):
            raise DomainError(f"Meeting {meeting.number} has already been held; its presenters cannot change.",
                              code="move_refused")
        if meeting.is_cancelled:
            raise DomainError(f"Meeting {meeting.number} is cancelled.", code="move_refused")
    if user_id not in plan.presenters.get(meeting_id, ()):
        raise DomainError(f"{names.get(user_id, 'That person')} does not present at meeting {source.number}.",
                          code="move_refused")
    if (meeting_id, user_id) == (to_meeting_id, to_user_id):
        raise InvalidInput("The turn would stay where it is.", fields={"to_meeting_id": "Choose another meeting or member."})
    if to_user_id in plan.presenters.get(to_meeting_id, ()):
        raise DomainError(f"{names.get(to_user_id, 'That person')} already presents at meeting {target.number}.",
                          code="move_refused")
    edited = {m: list(p) for m, p in plan.presenters.items()}
    edited[meeting_id].remove(user_id)
    edited[to_meeting_id].append(to_user_id)
    before = set(check_plan(snap.inp, plan.presenters))
    introduced = [p for p in check_plan(snap.inp, edited) if p not in before]
    if introduced:
        db.session.rollback()
        raise DomainError(_refusal("Move refused: " + " ".join(introduced)), code="move_refused")
    # With the edit as the announced plan, the engine keeps it (zero changes is optimal when it
    # breaks no guarantee) and only chooses the backups around it.
    upcoming = {m.id for m in snap.upcoming}
    moved = plan_or_conflict(replace(snap.inp, current={m: p for m, p in edited.items() if m in upcoming}))
    moved = replace(moved, changes=_diff(snap, moved.presenters))
    event = _apply(snap, moved, kind="moved", reason="the leaders moved a presenting turn", actor=actor)
    db.session.commit()
    return event


def set_case_title(meeting: Meeting, user, title: str) -> PresenterTurn:
    title = (title or "").strip()
    if len(title) > CASE_TITLE_MAX:
        raise InvalidInput(f"At most {CASE_TITLE_MAX} characters.",
                           fields={"case_title": f"At most {CASE_TITLE_MAX} characters."})
    turn = db.session.scalar(select(PresenterTurn).where(
        PresenterTurn.meeting_id == meeting.id, PresenterTurn.user_id == user.id, PresenterTurn.role == "presenter"))
    if turn is None:
        raise NotAllowed("Only the member presenting at this meeting can give their case a title.")
    if meeting.starts_at <= now():
        raise DomainError("This meeting has already been held.", code="meeting_past")
    turn.case_title = title
    db.session.commit()
    return turn


# -- members asking each other to swap -------------------------------------------------------------------------

def _check_swap(snap: Snapshot, plan: RotationPlan, request_turns) -> RotationPlan:
    try:
        return engine_swap(snap.inp, plan, *request_turns)
    except SwapRefused as exc:
        raise DomainError(_refusal(exc), code="swap_refused") from exc


def request_swap(series: Series, requester: User, meeting_id: int, partner_id: int, partner_meeting_id: int,
                 message: str = "") -> SwapRequest:
    """`requester` asks `partner` to exchange turns; refused at once if the swap could not be applied now."""
    _require_member(series, requester)
    _require_open(series)
    partner = db.session.get(User, partner_id)
    if partner is None or partner.id == requester.id or not is_enrolled(series, partner):
        raise InvalidInput("Ask another member of this group.", fields={"partner_id": "Not another member of this group."})
    snap = take_snapshot(series)
    plan = stored_plan(snap)
    for meeting_ref, name in ((meeting_id, "meeting_id"), (partner_meeting_id, "partner_meeting_id")):
        if meeting_ref not in snap.by_id:
            raise InvalidInput("That meeting is not part of this series.", fields={name: "Not a meeting of this series."})
    _check_swap(snap, plan, (meeting_id, requester.id, partner_meeting_id, partner.id))
    duplicate = db.session.scalar(select(SwapRequest.id).where(
        SwapRequest.requester_id == requester.id, SwapRequest.partner_id == partner.id,
        SwapRequest.requester_meeting_id == meeting_id, SwapRequest.partner_meeting_id == partner_meeting_id,
        SwapRequest.status == "pending"))
    if duplicate is not None:
        raise DomainError("You have already asked this; wait for the answer.", code="already_requested")
    request = SwapRequest(series_id=series.id, requester_id=requester.id, requester_meeting_id=meeting_id,
                          partner_id=partner.id, partner_meeting_id=partner_meeting_id, message=message.strip()[:500],
                          created_at=now())
    db.session.add(request)
    db.session.flush()
    queue_email(key=f"rotation-swap-request:request-{request.id}", kind="rotation_swap_request", user=partner,
                context={"series": series, "request": request, "requester": requester,
                         "requests_url": rotation_url(series) + "/requests"})
    db.session.commit()
    return request


def _decide(request: SwapRequest, status: SwapStatus, outcome: str = "") -> None:
    request.status, request.outcome, request.decided_at = status, outcome[:1000], now()


def answer_swap_request(request: SwapRequest, user, accept: bool) -> SwapRequest:
    """The partner accepts (the swap is applied if still valid) or declines.

    A swap that is no longer valid closes the request as "refused" and raises `DomainError`
    (409, code swap_refused) after committing that outcome.
    """
    if user is None or request.partner_id != user.id:
        raise NotAllowed("Only the member who was asked can answer this request.")
    if request.status != "pending":
        raise DomainError(f"This request is already {request.status}.", code="not_pending")
    series = request.series
    if not accept:
        _decide(request, SwapStatus.DECLINED)
        _tell_requester(request)
        db.session.commit()
        return request
    lock_series(series.id)
    snap = take_snapshot(series)
    turns = (request.requester_meeting_id, request.requester_id, request.partner_meeting_id, request.partner_id)
    try:
        if request.requester_id not in snap.members or request.partner_id not in snap.members:
            raise DomainError("One of you is no longer enrolled in this group.", code="swap_refused")
        swapped = _check_swap(snap, stored_plan(snap), turns)
    except DomainError as exc:
        _decide(request, SwapStatus.REFUSED, exc.message)
        _tell_requester(request)
        db.session.commit()
        raise
    _decide(request, SwapStatus.ACCEPTED)
    _apply(snap, swapped, kind="swapped", reason="two members agreed to swap their presenting turns", actor=user)
    db.session.commit()
    return request


def withdraw_swap_request(request: SwapRequest, user) -> SwapRequest:
    if user is None or request.requester_id != user.id:
        raise NotAllowed("Only the member who asked can withdraw this request.")
    if request.status != "pending":
        raise DomainError(f"This request is already {request.status}.", code="not_pending")
    _decide(request, SwapStatus.WITHDRAWN)
    db.session.commit()
    return request


def _tell_requester(request: SwapRequest) -> None:
    queue_email(key=f"rotation-swap-answer:request-{request.id}", kind="rotation_swap_answer", user=request.requester,
                context={"series": request.series, "request": request, "rotation_url": rotation_url(request.series)})


def swap_requests_for(series: Series, user) -> list[SwapRequest]:
    """The requests a member made or received in this series (every request for its leaders), newest first."""
    query = select(SwapRequest).where(SwapRequest.series_id == series.id).options(
        selectinload(SwapRequest.requester), selectinload(SwapRequest.partner),
        selectinload(SwapRequest.requester_meeting), selectinload(SwapRequest.partner_meeting),
    ).order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc())
    if not series.can_manage(user):
        query = query.where((SwapRequest.requester_id == user.id) | (SwapRequest.partner_id == user.id))
    return list(db.session.scalars(query))


# -- reading the rotation for pages and the API -------------------------------------------------------------

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


def upcoming_turns_for(user, moment: datetime | None = None) -> list[PresenterTurn]:
    """The member's turns (presenting and backup) at meetings still to come, soonest first."""
    moment = moment or now()
    return list(db.session.scalars(
        select(PresenterTurn).join(Meeting, Meeting.id == PresenterTurn.meeting_id)
        .join(Series, Series.id == Meeting.series_id)
        .where(PresenterTurn.user_id == user.id, Meeting.starts_at > moment, Meeting.status == "scheduled",
               Series.lifecycle == "published")
        .options(selectinload(PresenterTurn.meeting).selectinload(Meeting.series))
        .order_by(Meeting.starts_at)
    ))


# -- reminders (the scheduler) ------------------------------------------------------------------------------------

def send_presenter_reminders(moment: datetime) -> int:
    """Remind each presenter a week and a day before their turn, once each.

    A turn inside the last day before its meeting gets only the one-day reminder, so a late
    announcement or a scheduler that was down never sends a "next week" email the day before.
    """
    horizon = moment + REMINDER_LEADS[0][1]
    enrolled = select(Application.id).where(
        Application.series_id == Meeting.series_id, Application.user_id == PresenterTurn.user_id,
        Application.status == "enrolled").exists()
    turns = db.session.scalars(
        select(PresenterTurn).join(Meeting, Meeting.id == PresenterTurn.meeting_id)
        .join(Series, Series.id == Meeting.series_id)
        .where(PresenterTurn.role == "presenter", Meeting.status == "scheduled", Series.lifecycle == "published",
               Meeting.starts_at > moment, Meeting.starts_at <= horizon, enrolled)
        .order_by(Meeting.starts_at, PresenterTurn.id)
    ).all()
    if not turns:
        return 0

    def lead(turn: PresenterTurn) -> str:
        # The shortest lead whose moment has come: within a day of the meeting only "1d" is due.
        return next(name for name, before in reversed(REMINDER_LEADS) if turn.meeting.starts_at - before <= moment)

    keyed = {f"presenter-reminder-{lead(t)}:meeting-{t.meeting_id}:user-{t.user_id}": (lead(t), t) for t in turns}
    sent_already = set(db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keyed))))
    sent = 0
    for key, (due, turn) in keyed.items():
        if key in sent_already:
            continue
        meeting = turn.meeting
        backup = db.session.scalar(select(PresenterTurn).where(
            PresenterTurn.meeting_id == meeting.id, PresenterTurn.role == "backup"))
        ahead = meeting.starts_at - moment
        if queue_email(key=key, kind="presenter_reminder", user=turn.user, context={
            "series": meeting.series, "meeting": meeting, "turn": turn, "lead": due,
            "soon": "within a day" if due == "1d" else f"in {math.ceil(ahead / timedelta(days=1))} days",
            "backup": backup.user if backup else None, "rotation_url": rotation_url(meeting.series),
        }) is not None:
            sent += 1
    db.session.commit()
    return sent


# -- the guarantee, explained before and after each change -------------------------------------------------------

REMEDIES = ("add a make-up meeting", "let two members present at one meeting",
            "ask a member to present at a meeting they marked unavailable")


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
        return [] if self.kept else list(REMEDIES)

    def to_api(self) -> dict:
        return {"kept": self.kept, "members": self.members, "without_turn": self.without_turn,
                "explanation": self.explanation, "remedies": self.remedies}


def guarantee(series: Series) -> Guarantee:
    """The stored rotation measured against the promise that every member presents at least once."""
    snap = take_snapshot(series)
    has_turn = {t.user_id for t in snap.turns if t.role == "presenter" and not snap.by_id[t.meeting_id].is_cancelled}
    missing = [m for m in snap.members if m not in has_turn]
    if not missing:
        return Guarantee(len(snap.members), [], f"Every one of the {len(snap.members)} members has a presenting turn."
                         if snap.members else "No one is enrolled yet.")
    names = names_for(missing)
    try:
        plan_rotation(snap.inp)
        why = "The rotation has not caught up yet; it will on the next change."
    except RotationInfeasible as exc:
        why, _ = explain_infeasible(exc)
    return Guarantee(len(snap.members), [{"user_id": m, "name": names.get(m, "a former member")} for m in missing],
                     f"{_and([names.get(m, 'a former member') for m in missing])} "
                     f"{'have' if len(missing) > 1 else 'has'} no presenting turn. {why}")


def cancellation_warning(meeting: Meeting) -> str | None:
    """What cancelling `meeting` would do to the guarantee, said before the leader confirms; None if nothing."""
    snap = take_snapshot(meeting.series)
    meetings = [replace(m, cancelled=True) if m.id == meeting.id else m for m in snap.inp.meetings]
    try:
        plan_rotation(replace(snap.inp, meetings=meetings))
    except RotationInfeasible as exc:
        message, _ = explain_infeasible(exc)
        return f"Cancelling meeting {meeting.number} would leave a member without a turn. {message}"
    return None


def set_presenter_count(meeting: Meeting, count: int, actor) -> RotationEvent | None:
    """The leaders let `count` members present at one upcoming meeting; refused (409) if a member would lose their turn."""
    series = meeting.series
    if not series.can_manage(actor):
        raise NotAllowed("Only this series' leaders or an administrator may change how many present.")
    _require_open(series)
    if not 1 <= count <= 10:
        raise InvalidInput("Between 1 and 10 presenters.", fields={"count": "Between 1 and 10."})
    lock_series(series.id)
    snap = take_snapshot(series)
    if snap.is_past(meeting) or meeting.is_cancelled:
        raise DomainError(f"Meeting {meeting.number} is {'cancelled' if meeting.is_cancelled else 'past'}.",
                          code="meeting_unchangeable")
    override = None if count == series.presenters_per_meeting else count
    inp = replace(snap.inp, meetings=[replace(m, presenters=override) if m.id == meeting.id else m
                                      for m in snap.inp.meetings])
    plan = plan_or_conflict(inp)
    meeting.presenter_count = override
    event = _apply(replace(snap, inp=inp), plan, kind="replanned",
                   reason=f"{count} member{'s' if count > 1 else ''} now present at meeting {meeting.number}", actor=actor)
    db.session.commit()
    return event
