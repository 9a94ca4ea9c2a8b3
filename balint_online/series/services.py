"""Creating, publishing and changing series and their meetings: the series' own part of each change.

Each operation flushes and never commits: the request, job or command that calls it commits (and
holds the series lock until then). What a change causes in other features (applications, refunds,
the rotation, calendars, video rooms) is called, in order, by flows/series.py; pages and the API
call those flows.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, Text, bindparam, cast, func, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload, with_expression

from ..accounts.models import User, find_user_by_email
from ..audit.services import log_action
from ..core.clock import now, today_in
from ..core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from ..core.prices import PriceTableError, fill_trainee_cells, parse_price_table, table_to_api
from ..core.text import one_line
from ..core.timefmt import iso_z
from ..core.types import UTCDateTime
from ..core.videoproviders import PROVIDER_NAMES
from ..core.zonerules import canonical_zone
from ..core.zonerules import current as current_rules
from ..extensions import db
from .locking import lock_series
from .models import Meeting, MeetingStatus, Series, series_leaders
from .scheduling import SchedulingError, SeriesStatus, check_capacity, plan_meetings, series_state, to_utc, zone

MAX_MEETINGS = 52


@dataclass
class SeriesInput:
    """What a leader fills in to create a series, from the API or the page's form."""

    title: str
    timezone: str
    first_meeting_local: datetime
    currency: str
    description: str = ""
    meeting_count: int = 8
    interval_weeks: int = 1
    duration_minutes: int = 90
    capacity: int = 8
    presenters_per_meeting: int = 1
    leader_emails: list[str] | None = None
    video_provider: str | None = None
    prices: dict = field(default_factory=dict)
    early_bird_deadline: date | None = None
    registration_deadline: date | None = None
    cancellation_deadline: date | None = None
    cancellation_fee: Decimal = Decimal("100.00")
    skip_dates: list[date] = field(default_factory=list)
    offer_hours: int = 48
    trainee_discount_percent: Decimal | None = None


def _resolve_leaders(emails: list[str] | None, creator: User) -> list[User]:
    if not emails:
        return [creator]
    leaders, unknown = [], []
    for email in dict.fromkeys(e.strip().lower() for e in emails):
        user = find_user_by_email(email)
        if user is None or not user.can_lead:
            unknown.append(email)
        else:
            leaders.append(user)
    if unknown:
        raise InvalidInput(
            _("Every leader must have a leader account."),
            fields={"leader_emails": _("No leader account for: %(emails)s.", emails=", ".join(unknown))},
        )
    if len(leaders) > 2:
        raise InvalidInput(_("A group has one or two leaders."),
                           fields={"leader_emails": _("Name one or two leaders.")})
    if not creator.is_admin and creator not in leaders:
        raise InvalidInput(_("You must lead the series you create."), fields={"leader_emails": _("Include yourself.")})
    return leaders


DEADLINES = ("early_bird_deadline", "registration_deadline", "cancellation_deadline")
# What re-plans the meetings of a draft when it changes.
SCHEDULE_FIELDS = ("timezone", "first_meeting_local", "meeting_count", "interval_weeks", "duration_minutes",
                   "skip_dates")


@dataclass
class _Checked:
    """A SeriesInput that passed every rule: its price table, provider and planned meetings."""

    prices: dict
    provider: str
    planned: list


