"""Telling members about their turns: once when the group's turns settle, then only what changed for them.

Nothing about turns reaches anyone before they have a place (only enrolled members are written to)
nor before the rotation is announced. The announcement goes out when the series is full or its
first meeting is a week away, whichever comes first. After that each member hears of changes to
their own presenting turns in one digest a day at most; a change that moves their turn at a meeting
less than a day away goes out at once, and says so. Many re-plans in a burst (a leader accepting a
whole group) are therefore one message, and re-plans that leave a member's turns as they were are none.

Both are scheduler jobs that claim their work in the database (the announcement's row, a conditional
update of what the member was last told), so two schedulers never send one message twice. They live
with calendar, above rotation, because each message carries the member's updated calendar object.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.statements import insert_once, rows_changed
from ..enrollment.models import Application
from ..enrollment.queries import enrolled_members
from ..extensions import db
from ..notifications.services import queue_email
from ..rotation.models import PresenterTurn, RotationAnnouncement, RotationEvent, TurnsTold
from ..rotation.state import rotation_url
from ..series.models import Meeting, Series
from .services import turns_update

SETTLES_BEFORE = timedelta(days=7)  # announced a week before the first meeting if not full earlier
DIGEST_EVERY = timedelta(days=1)
URGENT_WITHIN = timedelta(days=1)  # a change to a turn this close to its meeting goes out at once


def _turns(series_ids, moment: datetime) -> dict[int, dict[int, tuple[list[Meeting], list[Meeting]]]]:
    """Each series' members' presenting and backup meetings still to come, soonest first: one query for
    all these series."""
    found: dict[int, dict[int, tuple[list[Meeting], list[Meeting]]]] = {
        series_id: defaultdict(lambda: ([], [])) for series_id in series_ids}
    if found:
        for meeting, user_id, role in db.session.execute(
            select(Meeting, PresenterTurn.user_id, PresenterTurn.role)
            .join(PresenterTurn, PresenterTurn.meeting_id == Meeting.id)
            .where(Meeting.series_id.in_(found), Meeting.starts_at > moment, Meeting.status == "scheduled")
            .order_by(Meeting.starts_at, PresenterTurn.id)
        ):
            found[meeting.series_id][user_id][0 if role == "presenter" else 1].append(meeting)
    return found


def _settled(moment: datetime):
    """Published series not yet announced, with members and meetings to come, that are full or a week from starting."""
    first = (select(func.min(Meeting.starts_at)).where(Meeting.series_id == Series.id, Meeting.status == "scheduled")
             .correlate(Series).scalar_subquery())
    return select(Series).where(
        Series.lifecycle == "published",
        ~exists().where(RotationAnnouncement.series_id == Series.id),
        exists().where(Meeting.series_id == Series.id, Meeting.starts_at > moment),
        exists().where(Application.series_id == Series.id, Application.status == "enrolled"),
        (Series.seats_taken >= Series.capacity) | (first <= moment + SETTLES_BEFORE),
    ).order_by(Series.id)


def settled_series(moment: datetime) -> list[Series]:
    return list(db.session.scalars(_settled(moment)))


def announce(series: Series, moment: datetime) -> int:
    """Tell every member of `series` their turns, once; returns how many were written to (0 if already announced)."""
    if insert_once(RotationAnnouncement, series_id=series.id, announced_at=moment) is None:
        return 0  # another scheduler announced it
    full = series.seats_taken >= series.capacity
    turns = _turns([series.id], moment)[series.id]
    sent = 0
    for user in enrolled_members([series.id])[series.id]:
        presenting, backup = turns[user.id]
        _told(series, user, presenting, moment)
        calendar = turns_update(series, user)
        if queue_email(key=f"rotation-announced:series-{series.id}:user-{user.id}", kind="rotation_announced",
                       user=user, calendar=calendar,
                       context={"series": series, "full": full, "turns": presenting, "backup_at": backup,
                                "itip": calendar is not None, "rotation_url": rotation_url(series)}) is not None:
            sent += 1
    return sent


def _told(series: Series, user: User, presenting: list[Meeting], moment: datetime) -> None:
    told = db.session.scalar(select(TurnsTold).where(TurnsTold.series_id == series.id, TurnsTold.user_id == user.id))
    if told is None:
        db.session.add(TurnsTold(series_id=series.id, user_id=user.id, presenting=[m.id for m in presenting],
                                 told_at=moment))
    else:
        told.presenting, told.told_at = [m.id for m in presenting], moment
    db.session.flush()


def _claim(series: Series, user: User, told: TurnsTold | None, presenting: list[Meeting], moment: datetime) -> bool:
    """Record what this message tells, only if nobody else has since: the claim that makes it once."""
    ids = [m.id for m in presenting]
    if told is None:
        return insert_once(TurnsTold, series_id=series.id, user_id=user.id, presenting=ids, told_at=moment) is not None
    changed = rows_changed(
        update(TurnsTold).where(TurnsTold.id == told.id, TurnsTold.told_at == told.told_at)
        .values(presenting=ids, told_at=moment).execution_options(synchronize_session=False))
    return changed == 1


def send_digests(moment: datetime) -> Iterator[int]:
    """Each series whose turns were announced and still has meetings to come, in turn: how many of its
    members were told what changed (the job commits series by series). What the digests compare is
    read for every such series at once, so a minute's run that finds nothing to send costs a few
    queries however many groups are running."""
    announced = db.session.scalars(
        select(Series).join(RotationAnnouncement, RotationAnnouncement.series_id == Series.id)
        .where(Series.lifecycle == "published",
               exists().where(Meeting.series_id == Series.id, Meeting.starts_at > moment))
        .order_by(Series.id).options(selectinload(Series.meetings))).all()
    ids = [series.id for series in announced]
    told: dict[int, dict[int, TurnsTold]] = {series_id: {} for series_id in ids}
    if ids:
        for row in db.session.scalars(select(TurnsTold).where(TurnsTold.series_id.in_(ids))):
            told[row.series_id][row.user_id] = row
    turns, members = _turns(ids, moment), enrolled_members(ids)
    for series in announced:
        yield send_digest(series, moment, told[series.id], turns[series.id], members[series.id])


def send_digest(series: Series, moment: datetime, told_rows: dict[int, TurnsTold],
                turns: dict[int, tuple[list[Meeting], list[Meeting]]], members: list[User]) -> int:
    """Tell each member what changed in their own presenting turns since they were last told; returns how many.
    `told_rows`, `turns` and `members`: what `send_digests` read of the series."""
    sent = 0
    meetings = {m.id: m for m in series.meetings}
    for user in members:
        told = told_rows.get(user.id)
        presenting, backup = turns[user.id]
        before = {i for i in (told.presenting if told else ()) if i in meetings and meetings[i].starts_at > moment}
        now_ids = {m.id for m in presenting}
        added = [m for m in presenting if m.id not in before]
        removed = sorted((meetings[i] for i in before - now_ids), key=lambda m: m.starts_at)
        if not added and not removed:
            continue
        urgent = any(m.starts_at - moment <= URGENT_WITHIN for m in added + removed)
        if told is not None and not urgent and moment - told.told_at < DIGEST_EVERY:
            continue  # gathered into tomorrow's message
        if not _claim(series, user, told, presenting, moment):
            continue
        reasons = _reasons(series, user, told.told_at if told else None)
        calendar = turns_update(series, user)  # "(you present)" is in the member's calendar object
        queue_email(key=f"rotation-changed:series-{series.id}:user-{user.id}:{moment:%Y%m%dT%H%M%S}",
                    kind="rotation_changed", user=user, calendar=calendar,
                    context={"series": series, "added": added, "removed": removed, "turns": presenting,
                             "backup_at": backup, "urgent": urgent, "reasons": reasons,
                             "itip": calendar is not None, "rotation_url": rotation_url(series)})
        sent += 1
    return sent


def _reasons(series: Series, user: User, since: datetime | None) -> list[str]:
    """Why the member's turns moved: the reasons of the re-plans since they were last told that moved them."""
    query = select(RotationEvent).where(RotationEvent.series_id == series.id).order_by(RotationEvent.id)
    if since is not None:
        query = query.where(RotationEvent.at >= since)  # an instant shared with the last message may follow it
    found: list[str] = []
    for event in db.session.scalars(query):
        if any(user_id == user.id for _, user_id, _ in event.changes) and event.reason not in found:
            found.append(event.reason)
    return found
