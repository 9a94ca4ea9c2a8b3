"""What members and leaders change in a rotation: availability, swaps and moves by the leaders, how many present
at a meeting, a case's title. Each checks the guarantees through the engine first and flushes; the request
commits (or, on an error, discards what was flushed)."""

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..extensions import db
from ..series.locking import lock_series
from ..series.models import Meeting, Series
from . import wording
from .engine import SwapRefused, check_plan, swap
from .models import CASE_TITLE_MAX, MemberUnavailability, PresenterTurn, RotationEvent
from .planning import apply_plan, plan_or_conflict
from .state import Snapshot, diff, names_for, require_member, require_open, stored_plan, take_snapshot


def set_availability(series: Series, member: User, meeting_ids, actor) -> Snapshot:
    """Replace `member`'s unavailability at meetings not yet held, and re-plan.

    Meetings already held keep what was stored (ids of held meetings are ignored). Raises
    `RotationConflict` (nothing written) when no rotation keeps every guarantee; returns the new state.
    """
    if actor.id != member.id and not series.can_manage(actor):
        raise NotAllowed(_("Only the member, the series' leaders or an administrator may change this availability."))
    require_member(series, member)
    require_open(series)
    lock_series(series.id)
    snap = take_snapshot(series)
    meetings = snap.by_id
    unknown = [i for i in meeting_ids if i not in meetings]
    if unknown:
        raise InvalidInput(_("Some meetings are not part of this series."), fields={
            "unavailable_meeting_ids": _("Not meetings of this series: %(ids)s.", ids=", ".join(map(str, unknown)))})
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
    apply_plan(snap, plan, kind="replanned", reason="a member's availability changed", actor=actor)
    return snap


def meeting_of(snap: Snapshot, meeting_id: int, field: str) -> Meeting:
    meeting = snap.by_id.get(meeting_id)
    if meeting is None:
        raise InvalidInput(_("That meeting is not part of this series."),
                           fields={field: _("Not a meeting of this series.")})
    return meeting


def refusal(exc: SwapRefused) -> DomainError:
    """The engine's refusal in words, as the 409 the pages and the API show."""
    return DomainError(wording.swap_refusal(exc, names_for(wording.members_named(exc.problems, exc.member))),
                       code="swap_refused")


def swap_turns(series: Series, actor, meeting_a: int, user_a: int, meeting_b: int, user_b: int) -> RotationEvent | None:
    """A leader exchanges two upcoming turns; refused (409) if the swap breaks a guarantee."""
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator may swap turns."))
    require_open(series)
    lock_series(series.id)
    snap = take_snapshot(series)
    meeting_of(snap, meeting_a, "meeting_id_a")
    meeting_of(snap, meeting_b, "meeting_id_b")
    try:
        swapped = swap(snap.inp, stored_plan(snap), meeting_a, user_a, meeting_b, user_b)
    except SwapRefused as exc:
        raise refusal(exc) from exc
    return apply_plan(snap, swapped, kind="swapped", reason="the leaders swapped two presenting turns", actor=actor)