def _check_input(data: SeriesInput, default_provider: str) -> _Checked:
    """Every rule a series' terms must keep; raises InvalidInput naming every field at fault."""
    errors: dict[str, str] = {}
    # calendar (issue 14): US/Eastern is kept as America/New_York; a title is one line.
    data.timezone = canonical_zone(data.timezone)
    data.title = one_line(data.title)
    try:
        zone(data.timezone)
    except SchedulingError as exc:
        raise InvalidInput(exc.message, fields={exc.field: exc.message}) from exc

    today = today_in(data.timezone)
    if data.first_meeting_local.date() <= today:
        errors["first_meeting_local"] = _("The first meeting must be after today (%(today)s in %(zone)s).",
                                            today=today, zone=data.timezone)
    for name in DEADLINES:
        deadline = getattr(data, name)
        if deadline is not None and deadline > data.first_meeting_local.date():
            errors[name] = _("Must fall on or before the first meeting's date.")
    provider = data.video_provider or default_provider
    if provider not in PROVIDER_NAMES:
        errors["video_provider"] = _("Must be one of: %(choices)s.", choices=", ".join(PROVIDER_NAMES))
    try:
        check_capacity(data.capacity, data.meeting_count, data.presenters_per_meeting)
    except SchedulingError as exc:
        errors[exc.field] = exc.message
    try:
        table = parse_price_table(data.prices)
        if data.trainee_discount_percent is not None:
            table = fill_trainee_cells(table, data.trainee_discount_percent)
    except PriceTableError as exc:
        errors.update(exc.errors)
        table = None
    planned = []
    if "first_meeting_local" not in errors:
        try:
            planned = plan_meetings(
                data.first_meeting_local,
                data.timezone,
                count=data.meeting_count,
                interval_weeks=data.interval_weeks,
                duration_minutes=data.duration_minutes,
                skip_dates=frozenset(data.skip_dates),
            )
        except SchedulingError as exc:
            errors[exc.field] = exc.message
    if errors:
        raise InvalidInput(_("The series needs attention: %(problems)s", problems=" ".join(errors.values())),
                           fields=errors)
    assert table is not None  # else the price table's errors were raised
    return _Checked(table_to_api(table), provider, planned)


def _assign(series: Series, data: SeriesInput, checked: _Checked) -> None:
    for name in ("title", "description", "timezone", "first_meeting_local", "meeting_count", "interval_weeks",
                 "duration_minutes", "capacity", "presenters_per_meeting", "currency", *DEADLINES,
                 "cancellation_fee", "offer_hours"):
        setattr(series, name, getattr(data, name))
    series.video_provider = checked.provider
    series.prices = checked.prices
    series.skip_dates = [d.isoformat() for d in data.skip_dates]


def _planned_meetings(planned) -> list[Meeting]:
    return [Meeting(number=p.number, starts_at=p.starts_at, ends_at=p.ends_at, local_start=p.local_start,
                    slot=p.local_start) for p in planned]


def create_series(data: SeriesInput, creator: User, default_provider: str) -> Series:
    """A draft series with its meetings planned; raises InvalidInput naming every field at fault."""
    if not creator.can_lead:
        raise NotAllowed(_("Only leaders and administrators create series."))
    checked = _check_input(data, default_provider)
    series = Series(created_by_id=creator.id, leaders=_resolve_leaders(data.leader_emails, creator))
    _assign(series, data, checked)
    # calendar (issue 14): each meeting keeps its wall-clock start and its slot on the cadence,
    # and the series the rules its instants come from.
    series.rules_version = current_rules().version
    series.meetings = _planned_meetings(checked.planned)
    db.session.add(series)
    db.session.flush()
    log_action(series, "created", creator, to_status="draft",
               data={"title": series.title, "meetings": len(checked.planned), "capacity": series.capacity})
    return series


def require_known(series: Series, user) -> None:
    """A draft is known only to those who manage it: anyone else gets the 404 of an unused id."""
    if series.lifecycle == "draft" and not series.can_manage(user):
        raise NotFound(f"No series with id {series.id}.")


def input_of(series: Series) -> SeriesInput:
    """A series' terms as the create body gives them: the base an edit changes."""
    return SeriesInput(
        title=series.title, description=series.description, timezone=series.timezone,
        first_meeting_local=series.first_meeting_local, meeting_count=series.meeting_count,
        interval_weeks=series.interval_weeks, duration_minutes=series.duration_minutes, capacity=series.capacity,
        presenters_per_meeting=series.presenters_per_meeting, leader_emails=[u.email for u in series.leaders],
        video_provider=series.video_provider, currency=series.currency, prices=series.prices,
        early_bird_deadline=series.early_bird_deadline, registration_deadline=series.registration_deadline,
        cancellation_deadline=series.cancellation_deadline, cancellation_fee=series.cancellation_fee,
        skip_dates=sorted(series.skip_date_values), offer_hours=series.offer_hours,
    )


