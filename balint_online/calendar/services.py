"""Calendars: the personal and public feeds, email invitations and meeting reminders.

Every event is built from the meeting alone (UID, SEQUENCE, LAST-MODIFIED, status), so a feed,
an invitation and its later updates all describe the same event to a member's calendar.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import User
from ..core.clock import now
from ..enrollment.models import Application
from ..extensions import db
from ..notifications.models import OutboxMessage
from ..notifications.services import queue_email
from ..rotation.models import PresenterTurn
from ..rotation.services import presenters_by_meeting
from ..series.models import Meeting, Series, series_leaders
from .ics import CANCELLED, CONFIRMED, CalendarEvent, build_calendar, google_calendar_link

# Part of every feed's validator: raise it when what a feed says changes for the same data.
FEED_FORMAT = 1
ALARM_MINUTES = 15
FEED_COLOR = "teal"
FEED_REFRESH = timedelta(hours=1)
# Kind of reminder -> how long before the start it becomes due.
REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Compared against when a token matches nobody, so a miss does the same work as a hit.
_NO_TOKEN = secrets.token_urlsafe(32)


# -- addresses ----------------------------------------------------------------------------------

def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def meeting_uid(meeting: Meeting) -> str:
    host = urlsplit(base_url()).hostname or "localhost"
    return f"meeting-{meeting.id}@{host}"


def join_url(meeting: Meeting) -> str:
    """The platform's own guarded way in: it checks who asks and when, whatever the provider."""
    return f"{base_url()}/meetings/{meeting.id}/join"


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
    db.session.commit()
    return feed_links(user)


def feed_owner(token: str) -> User | None:
    """The person whose feed `token` opens, or None.

    Found or not, the same steps run: an indexed lookup, then a constant-time comparison
    (against a throwaway secret on a miss), so an unknown token is not answered any faster.
    """
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    stored = user.calendar_token if user is not None else _NO_TOKEN
    matches = hmac.compare_digest(stored.encode(), token.encode())
    return user if matches and user is not None else None


# -- events -------------------------------------------------------------------------------------

def _person(user: User) -> tuple[str, str]:
    return (user.name, user.email)


def _event(meeting: Meeting, *, entitled: bool, presenting: bool = False, sequence: int | None = None,
           status: str | None = None, organizers=(), attendees=()) -> CalendarEvent:
    """One meeting as an iCalendar event; only `entitled` people get the way in."""
    series = meeting.series
    status = status or (CANCELLED if meeting.is_cancelled else CONFIRMED)
    summary = f"{series.title}: meeting {meeting.number} of {series.meeting_count}"
    lines = [f"Balint group meeting {meeting.number} of {series.meeting_count}."]
    if presenting:
        summary += " (you present)"
        lines.append("You present a case at this meeting.")
    if meeting.is_cancelled and meeting.cancel_reason:
        lines.append(f"Cancelled: {meeting.cancel_reason}")
    if entitled and status == CONFIRMED:
        window = current_app.config["JOIN_WINDOW_MINUTES"]
        lines.append(f"The link opens the video room from {window} minutes before the start.")
        if meeting.video_room is None:
            lines.append("The video room is not ready yet; the same link will lead to it once it is.")
    elif not entitled:
        lines.append(f"Details and applications: {series_page_url(series)}")
    return CalendarEvent(
        uid=meeting_uid(meeting),
        summary=summary,
        description="\n".join(lines),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        tzid=series.timezone,
        sequence=meeting.sequence if sequence is None else sequence,
        status=status,
        last_modified=meeting.updated_at,
        join_url=join_url(meeting) if entitled else None,
        link_to_follow=entitled,
        url=series_page_url(series),
        organizers=tuple(organizers),
        attendees=tuple(attendees),
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
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.series_id == meeting.series_id, Application.user_id == user.id,
        Application.status == "enrolled")) > 0


# -- feeds --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedVersion:
    """What a feed's bytes depend on, read with a fixed number of cheap queries."""

    etag: str
    last_modified: datetime
    series_ids: tuple[int, ...] = ()
    presenting: frozenset[int] = frozenset()


