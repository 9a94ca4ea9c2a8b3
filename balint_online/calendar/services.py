"""Calendars: the personal and public feeds, email invitations and meeting reminders.

A series is one calendar object (ics.SeriesObject, one UID) in every person's calendar: the
invitation, its updates and the personal feed all describe that same object, so a calendar that
has it both ways holds it once. Each person's copy has its own SEQUENCE (models.CalendarSequence),
raised before every change their calendar must follow, whichever way it reaches them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import User
from ..core.clock import now
from ..core.errors import InvalidInput
from ..core.statements import upsert
from ..core.urls import base_url
from ..core.zonerules import current as current_rules
from ..enrollment.models import Application
from ..enrollment.queries import enrolled_members, is_enrolled
from ..extensions import db
from ..notifications.models import OutboxMessage
from ..notifications.services import queue_email
from ..rotation.models import PresenterTurn
from ..rotation.queries import presenters_by_meeting
from ..series.models import Meeting, Series
from .delivery import DELIVERY, sends_invitations
from .feeds import feed_series, settings_fingerprint
from .ics import CANCELLED, CONFIRMED, CalendarEvent, Instance, SeriesObject, build_calendar, google_calendar_link
from .models import CalendarSequence

ALARM_MINUTES = 15
FEED_COLOR = "teal"
FEED_REFRESH = timedelta(hours=1)
# Kind of reminder -> how long before the start it becomes due.
REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- addresses ----------------------------------------------------------------------------------

def _uid(name: str) -> str:
    # A configured domain, not BASE_URL's host: moving the site must not duplicate every event.
    return f"{name}@{current_app.config['CALENDAR_UID_DOMAIN']}"


def series_uid(series: Series) -> str:
    """The UID of a series' calendar object, in invitations and personal feeds alike."""
    return _uid(f"series-{series.id}")


def public_uid(series: Series) -> str:
    # Not the members' UID: a public copy must never replace the one holding the way in.
    return _uid(f"series-{series.id}-dates")


def meeting_uid(meeting: Meeting) -> str:
    """The UID of a single meeting downloaded on its own."""
    return _uid(f"meeting-{meeting.id}")


def join_url(meeting: Meeting) -> str:
    """The platform's own guarded way in: it checks who asks and when, whatever the provider."""
    return f"{base_url()}/meetings/{meeting.id}/join"


def series_join_url(series: Series) -> str:
    """One link for every meeting of the series (see next_meeting): what its calendar object holds."""
    return f"{base_url()}/series/{series.id}/join"


def next_meeting(series: Series, moment: datetime) -> Meeting | None:
    """The meeting the series' link leads to: the first live one not over yet."""
    return min((m for m in series.live_meetings if m.ends_at > moment), key=lambda m: m.starts_at, default=None)


def series_page_url(series: Series) -> str:
    return f"{base_url()}/series/{series.id}"


def public_feed_url(series: Series) -> str:
    return f"{base_url()}/series/{series.id}/calendar.ics"


def feed_links(user: User) -> dict:
    feed = f"{base_url()}/calendar/{user.calendar_token}.ics"
    webcal = "webcal://" + feed.split("://", 1)[1]
    return {
        "feed_url": feed,
        "webcal_url": webcal,
        "google_url": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
    }


def reset_feed(user: User) -> dict:
    """A new secret feed address; the old one stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return feed_links(user)


def set_delivery(user: User, choice: str) -> None:
    """How meetings reach the person's calendar (delivery.DELIVERY); the caller commits."""
    if choice not in DELIVERY:
        raise InvalidInput(_("Choose how meetings reach your calendar."),
                           fields={"calendar_delivery": _("Must be one of: %(choices)s.", choices=", ".join(DELIVERY))})
    user.calendar_delivery = choice


# -- the SEQUENCE of each person's copy ----------------------------------------------------------

