"""The scheduler's video pass: each meeting's room created, moved or removed at its provider.

Provider calls are slow and can fail, so none is made while this process holds a database
transaction (on SQLite that would be the write lock): the meeting is claimed and the claim
committed, the provider called, and the outcome written with conditional UPDATEs and committed.
Those commits are this job's deliberate units of work, one per step, not a service's.
"""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, null, or_, select, update

from ..core.statements import insert_once, rows_changed
from ..core.timefmt import iso_z
from ..extensions import db
from ..series.models import Meeting, Series
from .models import VideoLink, VideoProvisioning
from .providers import ProviderConfigError, ProviderError, Room, retry_delay, truncate
from .rooms import provider_for, room_request, tell_leaders

log = logging.getLogger(__name__)

# Longer than any provider call may take (VIDEO_HTTP_TIMEOUT), so a live claim is never taken over.
CLAIM = timedelta(minutes=5)
# A refusal (bad credentials, a setting missing) needs a person to fix it: ask again hourly at first.
REFUSED_MIN_DELAY = timedelta(hours=1)
REFUSED_FACTOR = 4
# Failures this close to a meeting are worth the leaders' attention at once.
WARN_LEADERS_WITHIN = timedelta(hours=24)
BATCH = 50

# What provisioning did with one meeting.
DONE, FAILED, DOWN, SKIPPED = "done", "failed", "down", "skipped"


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


def _wanted(moment: datetime):
    """Meetings whose room must be created, moved or removed at the provider."""
    return or_(
        and_(Series.lifecycle == "published", Meeting.status == "scheduled", Meeting.video_room.is_(None),
             Meeting.ends_at > moment),
        and_(Meeting.status == "scheduled", Meeting.video_room.is_not(None), Meeting.ends_at > moment,
             VideoProvisioning.room_starts_at != Meeting.starts_at),
        and_(Meeting.status == "cancelled", Meeting.video_room.is_not(None)),
    )


def _due(moment: datetime):
    """Not waiting out a back-off, and not claimed by a live worker (a missing row is due)."""
    return and_(or_(VideoProvisioning.next_attempt_at.is_(None), VideoProvisioning.next_attempt_at <= moment),
                or_(VideoProvisioning.claimed_until.is_(None), VideoProvisioning.claimed_until < moment))


def _action(meeting: Meeting, state: VideoProvisioning, moment: datetime) -> str | None:
    if meeting.is_cancelled:
        return "delete" if meeting.video_room is not None else None
    if meeting.ends_at <= moment:
        return None
    if meeting.video_room is None:
        return "create" if meeting.series.lifecycle == "published" else None
    if state.room_starts_at is not None and state.room_starts_at != meeting.starts_at:
        return "update"
    return None