def _validator(*parts) -> str:
    config = current_app.config
    settings = (FEED_FORMAT, base_url(), config["SOCIETY_NAME"], config["JOIN_WINDOW_MINUTES"])
    return hashlib.sha256(repr((settings, parts)).encode()).hexdigest()[:32]


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


def personal_version(user: User) -> FeedVersion:
    """The personal feed's validator: series taken part in, their meetings, own turns, own applications."""
    enrolled = select(Application.series_id).where(
        Application.user_id == user.id,
        # A member whose group the society cancelled keeps its meetings, shown as cancelled.
        or_(Application.status == "enrolled",
            and_(Application.status == "cancelled", Application.enrolled_at.is_not(None))))
    led = select(series_leaders.c.series_id).where(series_leaders.c.user_id == user.id)
    series_rows = db.session.execute(
        select(Series.id, Series.updated_at)
        .where(or_(Series.id.in_(enrolled), and_(Series.id.in_(led), Series.lifecycle != "draft")))
        .order_by(Series.id)
    ).all()
    series_ids = tuple(row.id for row in series_rows)
    meetings = _meeting_summary(series_ids)
    turns = db.session.execute(
        select(PresenterTurn.meeting_id, PresenterTurn.announced_at)
        .where(PresenterTurn.user_id == user.id, PresenterTurn.role == "presenter",
               PresenterTurn.meeting_id.in_(select(Meeting.id).where(Meeting.series_id.in_(series_ids))))
        .order_by(PresenterTurn.meeting_id)
    ).all() if series_ids else []
    # Leaving a group changes the series listed; its end time keeps Last-Modified moving forward.
    enrolled_at, ended_at = db.session.execute(
        select(func.max(Application.enrolled_at), func.max(Application.ended_at)).where(Application.user_id == user.id)
    ).one()
    return FeedVersion(
        etag=_validator("personal", tuple(map(tuple, series_rows)), meetings, tuple(map(tuple, turns))),
        last_modified=_latest(meetings[1], enrolled_at, ended_at, *(r.updated_at for r in series_rows),
                              *(t.announced_at for t in turns)),
        series_ids=series_ids,
        presenting=frozenset(t.meeting_id for t in turns),
    )


def _meetings_of(series_ids) -> list[Meeting]:
    if not series_ids:
        return []
    return db.session.scalars(
        select(Meeting).join(Meeting.series).where(Meeting.series_id.in_(series_ids))
        .options(contains_eager(Meeting.series)).order_by(Meeting.starts_at, Meeting.id)
    ).all()


def personal_meetings(version: FeedVersion) -> list[Meeting]:
    return _meetings_of(version.series_ids)