def move_turn(series: Series, actor, meeting_id: int, user_id: int, *, to_meeting_id: int | None = None,
              to_user_id: int | None = None) -> RotationEvent | None:
    """A leader moves one upcoming turn to another meeting, to another member, or both.

    Accepted only if the edited plan breaks no guarantee the stored plan kept (`engine.check_plan`);
    the backups are then recomputed around it.
    """
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator may move turns."))
    require_open(series)
    lock_series(series.id)
    snap = take_snapshot(series)
    plan = stored_plan(snap)
    to_meeting_id = meeting_id if to_meeting_id is None else to_meeting_id
    to_user_id = user_id if to_user_id is None else to_user_id
    source = meeting_of(snap, meeting_id, "meeting_id")
    target = meeting_of(snap, to_meeting_id, "to_meeting_id")
    names = names_for([user_id, to_user_id])
    someone = _("That person")
    for meeting in (source, target):
        if snap.is_past(meeting):
            raise DomainError(_("Meeting %(number)s has already been held; its presenters cannot change.",
                                number=meeting.number),
                              code="move_refused")
        if meeting.is_cancelled:
            raise DomainError(_("Meeting %(number)s is cancelled.", number=meeting.number), code="move_refused")
    if user_id not in plan.presenters.get(meeting_id, ()):
        raise DomainError(_("%(name)s does not present at meeting %(number)s.",
                            name=names.get(user_id, someone), number=source.number),
                          code="move_refused")
    if (meeting_id, user_id) == (to_meeting_id, to_user_id):
        raise InvalidInput(
            _("The turn would stay where it is."), fields={"to_meeting_id": _("Choose another meeting or member.")}
        )
    if to_user_id in plan.presenters.get(to_meeting_id, ()):
        raise DomainError(_("%(name)s already presents at meeting %(number)s.",
                            name=names.get(to_user_id, someone), number=target.number),
                          code="move_refused")
    edited = {m: list(p) for m, p in plan.presenters.items()}
    edited[meeting_id].remove(user_id)
    edited[to_meeting_id].append(to_user_id)
    before = set(check_plan(snap.inp, plan.presenters))
    introduced = [p for p in check_plan(snap.inp, edited) if p not in before]
    if introduced:
        raise DomainError(wording.move_refused(introduced, names_for(wording.members_named(introduced))),
                          code="move_refused")
    # With the edit as the announced plan, the engine keeps it (zero changes is optimal when it
    # breaks no guarantee) and only chooses the backups around it.
    upcoming = {m.id for m in snap.upcoming}
    moved = plan_or_conflict(replace(snap.inp, current={m: p for m, p in edited.items() if m in upcoming}))
    moved = replace(moved, changes=diff(snap, moved.presenters))
    return apply_plan(snap, moved, kind="moved", reason="the leaders moved a presenting turn", actor=actor)


def set_case_title(meeting: Meeting, user, title: str) -> PresenterTurn:
    title = (title or "").strip()
    if len(title) > CASE_TITLE_MAX:
        at_most = _("At most %(max)s characters.", max=CASE_TITLE_MAX)
        raise InvalidInput(at_most, fields={"case_title": at_most})
    turn = db.session.scalar(select(PresenterTurn).where(
        PresenterTurn.meeting_id == meeting.id, PresenterTurn.user_id == user.id, PresenterTurn.role == "presenter"))
    if turn is None:
        raise NotAllowed(_("Only the member presenting at this meeting can give their case a title."))
    if meeting.starts_at <= now():
        raise DomainError(_("This meeting has already been held."), code="meeting_past")
    turn.case_title = title
    db.session.flush()
    return turn


def set_presenter_count(meeting: Meeting, count: int, actor) -> RotationEvent | None:
    """The leaders let `count` members present at one upcoming meeting; refused (409) if a member would lose
    their turn."""
    series = meeting.series
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator may change how many present."))
    require_open(series)
    if not 1 <= count <= 10:
        raise InvalidInput(_("Between 1 and 10 presenters."), fields={"count": _("Between 1 and 10.")})
    lock_series(series.id)
    snap = take_snapshot(series)
    if snap.is_past(meeting) or meeting.is_cancelled:
        raise DomainError(_("Meeting %(number)s is cancelled.", number=meeting.number) if meeting.is_cancelled
                          else _("Meeting %(number)s is past.", number=meeting.number),
                          code="meeting_unchangeable")
    override = None if count == series.presenters_per_meeting else count
    inp = replace(snap.inp, meetings=[replace(m, presenters=override) if m.id == meeting.id else m
                                      for m in snap.inp.meetings])
    plan = plan_or_conflict(inp)
    meeting.presenter_count = override
    return apply_plan(replace(snap, inp=inp), plan, kind="replanned",
                      reason=f"{count} member{'s' if count > 1 else ''} now present at meeting {meeting.number}",
                      actor=actor)