def _comparable(data: SeriesInput, name: str):
    value = getattr(data, name)
    if name == "leader_emails":
        return sorted({e.strip().lower() for e in value or ()})
    if name == "prices":
        try:
            return table_to_api(parse_price_table(value))
        except PriceTableError:
            return value
    if name == "skip_dates":
        return sorted(value)
    return value


def changed_fields(before: SeriesInput, after: SeriesInput) -> list[str]:
    names = [f.name for f in fields(SeriesInput) if f.name != "trainee_discount_percent"]
    return [n for n in names if _comparable(before, n) != _comparable(after, n)]


def update_series(series: Series, data: SeriesInput, user: User, default_provider: str) -> Series:
    """Change a series' terms (the API's PATCH and the edit page).

    A draft changes freely, its meetings re-planned when the schedule changes. A published series
    keeps what applicants were promised: only `published_change_problems` may pass, otherwise a
    409 names each field.
    """
    lock_series(series.id)
    require_manager(series, user)
    if series.lifecycle == "cancelled":
        raise DomainError(_("A cancelled series cannot be edited."), code="series_cancelled")
    before = input_of(series)
    changed = changed_fields(before, data)
    if series.lifecycle == "published":
        problems = published_change_problems(before, data, changed)
        if problems:
            raise DomainError(_("A published series keeps what applicants were promised: %(problems)s",
                                problems=" ".join(f"{name}: {why}" for name, why in problems.items())),
                              code="published_terms", fields=problems)
    if not changed:
        return series
    if series.lifecycle == "published":
        _check_published_terms(data)
        for name in changed:
            if name != "leader_emails":
                setattr(series, name, getattr(data, name))
    else:
        checked = _check_input(data, default_provider)
        _assign(series, data, checked)
        if set(changed) & set(SCHEDULE_FIELDS):
            series.meetings.clear()
            db.session.flush()  # the old numbers go before the new ones take them
            series.rules_version = current_rules().version
            series.meetings = _planned_meetings(checked.planned)
    if "leader_emails" in changed:
        series.leaders = _resolve_leaders(data.leader_emails, user)
    db.session.flush()
    log_action(series, "edited", user, changes={name: [_logged(before, name), _logged(data, name)] for name in changed})
    return series


