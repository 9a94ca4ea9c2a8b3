"""Video rooms for meetings: provisioning at the providers, the guarded way in, and attendance.

Provider calls are slow and can fail, so none is made while this process holds a database
transaction (on SQLite that would be the write lock): state is read, the transaction ended, the
provider called, and the outcome written with conditional UPDATEs. Nothing here ever writes a
provider's join link anywhere but to the entitled person at join time (and, for Zoom's personal
registrant links, to that person's own VideoLink row).
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, null, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..certificates.rules import FULL, CreditSettings, Presence, meeting_verdict
from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..core.timefmt import human, iso_z
from ..enrollment.models import Application, ApplicationStatus
from ..extensions import db
from ..notifications.services import queue_email
from ..series.models import Meeting, Series
from ..series.services import require_manager
from . import circuit
from .access import CANCELLED, ENDED, PARTICIPANT, TOO_EARLY, decide
from .models import ATTENDANCE_STATUSES, Attendance, AttendanceStatus, VideoLink, VideoProvisioning
from .providers import (PROVIDER_LABELS, Participant, ProviderConfigError, ProviderError, Room, RoomRequest,
                        VideoProvider, get_provider, provider_settings, retry_delay, spec_of, truncate)

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


# -- providers ------------------------------------------------------------------------------------

def provider_for(name: str, *, at_the_door: bool = False) -> VideoProvider:
    """The configured client for `name`, kept per process so that Zoom's OAuth token is reused.

    `at_the_door`: the client for joins, whose every call has the short VIDEO_JOIN_TIMEOUT budget.
    """
    # The values (secrets among them) go to the client only.
    settings = provider_settings(current_app.config)
    if at_the_door:
        settings["VIDEO_HTTP_TIMEOUT"] = current_app.config["VIDEO_JOIN_TIMEOUT"]
    cache = current_app.extensions.setdefault("video_providers", {})
    key = (name, at_the_door)
    kept = cache.get(key)
    if kept is None or kept[0] != settings:
        kept = cache[key] = (settings, get_provider(name, settings))
    return kept[1]


def room_request(meeting: Meeting) -> RoomRequest:
    series = meeting.series
    return RoomRequest(
        key=f"meeting-{meeting.id}", series_title=series.title,
        topic=f"Balint group: {series.title} — meeting {meeting.number} of {series.meeting_count}",
        starts_at=meeting.starts_at, duration_minutes=int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        timezone=series.timezone,
    )


def tell_leaders(meeting: Meeting) -> None:
    """Once per meeting: its room is not ready or its provider is failing. The caller commits."""
    series = meeting.series
    for leader in series.leaders:
        queue_email(key=f"video-trouble:meeting-{meeting.id}:user-{leader.id}", kind="video_trouble", user=leader,
                    context={"meeting": meeting, "series": series,
                             "provider_name": PROVIDER_LABELS.get(series.video_provider, series.video_provider)})


# -- provisioning ---------------------------------------------------------------------------------

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
        try:
            with db.session.begin_nested():
                db.session.add(VideoProvisioning(meeting_id=meeting_id))
        except IntegrityError:
            pass  # another worker made the row first; the UPDATE below decides who goes on
    result = db.session.execute(
        update(VideoProvisioning).where(VideoProvisioning.meeting_id == meeting_id, _due(moment))
        .values(claimed_by=_worker(), claimed_until=moment + CLAIM).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _stored(meeting_id: int, action: str, room: Room | None, starts_at: datetime) -> None:
    if action == "create":
        result = db.session.execute(update(Meeting).where(Meeting.id == meeting_id, Meeting.video_room.is_(None))
                                    .values(video_room=room.to_dict()).execution_options(synchronize_session=False))
        if result.rowcount != 1:  # only if this worker outlived its claim; the other worker's room stands
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
    state = db.session.get(VideoProvisioning, meeting_id)
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
    meeting = db.session.get(Meeting, meeting_id)
    if action != "delete" and meeting.starts_at - moment <= WARN_LEADERS_WITHIN:
        tell_leaders(meeting)
    db.session.commit()


def provision_meeting(meeting_id: int, moment: datetime) -> str:
    """Bring one meeting's room in line with the meeting (create, move or remove); returns what happened."""
    if not _claim(meeting_id, moment):
        return SKIPPED
    meeting = db.session.get(Meeting, meeting_id)
    state = db.session.get(VideoProvisioning, meeting_id)
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
            new_room = provider.update_room(room, req)
        else:
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