def _claim(meeting_id: int, moment: datetime) -> bool:
    """Take the meeting's provisioning for this worker; a conditional UPDATE, so only one worker wins."""
    if db.session.get(VideoProvisioning, meeting_id) is None:
        insert_once(VideoProvisioning, meeting_id=meeting_id)  # or another worker made it; the UPDATE decides
    changed = rows_changed(
        update(VideoProvisioning).where(VideoProvisioning.meeting_id == meeting_id, _due(moment))
        .values(claimed_by=_worker(), claimed_until=moment + CLAIM).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return changed == 1


def _stored(meeting_id: int, action: str, room: Room | None, starts_at: datetime) -> None:
    if action == "create":
        assert room is not None  # the provider's create_room made it
        changed = rows_changed(update(Meeting).where(Meeting.id == meeting_id, Meeting.video_room.is_(None))
                               .values(video_room=room.to_dict()).execution_options(synchronize_session=False))
        if changed != 1:  # only if this worker outlived its claim; the other worker's room stands
            log.warning("video: meeting %s got a room meanwhile; the provider's room %s is left unused",
                        meeting_id, room.external_id)
            db.session.rollback()
            return
    else:
        # null(), not None: the JSON type would store the JSON value null, which IS NULL does not match.
        value = room.to_dict() if room is not None else null()
        db.session.execute(update(Meeting).where(Meeting.id == meeting_id).values(video_room=value)
                           .execution_options(synchronize_session=False))
        if room is None:
            db.session.execute(delete(VideoLink).where(VideoLink.meeting_id == meeting_id))
    db.session.execute(
        update(VideoProvisioning).where(VideoProvisioning.meeting_id == meeting_id)
        .values(room_external_id=room.external_id if room else None, room_starts_at=starts_at if room else None,
                attempts=0, last_error="", next_attempt_at=None, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _failed(meeting_id: int, moment: datetime, action: str, *, retryable: bool, error: str) -> None:
    state = db.session.get_one(VideoProvisioning, meeting_id)
    state.attempts += 1
    delay = retry_delay(state.attempts)
    if not retryable:
        delay = max(REFUSED_FACTOR * delay, REFUSED_MIN_DELAY)
    state.next_attempt_at = moment + delay
    state.last_error = truncate(error, 590)
    state.claimed_by = state.claimed_until = None
    level = logging.WARNING if retryable else logging.ERROR
    log.log(level, "video: %s room for meeting %s failed (attempt %d%s; next at %s): %s", action, meeting_id,
            state.attempts, "" if retryable else ", refused", iso_z(state.next_attempt_at), state.last_error)
    meeting = db.session.get_one(Meeting, meeting_id)  # there, as its provisioning row (deleted with it) is
    if action != "delete" and meeting.starts_at - moment <= WARN_LEADERS_WITHIN:
        tell_leaders(meeting)
    db.session.commit()


def provision_meeting(meeting_id: int, moment: datetime) -> str:
    """Bring one meeting's room in line with the meeting (create, move or remove); returns what happened."""
    if not _claim(meeting_id, moment):
        return SKIPPED
    meeting = db.session.get_one(Meeting, meeting_id)
    state = db.session.get_one(VideoProvisioning, meeting_id)
    action = _action(meeting, state, moment)
    if action is None:
        state.claimed_by = state.claimed_until = None
        db.session.commit()
        return SKIPPED
    room = Room.from_dict(meeting.video_room) if meeting.video_room is not None else None
    provider_name = room.provider if room is not None else meeting.series.video_provider
    req = room_request(meeting)
    db.session.commit()  # no transaction (nor SQLite's write lock) held while the provider answers
    try:
        provider = provider_for(provider_name)
        if action == "create":
            new_room = provider.create_room(req)
        elif action == "update":
            assert room is not None  # _action moves or removes only a stored room
            new_room = provider.update_room(room, req)
        else:
            assert room is not None
            provider.delete_room(room)
            new_room = None
    except ProviderError as exc:
        _failed(meeting_id, moment, action, retryable=exc.retryable, error=f"{exc}: {exc.detail}")
        return DOWN if exc.retryable else FAILED
    except ProviderConfigError as exc:  # names the setting, never its value
        _failed(meeting_id, moment, action, retryable=False, error=str(exc))
        return FAILED
    _stored(meeting_id, action, new_room, req.starts_at)
    return DONE


def provision_due(moment: datetime, limit: int = BATCH) -> int:
    """The scheduler's pass: every due meeting, soonest first; returns how many rooms changed.

    After a provider fails in a way worth retrying (down, slow), its other meetings wait for the
    next pass instead of each waiting out the timeout now.
    """
    due = db.session.execute(
        select(Meeting.id, Series.video_provider).join(Series, Meeting.series_id == Series.id)
        .outerjoin(VideoProvisioning, VideoProvisioning.meeting_id == Meeting.id)
        .where(_wanted(moment), _due(moment)).order_by(Meeting.starts_at, Meeting.id).limit(limit)
    ).all()
    db.session.commit()
    done, down = 0, set()
    for meeting_id, provider_name in due:
        if provider_name in down:
            continue
        outcome = provision_meeting(meeting_id, moment)
        done += outcome == DONE
        if outcome == DOWN:
            down.add(provider_name)
    return done