def raise_sequence(user: User, series: Series) -> int:
    """One above anything this person's copy of the series has carried. Flushes, never commits.

    One statement that creates the row or increments it in the database, so two changes at once
    still give two numbers.
    """
    key = (CalendarSequence.user_id, CalendarSequence.series_id)
    raised = (upsert(CalendarSequence).values(user_id=user.id, series_id=series.id, sequence=1, updated_at=now())
              .on_conflict_do_update(index_elements=key,
                                     set_={"sequence": CalendarSequence.sequence + 1, "updated_at": now()})
              .returning(CalendarSequence.sequence))
    return db.session.execute(raised).scalar_one()


def _sequences(user_id: int, series_ids) -> dict[int, int]:
    if not series_ids:
        return {}
    return dict(db.session.execute(
        select(CalendarSequence.series_id, CalendarSequence.sequence)
        .where(CalendarSequence.user_id == user_id, CalendarSequence.series_id.in_(series_ids))).all())


# -- a series as one calendar object ------------------------------------------------------------

def _local_start(meeting: Meeting) -> datetime:
    if meeting.local_start is not None:
        return meeting.local_start
    return meeting.starts_at.astimezone(current_rules().zone(meeting.series.timezone)).replace(tzinfo=None)


def _slots(series: Series) -> dict[int, datetime]:
    """Each meeting's slot on the weekly cadence. One without (added later) takes the free slot
    nearest its time, the later on a tie; assign_slot() keeps that choice."""
    step = timedelta(weeks=series.interval_weeks)
    anchor = series.first_meeting_local
    slots = {m.id: m.slot for m in series.meetings if m.slot is not None}
    taken = set(slots.values())
    for meeting in sorted((m for m in series.meetings if m.slot is None), key=lambda m: (m.starts_at, m.id or 0)):
        local = _local_start(meeting)
        near = round((local - anchor) / step)
        ranked = sorted(range(near - 60, near + 61), key=lambda k: (abs(anchor + k * step - local), -k))
        slots[meeting.id] = next(anchor + k * step for k in ranked if anchor + k * step not in taken)
        taken.add(slots[meeting.id])
    return slots


def _presenting(user: User, series: Series) -> frozenset[int]:
    ids = [m.id for m in series.meetings]
    return frozenset(mid for mid, users in _presenter_ids(ids).items() if user.id in users)


def _series_object(series: Series, *, entitled: bool, sequence: int, presenting=frozenset(), status=CONFIRMED,
                   cancel_meeting: Meeting | None = None, stamp: datetime | None = None,
                   organizers=(), attendees=(), rsvp=False, sent_by=None) -> SeriesObject | None:
    """The series as one recurring event; None when nothing of it is left to show."""
    if not series.meetings:
        return None
    slots = _slots(series)
    instances = tuple(
        Instance(slot=slots[m.id], starts_at=m.starts_at, ends_at=m.ends_at, cancelled=m.is_cancelled,
                 summary=f"{series.title} (you present)" if m.id in presenting else None)
        for m in series.meetings
    )
    if status == CONFIRMED and cancel_meeting is None and all(i.cancelled for i in instances):
        return None
    leaders = " and ".join(leader.name for leader in series.leaders)
    lines = [f"Balint group of {series.meeting_count} meetings, led by {leaders}."]
    if entitled:
        window = current_app.config["JOIN_WINDOW_MINUTES"]
        lines.append(f"The link opens each meeting's video room from {window} minutes before its start.")
    else:
        lines.append(f"Details and applications: {series_page_url(series)}")
    return SeriesObject(
        uid=series_uid(series) if entitled else public_uid(series),
        summary=series.title,
        description="\n".join(lines),
        tzid=series.timezone,
        interval_weeks=series.interval_weeks,
        duration=timedelta(minutes=series.duration_minutes),
        instances=instances,
        sequence=sequence,
        last_modified=stamp or _latest(series.updated_at, *(m.updated_at for m in series.meetings)),
        join_url=series_join_url(series) if entitled else None,
        url=series_page_url(series),
        status=status,
        organizers=tuple(organizers),
        attendees=tuple(attendees),
        # Alarms only where the person asked for the meetings, never in a public feed.
        alarm_minutes=ALARM_MINUTES if entitled else None,
        link_to_follow=entitled,
        cancel_slot=slots[cancel_meeting.id] if cancel_meeting is not None else None,
        rsvp=rsvp,
        sent_by=sent_by,
    )