def personal_feed(version: FeedVersion) -> bytes:
    """Every meeting of the person's groups, their own presenting turns marked. One query."""
    events = [_event(m, entitled=True, presenting=m.id in version.presenting) for m in personal_meetings(version)]
    society = current_app.config["SOCIETY_NAME"]
    return build_calendar(events, name=f"{society}: my Balint groups",
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
    """A series' dates for anyone: no way in, no names."""
    events = [_event(m, entitled=False) for m in _meetings_of((series.id,))]
    return build_calendar(events, name=series.title, description=f"Meeting dates of {series.title}.",
                          color=FEED_COLOR, refresh=FEED_REFRESH)


# -- invitations by email -----------------------------------------------------------------------

def _enrolled_members(series_ids) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {sid: [] for sid in series_ids}
    if not found:
        return found
    rows = db.session.scalars(
        select(Application).where(Application.series_id.in_(found), Application.status == "enrolled")
        .options(selectinload(Application.user)).order_by(Application.id)
    )
    for application in rows:
        found[application.series_id].append(application.user)
    return found


def _audience(series: Series, members: list[User]) -> list[User]:
    """Everyone a meeting of `series` is for: its leaders, then its enrolled `members`."""
    leaders = list(series.leaders)
    return leaders + [u for u in members if u not in leaders]


def _itip_roles(series: Series, recipient: User) -> dict:
    """Organizer and attendee as the recipient's calendar should see them.

    A leader receives their own copy with themselves first, as organizer.
    """
    leaders = sorted(series.leaders, key=lambda leader: leader.id != recipient.id)
    return {"organizers": [_person(leader) for leader in leaders], "attendees": [_person(recipient)]}


def _upcoming(series: Series) -> list[Meeting]:
    moment = now()
    return [m for m in series.meetings if m.starts_at > moment]


def _send(key: str, kind: str, user: User, method: str, events, series: Series, **context) -> None:
    ics = build_calendar(events, name=series.title, method=method)
    queue_email(key=key, kind=kind, user=user, calendar=(method, ics), context={"series": series, **context})


def invite(series: Series, user: User, key: str) -> None:
    """One invitation holding every upcoming live meeting of the series."""
    meetings = [m for m in _upcoming(series) if not m.is_cancelled]
    if not meetings:
        return
    presenters = _presenter_ids([m.id for m in meetings])
    roles = _itip_roles(series, user)
    events = [_event(m, entitled=True, presenting=user.id in presenters[m.id], **roles)
              for m in meetings]
    _send(key, "calendar_invite", user, "REQUEST", events, series, meetings=meetings)


def uninvite(series: Series, user: User, key: str) -> None:
    """Take every upcoming meeting out of the person's calendar (they left, or the series ended early)."""
    meetings = _upcoming(series)
    if not meetings:
        return
    roles = _itip_roles(series, user)
    # Above anything they were sent: meetings still running for others get one more than theirs.
    events = [_event(m, entitled=True, status=CANCELLED, sequence=m.sequence + (0 if m.is_cancelled else 1), **roles)
              for m in meetings]
    _send(key, "calendar_cancel", user, "CANCEL", events, series, meetings=meetings)


MEETING_CHANGE_EMAILS = {"cancelled": "meeting_cancelled", "added": "meeting_added", "restored": "meeting_added"}


def announce_meeting_change(meeting: Meeting, change: str = "rescheduled") -> None:
    """A changed, added or restored meeting goes out as an update, a cancelled one as a cancellation,
    to everyone it is for."""
    series = meeting.series
    kind = MEETING_CHANGE_EMAILS.get(change, "meeting_rescheduled")
    method = "CANCEL" if meeting.is_cancelled else "REQUEST"
    presenting = _presenter_ids([meeting.id])[meeting.id]
    for user in _audience(series, _enrolled_members([series.id])[series.id]):
        event = _event(meeting, entitled=True, presenting=user.id in presenting, **_itip_roles(series, user))
        _send(f"{kind}:meeting-{meeting.id}:seq-{meeting.sequence}:user-{user.id}", kind, user, method,
              [event], series, meeting=meeting, change=change)


# -- reminders ----------------------------------------------------------------------------------

def reminder_key(kind: str, meeting: Meeting, user: User) -> str:
    return f"reminder-{kind}:meeting-{meeting.id}:user-{user.id}"


def queue_reminders(moment: datetime) -> int:
    """Queue every reminder that is due and not yet queued; returns how many were queued.

    A reminder is due from its lead time before the start until the start, so a run that comes
    late still sends it. The outbox's unique key makes each one exactly-once, however many
    schedulers run; each is committed on its own, so a crash loses at most the one in hand.
    """
    meetings = db.session.scalars(
        select(Meeting).join(Meeting.series)
        .where(Meeting.status == "scheduled", Series.lifecycle == "published", Meeting.starts_at > moment,
               Meeting.starts_at <= moment + max(REMINDERS.values()))
        .options(contains_eager(Meeting.series).selectinload(Series.leaders))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    if not meetings:
        return 0
    members = _enrolled_members({m.series_id for m in meetings})
    due = [
        (kind, meeting, user)
        for meeting in meetings
        for kind, lead in REMINDERS.items() if meeting.starts_at - lead <= moment
        for user in _audience(meeting.series, members[meeting.series_id])
    ]
    keys = [reminder_key(*item) for item in due]
    done = set(db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys))))
    presenting = _presenter_ids([m.id for m in meetings])
    queued = 0
    for (kind, meeting, user), key in zip(due, keys, strict=True):
        if key in done:
            continue
        message = queue_email(key=key, kind="meeting_reminder", user=user, context={
            "series": meeting.series, "meeting": meeting, "join_url": join_url(meeting),
            "presenting": user.id in presenting[meeting.id],
            "room_ready": meeting.video_room is not None,
            "window": current_app.config["JOIN_WINDOW_MINUTES"]})
        db.session.commit()
        queued += message is not None
    return queued