def lift_back_off(meeting_ids: list[int]) -> None:
    """A changed meeting is worth a provider call at the next pass, whatever failed before. No commit."""
    if meeting_ids:
        db.session.execute(update(VideoProvisioning).where(VideoProvisioning.meeting_id.in_(meeting_ids))
                           .values(next_attempt_at=None, attempts=0).execution_options(synchronize_session=False))


# -- the way in -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    url: str
    role: str


class JoinRefused(NotAllowed):
    """Kept out of a meeting's room: `reason` is the API's error code."""

    def __init__(self, reason: str, message: str, opens_at: datetime):
        super().__init__(message, code=reason, **({"opens_at": iso_z(opens_at)} if reason == TOO_EARLY else {}))
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
    "pending": "Your application is waiting for the leaders' decision; only enrolled members join the meetings.",
    "waitlisted": "You are on the waiting list for this group; only enrolled members join its meetings. "
                  "We will write if a place comes free.",
    "offered": "You have been offered a place: take it up on your page, and the meetings open to you.",
}


def _refusal_message(reason: str, user: User, statuses: set[ApplicationStatus], opens_at: datetime, window: int) -> str:
    if reason == CANCELLED:
        return "This meeting was cancelled, so its video room is closed."
    if reason == TOO_EARLY:
        return f"The room opens at {human(opens_at, user.timezone)}, {window} minutes before the start."
    if reason == ENDED:
        return "This meeting has ended."
    if user.is_admin:
        return ("Administrators look after the group but are not in it: only its enrolled members and its "
                "leaders join the meetings.")
    for status, message in _NOT_ENROLLED_BECAUSE.items():
        if status in statuses:
            return message
    return "Only this group's enrolled members and its leaders join its meetings."


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
    if not verdict.allowed:
        raise JoinRefused(verdict.refusal, _refusal_message(verdict.refusal, user, statuses, verdict.opens_at, window),
                          verdict.opens_at)
    if meeting.video_room is None:
        lift_back_off([meeting.id])
        tell_leaders(meeting)
        db.session.commit()
        raise VideoUnavailable("The video room for this meeting is not ready yet. The group's leaders have "
                               "been told; please try again in a few minutes.")
    url = _personal_link(meeting, user, verdict.role, moment)
    _record_entry(meeting.id, user.id, moment)
    db.session.commit()
    return Entry(url, verdict.role)


_NOT_ANSWERING = ("The video service is not answering, try again in a minute. The group's leaders have been "
                  "told.")


def _personal_link(meeting: Meeting, user: User, role: str, moment: datetime) -> str:
    room = Room.from_dict(meeting.video_room)
    keep = spec_of(room.provider).keeps_links and role == PARTICIPANT
    kept = db.session.scalar(select(VideoLink).where(VideoLink.meeting_id == meeting.id,
                                                     VideoLink.user_id == user.id)) if keep else None
    if kept is not None and kept.room_external_id == room.external_id:
        return kept.url
    who = Participant(user.id, user.name, user.email, role)
    if circuit.is_open(room.provider, moment):
        raise VideoUnavailable(_NOT_ANSWERING, code="provider_unavailable")
    db.session.commit()  # no transaction held while the provider answers
    try:
        url = provider_for(room.provider, at_the_door=True).join_url(room, who)
    except (ProviderError, ProviderConfigError) as exc:
        log.warning("video: no join link for user %s in meeting %s: %s", user.id, meeting.id, exc)
        if isinstance(exc, ProviderError) and exc.retryable:
            circuit.record_failure(room.provider, moment, str(exc))
        tell_leaders(meeting)
        db.session.commit()
        raise VideoUnavailable(_NOT_ANSWERING, code="provider_unavailable") from None
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


# -- attendance -----------------------------------------------------------------------------------

def _attendance(meeting_id: int, user_id: int) -> Attendance:
    """The person's attendance row for the meeting, made if missing (safely against a concurrent maker)."""
    query = select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.user_id == user_id)
    row = db.session.scalar(query)
    if row is None:
        try:
            with db.session.begin_nested():
                row = Attendance(meeting_id=meeting_id, user_id=user_id)
                db.session.add(row)
        except IntegrityError:
            row = db.session.scalar(query)
    return row