# -- events -------------------------------------------------------------------------------------

def _person(user: User) -> tuple[str, str]:
    return (user.name, user.email)


def _event(meeting: Meeting, *, entitled: bool, presenting: bool = False) -> CalendarEvent:
    """One meeting on its own (a download, a Google link); only `entitled` people get the way in."""
    series = meeting.series
    summary = f"{series.title}: meeting {meeting.number} of {series.meeting_count}"
    lines = [f"Balint group meeting {meeting.number} of {series.meeting_count}."]
    if presenting:
        summary += " (you present)"
        lines.append("You present a case at this meeting.")
    if meeting.is_cancelled and meeting.cancel_reason:
        lines.append(f"Cancelled: {meeting.cancel_reason}")
    if entitled and not meeting.is_cancelled:
        window = current_app.config["JOIN_WINDOW_MINUTES"]
        lines.append(f"The link opens the video room from {window} minutes before the start.")
        if meeting.video_room is None:
            lines.append("The video room is not ready yet; the same link will lead to it once it is.")
    return CalendarEvent(
        uid=meeting_uid(meeting),
        summary=summary,
        description="\n".join(lines),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        tzid=series.timezone,
        sequence=meeting.sequence,
        status=CANCELLED if meeting.is_cancelled else CONFIRMED,
        last_modified=meeting.updated_at,
        join_url=join_url(meeting) if entitled else None,
        link_to_follow=entitled,
        url=series_page_url(series),
        alarm_minutes=ALARM_MINUTES,
    )


def _presenter_ids(meeting_ids) -> dict[int, set[int]]:
    """Who presents at each meeting, as user ids (plain values survive a commit)."""
    return {mid: {t.user_id for t in turns} for mid, turns in presenters_by_meeting(meeting_ids).items()}


def meeting_ics(meeting: Meeting, user: User) -> bytes:
    """A single meeting to download, for a member or leader of its series."""
    event = _event(meeting, entitled=True, presenting=user.id in _presenter_ids([meeting.id])[meeting.id])
    return build_calendar([event], name=meeting.series.title, method="PUBLISH")


def google_link(meeting: Meeting) -> str:
    event = _event(meeting, entitled=True)
    return google_calendar_link(event.summary, event.starts_at, event.ends_at, event.description, event.join_url)


def is_entitled(meeting: Meeting, user: User) -> bool:
    """Members enrolled in the meeting's series and its leaders: the people it is for."""
    if meeting.series.is_led_by(user):
        return True
    return is_enrolled(meeting.series, user)


# -- feeds --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedVersion:
    """A public feed's validator, read with a fixed number of cheap queries."""

    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class PersonalFeed:
    """What a personal feed shows: its series, the person's own turns, their objects' SEQUENCEs.
    (Its validator is feeds.personal_validator's, from one statement.)"""

    series_ids: tuple[int, ...]
    presenting: frozenset[int]
    sequences: tuple[tuple[int, int], ...]


def _validator(*parts) -> str:
    return hashlib.sha256(repr((settings_fingerprint(current_app), parts)).encode()).hexdigest()[:32]


def _latest(*instants) -> datetime:
    return max((i for i in instants if i is not None), default=_EPOCH)


def _meeting_summary(series_ids) -> tuple:
    """Count, last change and total SEQUENCE of the meetings: any change to one moves one of these."""
    if not series_ids:
        return (0, None, 0)
    return tuple(db.session.execute(
        select(func.count(Meeting.id), func.max(Meeting.updated_at), func.coalesce(func.sum(Meeting.sequence), 0))
        .where(Meeting.series_id.in_(series_ids))
    ).one())