def _logged(data: SeriesInput, name: str):
    """A term as the audit log keeps it: JSON, money and dates as the API writes them."""
    value = _comparable(data, name)
    if isinstance(value, list):
        return [v.isoformat() if hasattr(v, "isoformat") else v for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else str(value) if value is not None else None


def _check_published_terms(data: SeriesInput) -> None:
    """The rules the changes a published series may take must still keep."""
    errors = {name: _("Must fall on or before the first meeting's date.") for name in DEADLINES
              if getattr(data, name) is not None and getattr(data, name) > data.first_meeting_local.date()}
    try:
        check_capacity(data.capacity, data.meeting_count, data.presenters_per_meeting)
    except SchedulingError as exc:
        errors[exc.field] = exc.message
    if errors:
        raise InvalidInput(_("The series needs attention: %(problems)s", problems=" ".join(errors.values())),
                           fields=errors)


# Changes a published series may take: they keep (or improve) every applicant's terms.
_FREE_WHEN_PUBLISHED = ("title", "description", "leader_emails")


def published_change_problems(before: SeriesInput, after: SeriesInput, changed: list[str]) -> dict[str, str]:
    """Each changed field a published series may not take, with why; {} if every change keeps the promise."""
    problems = {}
    for name in changed:
        if name in _FREE_WHEN_PUBLISHED:
            continue
        if name == "capacity":
            if after.capacity < before.capacity:
                problems[name] = _("Places can only be added once the series is published.")
        elif name in DEADLINES:
            old, new = getattr(before, name), getattr(after, name)
            if old is None or new is None or new < old:
                problems[name] = _("Once published, a deadline can only move later.")
        else:
            problems[name] = _("Cannot change once the series is published: applicants were promised it.")
    return problems


def require_manager(series: Series, user: User) -> None:
    require_known(series, user)
    if not series.can_manage(user):
        raise NotAllowed(_("Only this series' leaders or an administrator may do that."))


def managed_series(series_id: int, user) -> Series:
    """The series `user` leads or administers, for their pages: 404 for a draft they may not know of."""
    series = db.get_or_404(Series, series_id)
    require_manager(series, user)
    return series


def publish_series(series: Series, user: User) -> Series:
    require_manager(series, user)
    (series,) = lock_series(series.id)
    if series.lifecycle == "cancelled":
        raise DomainError(_("A cancelled series cannot be published."), code="series_cancelled")
    if series.lifecycle == "published":
        return series
    if series.first_start is None or series.first_start <= now():
        raise DomainError(_("The series has already started; create a new one."), code="series_started")
    series.lifecycle = "published"
    series.published_at = now()
    log_action(series, "published", user, from_status="draft", to_status="published")
    return series


@cache
def _live_spans():
    return (select(Meeting.series_id, func.min(Meeting.starts_at), func.max(Meeting.ends_at))
            .where(Meeting.series_id.in_(bindparam("series_ids", expanding=True)), Meeting.status != "cancelled")
            .group_by(Meeting.series_id))


def statuses_now(series_list: Sequence[Series]) -> dict[int, SeriesStatus]:
    """Each series' status, by id, for a page that shows nothing else of their meetings (the roster, the
    ledgers): each one's first start and last end, read in one query for them all, rather than their
    meetings loaded for one word each."""
    if not series_list:
        return {}
    spans = {series_id: (first, last) for series_id, first, last in
             db.session.execute(_live_spans(), {"series_ids": [s.id for s in series_list]})}
    moment = now()
    return {s.id: series_state(s.lifecycle, moment, *spans.get(s.id, (None, None)), s.seats_left)
            for s in series_list}


def status_now(series: Series) -> SeriesStatus:
    """One series' status as `statuses_now` reads it; from its meetings when the page has them loaded already."""
    if "meetings" not in inspect(series).unloaded:
        return series.status
    return statuses_now([series])[series.id]


def first_start_column():
    """In a query over Series: the start of its first live meeting (NULL when none), one probe of the
    (series_id, starts_at) index."""
    return (select(func.min(Meeting.starts_at)).where(Meeting.series_id == Series.id, Meeting.status != "cancelled")
            .correlate(Series).scalar_subquery())


def last_end_column():
    """In a query over Series: the end of its last live meeting (NULL when none)."""
    return (select(func.max(Meeting.ends_at)).where(Meeting.series_id == Series.id, Meeting.status != "cancelled")
            .correlate(Series).scalar_subquery())


def not_over(moment) -> ColumnElement[bool]:
    """In a query over Series: still running or to come at `moment` (a value or a bind parameter): a live
    meeting ends after it, or none is planned yet."""
    last_end = last_end_column()
    return or_(last_end.is_(None), last_end > moment)


def _open_series(columns: Callable[[Any], list]) -> Select:
    """Published series whose first meeting is still to come (open or full) at the bound `moment`,
    soonest first; `columns(first)` says what is read of each, `first` being the start of its first
    live meeting. The same rule as `series_state`, in SQL, so that a society's past series are never loaded.
    """
    moment = bindparam("moment", type_=UTCDateTime())
    # Candidates from the few meetings still to come (an index range), less any that has begun:
    # its first live meeting, one probe of the (series_id, starts_at) index per candidate. (Written
    # as NOT EXISTS, PostgreSQL hashed every past meeting of the society instead.)
    upcoming = select(Meeting.series_id).where(Meeting.starts_at > moment, Meeting.status != "cancelled")
    first = first_start_column()
    return (select(*columns(first)).where(Series.lifecycle == "published", Series.id.in_(upcoming), first > moment)
            .order_by(Series.first_meeting_local, Series.id))


# Both built once, the moment bound as they run (`open_series_params`).

@cache
def open_series_query() -> Select:
    """The open series as objects, each with its `first_live_start` and leaders (one more query), its
    meetings not loaded."""
    return _open_series(lambda first: [Series]).options(with_expression(Series.first_live_start, first_start_column()),
                                                        selectinload(Series.leaders))


@cache
def open_series_cards() -> Select:
    """The open series as rows of what the catalogue's cards show (leaders apart: `leader_names`)."""
    return _open_series(lambda first: [
        Series.id, Series.title, Series.meeting_count, Series.interval_weeks, Series.duration_minutes,
        first.label("first_start"), Series.timezone, Series.capacity, Series.seats_taken, Series.currency,
        # As the database keeps it: the text is the key the price range is remembered by.
        cast(Series.prices, Text).label("prices")])


def leader_names(series_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each series' leaders' names, by name, in one query."""
    names: dict[int, list[str]] = {series_id: [] for series_id in series_ids}
    if names:
        for series_id, name in db.session.execute(
                select(series_leaders.c.series_id, User.name).join(User, User.id == series_leaders.c.user_id)
                .where(series_leaders.c.series_id.in_(names)).order_by(User.name, User.id)):
            names[series_id].append(name)
    return names


def open_series_params() -> dict[str, datetime]:
    return {"moment": now()}


def open_series() -> Sequence[Series]:
    return db.session.scalars(open_series_query().options(selectinload(Series.meetings)), open_series_params()).all()


def _require_changeable(meeting: Meeting, user: User) -> None:
    require_manager(meeting.series, user)
    if meeting.series.lifecycle == "cancelled":
        raise DomainError(_("The series is cancelled."), code="series_cancelled")
    if meeting.is_cancelled:
        raise DomainError(_("This meeting is cancelled."), code="meeting_cancelled")
    if meeting.starts_at <= now():
        raise DomainError(_("This meeting has already started or taken place."), code="meeting_past")


def _future_slot(series: Series, starts_at_local: datetime, refusal: str) -> tuple[datetime, datetime]:
    """The UTC instants of a local start time a meeting may take: real, in the future."""
    try:
        starts_at = to_utc(starts_at_local, series.timezone, "starts_at_local")
    except SchedulingError as exc:
        raise InvalidInput(exc.message, fields={exc.field: exc.message}) from exc
    if starts_at <= now():
        raise InvalidInput(refusal, fields={"starts_at_local": _("Must be in the future.")})
    return starts_at, starts_at + timedelta(minutes=series.duration_minutes)


def _refuse_clash(series: Series, starts_at: datetime, ends_at: datetime, ignore: Meeting | None = None) -> None:
    clash = next(
        (m for m in series.live_meetings if m is not ignore and m.starts_at < ends_at and starts_at < m.ends_at),
        None,
    )
    if clash is not None:
        raise DomainError(_("That time overlaps meeting %(number)d.", number=clash.number), code="meeting_overlap",
                          fields={"starts_at_local": _("Overlaps meeting %(number)d.", number=clash.number)})


def reschedule_meeting(meeting: Meeting, starts_at_local: datetime, user: User) -> Meeting:
    """Move a meeting to a new local wall-clock time; calendars follow through SEQUENCE.

    The clash check and the SEQUENCE step run under the series lock: two leaders changing the
    same series at once are served one after the other, each seeing the other's change.
    """
    lock_series(meeting.series_id)
    _require_changeable(meeting, user)
    series = meeting.series
    starts_at, ends_at = _future_slot(series, starts_at_local, _("A meeting can only move to a future time."))
    _refuse_clash(series, starts_at, ends_at, ignore=meeting)
    log_action(meeting, "rescheduled", user, changes={
        "starts_at": [iso_z(meeting.starts_at), iso_z(starts_at)],
        "sequence": [meeting.sequence, meeting.sequence + 1]})
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.local_start = starts_at_local  # calendar (issue 14)
    meeting.sequence += 1
    return meeting


def _require_running_series(series: Series, user: User) -> None:
    require_manager(series, user)
    if series.lifecycle == "cancelled":
        raise DomainError(_("The series is cancelled."), code="series_cancelled")


def add_meeting(series: Series, starts_at_local: datetime, user: User) -> Meeting:
    """An extra meeting, such as a make-up for a cancelled one, at a local wall-clock time.

    It takes the next number: the numbers people were told ("you present at meeting 5") never
    shift, and "meeting 9 of 9" stays true in calendars, which count the series' meetings.
    """
    lock_series(series.id)
    _require_running_series(series, user)
    starts_at, ends_at = _future_slot(series, starts_at_local, _("A meeting can only be added at a future time."))
    _refuse_clash(series, starts_at, ends_at)
    if len(series.meetings) >= MAX_MEETINGS:
        raise DomainError(_("A series has at most %(num)d meetings.", num=MAX_MEETINGS), code="too_many_meetings")
    meeting = Meeting(number=max((m.number for m in series.meetings), default=0) + 1,
                      starts_at=starts_at, ends_at=ends_at, local_start=starts_at_local)
    try:
        with db.session.begin_nested():
            series.meetings.append(meeting)
    except IntegrityError as exc:  # a concurrent add took the number first
        raise DomainError(_("Another meeting was added at the same moment; reload and check."),
                          code="state_changed") from exc
    series.meeting_count = len(series.meetings)
    log_action(meeting, "added", user, changes={"starts_at": [None, iso_z(starts_at)]})
    db.session.flush()
    return meeting


def restore_meeting(meeting: Meeting, user: User) -> Meeting:
    """A cancelled meeting that has not started takes place after all; calendars follow through SEQUENCE."""
    lock_series(meeting.series_id)
    series = meeting.series
    _require_running_series(series, user)
    if not meeting.is_cancelled:
        raise DomainError(_("This meeting is not cancelled."), code="meeting_not_cancelled")
    if meeting.starts_at <= now():
        raise DomainError(_("This meeting's time has passed; add a new meeting instead."), code="meeting_past")
    _refuse_clash(series, meeting.starts_at, meeting.ends_at, ignore=meeting)
    log_action(meeting, "restored", user, changes={"status": ["cancelled", "scheduled"],
                                                    "sequence": [meeting.sequence, meeting.sequence + 1]})
    meeting.status, meeting.cancel_reason = MeetingStatus.SCHEDULED, ""
    meeting.sequence += 1
    return meeting


def cancel_meeting(meeting: Meeting, user: User, reason: str = "") -> Meeting:
    lock_series(meeting.series_id)
    _require_changeable(meeting, user)
    log_action(meeting, "cancelled", user, from_status=meeting.status, to_status="cancelled", reason=reason,
               changes={"sequence": [meeting.sequence, meeting.sequence + 1]})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.sequence += 1
    return meeting


def cancel_series(series: Series, user: User, reason: str) -> Series:
    """The series' part of a cancellation: it and every meeting to come are cancelled, under the series
    lock, which the caller keeps until it commits (flows/series.py ends the applications in the same
    unit of work). Whatever arrives later (an application, a payment) finds the series cancelled."""
    require_manager(series, user)
    (series,) = lock_series(series.id)
    if series.lifecycle == "cancelled":
        raise DomainError(_("This series is already cancelled."), code="series_cancelled")
    if series.status == "completed":
        raise DomainError(_("This series has finished."), code="series_completed")
    if not reason:
        raise InvalidInput(_("Say why, for the members."),
                           fields={"reason": _("A reason is required; members are told.")})
    moment = now()
    log_action(series, "cancelled", user, from_status=series.lifecycle, to_status="cancelled", reason=reason)
    series.lifecycle, series.cancelled_at = "cancelled", moment
    for meeting in series.meetings:
        if meeting.status != "cancelled" and meeting.starts_at > moment:
            log_action(meeting, "cancelled", user, from_status=meeting.status, to_status="cancelled", reason=reason,
                       changes={"sequence": [meeting.sequence, meeting.sequence + 1]})
            meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
            meeting.sequence += 1
    db.session.flush()
    return series
