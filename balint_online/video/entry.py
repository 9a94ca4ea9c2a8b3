"""The guarded way into a meeting's room: who may enter, when, and their personal link.

The way in is its own unit of work, committed here on purpose: what it learned is kept (the
leaders' warning, a refused provider) even when the answer is "not now", and no transaction is
held while a provider answers. Nothing here ever writes a provider's join link anywhere but to
the entitled person at join time (and, for Zoom's personal registrant links, to that person's own
VideoLink row).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.clock import now
from ..core.errors import DomainError, NotAllowed
from ..core.timefmt import human, iso_z
from ..enrollment.models import Application, ApplicationStatus
from ..extensions import db
from ..series.models import Meeting
from . import circuit
from .access import CANCELLED, ENDED, PARTICIPANT, TOO_EARLY, decide
from .attendance import record_entry
from .models import VideoLink
from .providers import Participant, ProviderConfigError, ProviderError, Room, spec_of
from .rooms import lift_back_off, provider_for, tell_leaders

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    url: str
    role: str


class JoinRefused(NotAllowed):
    """Kept out of a meeting's room: `reason` is the API's error code."""

    def __init__(self, reason: str, message: str, opens_at: datetime):
        extra: dict[str, Any] = {"opens_at": iso_z(opens_at)} if reason == TOO_EARLY else {}  # DomainError.extra
        super().__init__(message, code=reason, **extra)
        self.reason = reason
        self.opens_at = opens_at


class VideoUnavailable(DomainError):
    """Let in, but there is no room to send them to yet (or its provider is not answering)."""

    status = 503
    code = "room_not_ready"


class MeetingNotFound(DomainError):
    status = 404
    code = "not_found"


_NOT_ENROLLED_BECAUSE = {
    "pending": _l("Your application is waiting for the leaders' decision; only enrolled members join the meetings."),
    "waitlisted": _l("You are on the waiting list for this group; only enrolled members join its meetings. "
                     "We will write if a place comes free."),
    "offered": _l("You have been offered a place: take it up on your page, and the meetings open to you."),
}


def _refusal_message(reason: str, user: User, statuses: set[ApplicationStatus], opens_at: datetime, window: int) -> str:
    if reason == CANCELLED:
        return _("This meeting was cancelled, so its video room is closed.")
    if reason == TOO_EARLY:
        return ngettext("The room opens at %(time)s, %(num)d minute before the start.",
                        "The room opens at %(time)s, %(num)d minutes before the start.", window,
                        time=human(opens_at, user.timezone, locale=str(get_locale())))
    if reason == ENDED:
        return _("This meeting has ended.")
    if user.is_admin:
        return _("Administrators look after the group but are not in it: only its enrolled members and its "
                 "leaders join the meetings.")
    for status, message in _NOT_ENROLLED_BECAUSE.items():
        if status in statuses:
            return str(message)
    return _("Only this group's enrolled members and its leaders join its meetings.")


def enter_meeting(meeting: Meeting, user: User) -> Entry:
    """The personal link into the meeting's room for an entitled person, recording that they entered.

    Raises JoinRefused (403) for anyone else or outside the join window, VideoUnavailable (503)
    when the room is not there yet or the provider does not answer (the leaders are told). The
    way in uses the room provisioning prepared and never creates one: a missing room is the
    scheduler's to make, at its next pass.
    """
    series = meeting.series
    if series.lifecycle == "draft":
        raise MeetingNotFound(f"No meeting with id {meeting.id}.")
    moment = now()
    window = int(current_app.config["JOIN_WINDOW_MINUTES"])
    statuses = set(db.session.scalars(select(Application.status).where(
        Application.series_id == series.id, Application.user_id == user.id)))
    verdict = decide(moment=moment, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                     window=timedelta(minutes=window), cancelled=meeting.is_cancelled,
                     is_leader=series.is_led_by(user), is_enrolled="enrolled" in statuses)
    if verdict.role is None:  # not allowed
        assert verdict.refusal is not None  # a refusal says why
        raise JoinRefused(verdict.refusal, _refusal_message(verdict.refusal, user, statuses, verdict.opens_at, window),
                          verdict.opens_at)
    if meeting.video_room is None:
        lift_back_off([meeting.id])
        tell_leaders(meeting)
        db.session.commit()
        raise VideoUnavailable(_("The video room for this meeting is not ready yet. The group's leaders have "
                                 "been told; please try again in a few minutes."))
    url = _personal_link(meeting, user, verdict.role, moment)
    record_entry(meeting.id, user.id, moment)
    db.session.commit()
    return Entry(url, verdict.role)


_NOT_ANSWERING = _l("The video service is not answering, try again in a minute. The group's leaders have been "
                    "told.")


def _personal_link(meeting: Meeting, user: User, role: str, moment: datetime) -> str:
    assert meeting.video_room is not None  # the caller found the room ready
    room = Room.from_dict(meeting.video_room)
    keep = spec_of(room.provider).keeps_links and role == PARTICIPANT
    kept = db.session.scalar(select(VideoLink).where(VideoLink.meeting_id == meeting.id,
                                                     VideoLink.user_id == user.id)) if keep else None
    if kept is not None and kept.room_external_id == room.external_id:
        return kept.url
    who = Participant(user.id, user.name, user.email, role)
    if circuit.is_open(room.provider, moment):
        raise VideoUnavailable(str(_NOT_ANSWERING), code="provider_unavailable")
    db.session.commit()  # no transaction held while the provider answers
    try:
        url = provider_for(room.provider, at_the_door=True).join_url(room, who)
    except (ProviderError, ProviderConfigError) as exc:
        log.warning("video: no join link for user %s in meeting %s: %s", user.id, meeting.id, exc)
        if isinstance(exc, ProviderError) and exc.retryable:
            circuit.record_failure(room.provider, moment, str(exc))
        tell_leaders(meeting)
        db.session.commit()
        raise VideoUnavailable(str(_NOT_ANSWERING), code="provider_unavailable") from None
    circuit.record_success(room.provider)
    if keep:
        _keep_link(meeting.id, user.id, room.external_id, url)
    return url


def _keep_link(meeting_id: int, user_id: int, external_id: str, url: str) -> None:
    kept = db.session.scalar(select(VideoLink).where(VideoLink.meeting_id == meeting_id, VideoLink.user_id == user_id))
    if kept is not None:
        kept.room_external_id, kept.url = external_id, url
        return
    try:
        with db.session.begin_nested():
            db.session.add(VideoLink(meeting_id=meeting_id, user_id=user_id, room_external_id=external_id, url=url))
    except IntegrityError:
        pass  # the same person's other click kept it first