def personal_contents(user: User) -> PersonalFeed:
    series_ids = tuple(db.session.scalars(select(Series.id).where(Series.id.in_(feed_series(user.id)))
                                          .order_by(Series.id)))
    presenting = frozenset(db.session.scalars(
        select(PresenterTurn.meeting_id)
        .where(PresenterTurn.user_id == user.id, PresenterTurn.role == "presenter",
               PresenterTurn.meeting_id.in_(select(Meeting.id).where(Meeting.series_id.in_(series_ids)))))
    ) if series_ids else frozenset()
    return PersonalFeed(series_ids, presenting, tuple(sorted(_sequences(user.id, series_ids).items())))


def _series_of(series_ids) -> Sequence[Series]:
    if not series_ids:
        return []
    return db.session.scalars(
        select(Series).where(Series.id.in_(series_ids)).order_by(Series.id)
        .options(selectinload(Series.meetings), selectinload(Series.leaders))
    ).all()


def upcoming_meetings(contents: PersonalFeed, moment: datetime) -> Sequence[Meeting]:
    """The meetings of the person's groups not yet over at `moment`, in order, each with its series: a
    leader of years of groups reads this season's meetings, not every one they ever led."""
    if not contents.series_ids:
        return []
    return db.session.scalars(
        select(Meeting).where(Meeting.series_id.in_(contents.series_ids), Meeting.ends_at > moment)
        .order_by(Meeting.starts_at, Meeting.id).options(selectinload(Meeting.series))).all()


def personal_feed(contents: PersonalFeed) -> bytes:
    """Every group the person takes part in, each as the one object their invitations carry."""
    sequences = dict(contents.sequences)
    objects = [obj for series in _series_of(contents.series_ids)
               if (obj := _series_object(series, entitled=True, presenting=contents.presenting,
                                         sequence=sequences.get(series.id, 0))) is not None]
    society = current_app.config["SOCIETY_NAME"]
    return build_calendar(objects, name=f"{society}: my Balint groups",
                          description="The meetings of the Balint groups you take part in.",
                          color=FEED_COLOR, refresh=FEED_REFRESH)


def public_series(series_id: int) -> Series | None:
    series = db.session.get(Series, series_id)
    return series if series is not None and series.lifecycle != "draft" else None


def public_version(series: Series) -> FeedVersion:
    meetings = _meeting_summary((series.id,))
    return FeedVersion(etag=_validator("public", series.id, series.updated_at, meetings),
                       last_modified=_latest(series.updated_at, meetings[1]))


def public_feed(series: Series) -> bytes:
    """A series' dates for anyone: no way in, no names, no alarms."""
    # Meetings' SEQUENCEs only rise and meetings are never removed, so their sum only rises too.
    obj = _series_object(series, entitled=False, sequence=sum(m.sequence for m in series.meetings))
    return build_calendar([obj] if obj else [], name=series.title, description=f"Meeting dates of {series.title}.",
                          color=FEED_COLOR, refresh=FEED_REFRESH)


# -- invitations by email -----------------------------------------------------------------------

def _audience(series: Series, members: list[User]) -> list[User]:
    """Everyone a meeting of `series` is for: its leaders, then its enrolled `members`."""
    leaders = list(series.leaders)
    return leaders + [u for u in members if u not in leaders]


def _itip_roles(series: Series, recipient: User) -> tuple[str, dict]:
    """The method and the people of `recipient`'s copy (see ics.py on why these).

    The first leader organizes, the platform sending on their behalf (SENT-BY), so members'
    replies go to a person. That leader's own copy is a PUBLISH (nothing to answer, and never
    themselves as attendee); a co-leader is a chair; a member is asked to reply.
    """
    leaders = sorted(series.leaders, key=lambda leader: leader.id)
    people = {"organizers": [_person(leader) for leader in leaders],
              "sent_by": parseaddr(current_app.config["MAIL_SENDER"])[1] or None}
    if leaders and leaders[0].id == recipient.id:
        return "PUBLISH", people
    if series.is_led_by(recipient):
        return "REQUEST", people
    return "REQUEST", {**people, "attendees": [_person(recipient)], "rsvp": True}