def _record_entry(meeting_id: int, user_id: int, moment: datetime) -> None:
    row = _attendance(meeting_id, user_id)
    if row.first_entered_at is None:
        row.first_entered_at = moment


def _entitled_by_email(series: Series, email: str) -> User | None:
    email = email.strip().lower()
    if not email:
        return None
    leader = next((u for u in series.leaders if u.email == email), None)
    return leader or db.session.scalar(
        select(User).join(Application, Application.user_id == User.id)
        .where(Application.series_id == series.id, Application.status == "enrolled", func.lower(User.email) == email)
    )


def record_provider_event(event) -> bool:
    """A participant joined or left a provider's room (a verified Zoom webhook); True when recorded.

    People are matched by the email they registered with; joins keep the first arrival, leaves the
    last departure, so a repeated delivery changes nothing.
    """
    meeting = db.session.scalar(
        select(Meeting).join(VideoProvisioning, VideoProvisioning.meeting_id == Meeting.id)
        .where(VideoProvisioning.room_external_id == event.meeting_external_id)
    )
    if meeting is None or (meeting.video_room or {}).get("provider") != "zoom":
        return False
    user = _entitled_by_email(meeting.series, event.email)
    if user is None:
        log.info("video: a participant of meeting %s matched nobody in the group", meeting.id)
        return False
    row = _attendance(meeting.id, user.id)
    if event.kind == "joined":
        row.provider_joined_at = min(t for t in (row.provider_joined_at, event.at) if t is not None)
    else:
        row.provider_left_at = max(t for t in (row.provider_left_at, event.at) if t is not None)
    db.session.commit()
    return True


@dataclass
class Cell:
    meeting: Meeting
    record: Attendance | None
    editable: bool  # the meeting has started, so there is something to confirm
    # What the records say of the whole meeting (certificates.rules: full, late, left_early, absent).
    seen_as: str = ""

    @property
    def choice(self) -> str:
        """What the grid shows: the leaders' word, else "present" for whom the records show there throughout.

        Someone seen arriving late or leaving early is left for the leaders to decide, so that saving the
        grid does not turn a partial attendance into their word that it was whole."""
        if self.record is not None and self.record.status:
            return self.record.status
        return "present" if self.seen_as == FULL else ""


@dataclass
class MemberRow:
    user: User
    enrolled: bool
    cells: list[Cell] = field(default_factory=list)

    def numbers(self, status: str) -> list[int]:
        return [c.meeting.number for c in self.cells if c.record is not None and c.record.status == status]


@dataclass
class Grid:
    series: Series
    meetings: list[Meeting]
    rows: list[MemberRow]


def attendance_grid(series: Series, moment: datetime) -> Grid:
    """Members x live meetings: enrolled members, and anyone else with a record (who left mid-way)."""
    meetings = series.live_meetings
    records = db.session.scalars(select(Attendance).where(Attendance.meeting_id.in_([m.id for m in meetings]))).all()
    by_cell = {(r.meeting_id, r.user_id): r for r in records}
    enrolled = db.session.scalars(select(User).join(Application, Application.user_id == User.id).where(
        Application.series_id == series.id, Application.status == "enrolled")).all()
    leader_ids = {u.id for u in series.leaders}
    people = {u.id: MemberRow(u, True) for u in enrolled}
    for record in records:
        if record.user_id not in people and record.user_id not in leader_ids:
            people[record.user_id] = MemberRow(record.user, False)
    rows = sorted(people.values(), key=lambda r: (r.user.name.lower(), r.user.id))
    grace = timedelta(minutes=grace_minutes(series))
    for row in rows:
        row.cells = []
        for m in meetings:
            record = by_cell.get((m.id, row.user.id))
            seen_as = "" if record is None or not record.seen else meeting_verdict(Presence(
                m.starts_at, m.ends_at, record.first_entered_at, record.provider_joined_at, record.provider_left_at), grace)
            row.cells.append(Cell(m, record, m.starts_at <= moment, seen_as))
    return Grid(series, meetings, rows)


def grace_minutes(series: Series) -> int:
    """The series' credit settings say how late or early still counts as the whole meeting."""
    from ..certificates.models import SeriesCredit

    credit = db.session.get(SeriesCredit, series.id)
    return credit.grace_minutes if credit is not None else CreditSettings.grace_minutes


def cell_name(meeting_id: int, user_id: int) -> str:
    return f"m{meeting_id}_u{user_id}"


def save_attendance(series: Series, actor: User, choices: dict[str, str]) -> int:
    """The leaders' word on each started meeting's cells, from `choices` by cell_name; returns how many changed.

    "" clears a confirmation; cells not in `choices` are left alone.
    """
    require_manager(series, actor)
    moment = now()
    changed = 0
    for row in attendance_grid(series, moment).rows:
        for cell in row.cells:
            value = choices.get(cell_name(cell.meeting.id, row.user.id))
            if value is None or not cell.editable:
                continue
            if value and value not in ATTENDANCE_STATUSES:
                raise InvalidInput("Choose present, absent or excused.",
                                   fields={cell_name(cell.meeting.id, row.user.id): "Not a choice."})
            current = cell.record.status if cell.record is not None else None
            if (value or None) == current:
                continue
            record = cell.record or _attendance(cell.meeting.id, row.user.id)
            record.status = AttendanceStatus(value) if value else None
            record.confirmed_by_id, record.confirmed_at = actor.id, moment
            changed += 1
    db.session.commit()
    return changed


@dataclass
class HomeGroup:
    series: Series
    leading: bool
    next_meeting: Meeting | None
    room_ready: bool
    opens_at: datetime | None
    attendance: list[tuple[Meeting, str]]  # a member's started meetings: present | absent | excused | ""


def home_groups(user: User, series_list: list[Series], moment: datetime) -> list[HomeGroup]:
    """Of the series a person meets with (as enrolled member or leader, loaded with their meetings and
    leaders by the caller), those published and running or to come, with each one's next meeting."""
    mine = [s for s in series_list if s.lifecycle == "published" and any(m.ends_at > moment for m in s.live_meetings)]
    records = _own_attendance_records([s for s in mine if not s.is_led_by(user)], user, moment)
    window = timedelta(minutes=int(current_app.config["JOIN_WINDOW_MINUTES"]))
    groups = []
    for series in sorted(mine, key=lambda s: (s.first_start or moment, s.id)):
        leading = series.is_led_by(user)
        upcoming = [m for m in series.live_meetings if m.ends_at > moment]
        next_meeting = upcoming[0] if upcoming else None
        attendance = [] if leading else [(m, (records[m.id].status if m.id in records else None) or "")
                                         for m in series.live_meetings if m.starts_at <= moment]
        groups.append(HomeGroup(series, leading, next_meeting, next_meeting is not None and next_meeting.video_room is not None,
                                next_meeting.starts_at - window if next_meeting else None, attendance))
    return groups


def _own_attendance_records(series_list: list[Series], user: User, moment: datetime) -> dict[int, Attendance]:
    """The person's attendance records at the held meetings of these series, in one query."""
    held = [m.id for s in series_list for m in s.live_meetings if m.starts_at <= moment]
    if not held:
        return {}
    return {r.meeting_id: r for r in db.session.scalars(select(Attendance).where(
        Attendance.user_id == user.id, Attendance.meeting_id.in_(held)))}


def attended(record: Attendance | None) -> bool:
    """The leaders' word where they gave it; otherwise whether the platform or the provider saw them come."""
    if record is None:
        return False
    if record.status is not None:
        return record.status == "present"
    return record.first_entered_at is not None or record.provider_joined_at is not None


def attended_meeting_ids(series: Series, user_id: int) -> set[int]:
    held = [m.id for m in series.live_meetings if m.starts_at <= now()]
    records = db.session.scalars(select(Attendance).where(Attendance.user_id == user_id, Attendance.meeting_id.in_(held)))
    return {r.meeting_id for r in records if attended(r)}


def attendance_table(grid: Grid) -> tuple[list[str], list[list]]:
    """One row per member, one column per meeting: present, absent, excused, entered (not yet confirmed) or blank."""
    header = ["name", "email"] + [f"meeting {m.number} ({m.starts_at.date().isoformat()})" for m in grid.meetings] + ["attended"]
    rows = []
    for row in grid.rows:
        marks = [(c.record.status or ("entered" if attended(c.record) else "")) if c.record else "" for c in row.cells]
        rows.append([row.user.name, row.user.email] + marks + [sum(attended(c.record) for c in row.cells)])
    return header, rows