def _itip(series: Series, user: User, change: str, meeting: Meeting | None = None) -> tuple[str, bytes] | None:
    """Raise `user`'s SEQUENCE for the series and, if they take invitations, their iTIP message.

    change: "update" (the whole object as it now stands), "cancel_one" (`meeting`'s instance),
    "cancel_all" (the whole object: they left, or the series was cancelled).
    """
    sequence = raise_sequence(user, series)
    if not sends_invitations(user.calendar_delivery):
        return None
    method, people = _itip_roles(series, user)
    build = dict(entitled=True, sequence=sequence, presenting=_presenting(user, series), stamp=now(), **people)
    obj = None
    if change == "cancel_one" and method != "PUBLISH":
        method, obj = "CANCEL", _series_object(series, cancel_meeting=meeting, **build)
    elif change == "update" or (change == "cancel_one" and method == "PUBLISH"):
        obj = _series_object(series, **build)
    if obj is None:  # cancelling the whole object, or nothing of it left
        obj = _series_object(series, status=CANCELLED, **build)
        method = "PUBLISH" if method == "PUBLISH" else "CANCEL"
    if obj is None:
        return None
    return method, build_calendar([obj], name=series.title, method=method)


def _tell(key: str, kind: str, user: User, series: Series, calendar, **context) -> None:
    queue_email(key=key, kind=kind, user=user, calendar=calendar,
                context={"series": series, "itip": calendar is not None, **context})


def invite(series: Series, user: User, key: str) -> None:
    """The series' object, into the calendar of someone who joined it (or leads it, once published)."""
    calendar = _itip(series, user, "update")
    if calendar is not None:  # those who subscribe learn of it from the enrolment itself
        _tell(key, "calendar_invite", user, series, calendar,
              meetings=[m for m in series.live_meetings if m.starts_at > now()])


def uninvite(series: Series, user: User, key: str) -> None:
    """The whole object out of the person's calendar (they left, or the series ended early)."""
    calendar = _itip(series, user, "cancel_all")
    if calendar is not None:
        _tell(key, "calendar_cancel", user, series, calendar,
              meetings=[m for m in series.meetings if m.starts_at > now()])


def announce_meeting_change(meeting: Meeting) -> None:
    """A moved meeting updates everyone's object; a cancelled one cancels its instance. Everyone it
    is for is told; the calendar part goes to those who take invitations."""
    series = meeting.series
    cancelled = meeting.is_cancelled
    kind = "meeting_cancelled" if cancelled else "meeting_rescheduled"
    for user in _audience(series, enrolled_members([series.id])[series.id]):
        calendar = _itip(series, user, "cancel_one" if cancelled else "update", meeting)
        _tell(f"{kind}:meeting-{meeting.id}:seq-{meeting.sequence}:user-{user.id}", kind, user, series, calendar,
              meeting=meeting)


def meeting_back(meeting: Meeting, change: str) -> None:
    """A meeting added to a series (a make-up) or restored after a cancellation: `change` is
    "added" or "restored". Gives an added meeting its slot for good, updates everyone's object and
    tells them, once per change. Called after the meeting's SEQUENCE was raised; flushes."""
    if change not in ("added", "restored"):
        raise ValueError("change is 'added' or 'restored'")
    series = meeting.series
    if meeting.slot is None:
        meeting.slot = _slots(series)[meeting.id]
    if meeting.local_start is None:
        meeting.local_start = _local_start(meeting)
    db.session.flush()
    if series.lifecycle != "published":
        return
    kind = f"meeting_{change}"
    for user in _audience(series, enrolled_members([series.id])[series.id]):
        _tell(f"{kind}:meeting-{meeting.id}:seq-{meeting.sequence}:user-{user.id}", kind, user, series,
              _itip(series, user, "update"), meeting=meeting)


def member_joined(application: Application) -> None:
    """An enrolled member's invitation. Keyed by application: someone who leaves and later re-applies
    gets a fresh one."""
    invite(application.series, application.user, f"calendar-invite:application-{application.id}")


def member_left(application: Application) -> None:
    """The series out of a member's calendar: they left, or the series was cancelled."""
    uninvite(application.series, application.user, f"calendar-cancel:application-{application.id}")


def leaders_invited(series: Series) -> None:
    """The leaders' invitations once the series is published (again after an edit: the key keeps
    everyone but a new leader from a second one). Members are invited with their enrolment."""
    for leader in series.leaders:
        invite(series, leader, f"calendar-invite:series-{series.id}:leader-{leader.id}")


def leaders_uninvited(series: Series) -> None:
    for leader in series.leaders:
        uninvite(series, leader, f"calendar-cancel:series-{series.id}:leader-{leader.id}")


def meeting_changed(meeting: Meeting, change: str) -> None:
    """Calendars follow one meeting: "added" or "restored" bring it back, "rescheduled" or "cancelled"
    update or cancel its instance wherever the series was published."""
    if change in ("added", "restored"):
        meeting_back(meeting, change)
    elif meeting.series.lifecycle == "published":
        announce_meeting_change(meeting)


def turns_update(series: Series, user: User) -> tuple[str, bytes] | None:
    """A member's presenting turns changed: their object's update, to go with the rotation's email."""
    if series.lifecycle != "published":
        return None
    return _itip(series, user, "update")


def announce_replanned(series: Series, moved: list[Meeting], rules_version: str) -> None:
    """New zone rules moved these meetings' instants: everyone's object follows, everyone is told."""
    for user in _audience(series, enrolled_members([series.id])[series.id]):
        _tell(f"meetings_replanned:series-{series.id}:rules-{rules_version}:user-{user.id}", "meetings_replanned",
              user, series, _itip(series, user, "update"), moved=moved, rules_version=rules_version)


# -- reminders ----------------------------------------------------------------------------------

def reminder_key(kind: str, meeting: Meeting, user: User) -> str:
    return f"reminder-{kind}:meeting-{meeting.id}:user-{user.id}"


@dataclass(frozen=True)
class Reminder:
    kind: str
    meeting: Meeting
    user: User
    presenting: bool


def due_reminders(moment: datetime) -> list[Reminder]:
    """Every reminder that is due and not yet queued.

    A reminder is due from its lead time before the start until the start, so a run that comes
    late still sends it. The outbox's unique key makes each one exactly-once, however many
    schedulers run.
    """
    meetings = db.session.scalars(
        select(Meeting).join(Meeting.series)
        .where(Meeting.status == "scheduled", Series.lifecycle == "published", Meeting.starts_at > moment,
               Meeting.starts_at <= moment + max(REMINDERS.values()))
        .options(contains_eager(Meeting.series).selectinload(Series.leaders))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    if not meetings:
        return []
    members = enrolled_members({m.series_id for m in meetings})
    due = [
        (kind, meeting, user)
        for meeting in meetings
        for kind, lead in REMINDERS.items() if meeting.starts_at - lead <= moment
        for user in _audience(meeting.series, members[meeting.series_id])
    ]
    keys = [reminder_key(*item) for item in due]
    done = set(db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys))))
    presenting = _presenter_ids([m.id for m in meetings])
    return [Reminder(kind, meeting, user, user.id in presenting[meeting.id])
            for (kind, meeting, user), key in zip(due, keys, strict=True) if key not in done]


def queue_reminder(reminder: Reminder) -> bool:
    """Into the outbox, once; False if it was queued already."""
    meeting = reminder.meeting
    message = queue_email(key=reminder_key(reminder.kind, meeting, reminder.user), kind="meeting_reminder",
                          user=reminder.user, context={
                              "series": meeting.series, "meeting": meeting, "join_url": join_url(meeting),
                              "presenting": reminder.presenting, "room_ready": meeting.video_room is not None,
                              "window": current_app.config["JOIN_WINDOW_MINUTES"]})
    return message is not None
