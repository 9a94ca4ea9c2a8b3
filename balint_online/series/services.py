"""Creating, publishing and changing series and their meetings."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, find_user_by_email
from ..audit.services import log_action
from ..core.clock import now, today_in
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..core.signals import meeting_changed, series_changed
from ..core.timefmt import iso_z
from ..extensions import db
from ..pricing.rules import PriceTableError, fill_trainee_cells, parse_price_table, table_to_api
from .locking import lock_series
from .models import Meeting, Series
from .scheduling import SchedulingError, check_capacity, plan_meetings, to_utc, zone

VIDEO_PROVIDERS = {"jitsi": "Jitsi Meet", "zoom": "Zoom", "bigbluebutton": "BigBlueButton"}


@dataclass
class SeriesInput:
    """What a leader fills in to create a series, from the API or the page's form."""

    title: str
    timezone: str
    first_meeting_local: datetime
    description: str = ""
    meeting_count: int = 8
    interval_weeks: int = 1
    duration_minutes: int = 90
    capacity: int = 8
    presenters_per_meeting: int = 1
    leader_emails: list[str] | None = None
    video_provider: str | None = None
    currency: str = "USD"
    prices: dict = field(default_factory=dict)
    early_bird_deadline: date | None = None
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
            "Every leader must have a leader account.",
            fields={"leader_emails": f"No leader account for: {', '.join(unknown)}."},
        )
    if len(leaders) > 2:
        raise InvalidInput("A group has one or two leaders.", fields={"leader_emails": "Name one or two leaders."})
    if not creator.is_admin and creator not in leaders:
        raise InvalidInput("You must lead the series you create.", fields={"leader_emails": "Include yourself."})
    return leaders


def create_series(data: SeriesInput, creator: User, default_provider: str) -> Series:
    """A draft series with its meetings planned; raises InvalidInput naming every field at fault."""
    if not creator.can_lead:
        raise NotAllowed("Only leaders and administrators create series.")
    errors: dict[str, str] = {}
    try:
        zone(data.timezone)
    except SchedulingError as exc:
        raise InvalidInput(exc.message, fields={exc.field: exc.message}) from exc

    today = today_in(data.timezone)
    if data.first_meeting_local.date() <= today:
        errors["first_meeting_local"] = f"The first meeting must be after today ({today} in {data.timezone})."
    for name in ("early_bird_deadline", "cancellation_deadline"):
        deadline = getattr(data, name)
        if deadline is not None and deadline > data.first_meeting_local.date():
            errors[name] = "Must fall on or before the first meeting's date."
    provider = data.video_provider or default_provider
    if provider not in VIDEO_PROVIDERS:
        errors["video_provider"] = f"Must be one of: {', '.join(VIDEO_PROVIDERS)}."
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
        raise InvalidInput("The series could not be created: " + " ".join(errors.values()), fields=errors)

    leaders = _resolve_leaders(data.leader_emails, creator)
    series = Series(
        title=data.title,
        description=data.description,
        timezone=data.timezone,
        first_meeting_local=data.first_meeting_local,
        meeting_count=data.meeting_count,
        interval_weeks=data.interval_weeks,
        duration_minutes=data.duration_minutes,
        capacity=data.capacity,
        presenters_per_meeting=data.presenters_per_meeting,
        video_provider=provider,
        currency=data.currency,
        prices=table_to_api(table),
        early_bird_deadline=data.early_bird_deadline,
        cancellation_deadline=data.cancellation_deadline,
        cancellation_fee=data.cancellation_fee,
        skip_dates=[d.isoformat() for d in data.skip_dates],
        offer_hours=data.offer_hours,
        created_by_id=creator.id,
        leaders=leaders,
    )
    series.meetings = [Meeting(number=p.number, starts_at=p.starts_at, ends_at=p.ends_at) for p in planned]
    db.session.add(series)
    db.session.flush()
    log_action(series, "created", creator, to_status="draft",
               data={"title": series.title, "meetings": len(planned), "capacity": series.capacity})
    db.session.commit()
    return series


def require_manager(series: Series, user: User) -> None:
    if not series.can_manage(user):
        raise NotAllowed("Only this series' leaders or an administrator may do that.")


def publish_series(series: Series, user: User) -> Series:
    require_manager(series, user)
    (series,) = lock_series(series.id)
    if series.lifecycle == "cancelled":
        raise DomainError("A cancelled series cannot be published.", code="series_cancelled")
    if series.lifecycle == "published":
        return series
    if series.first_start is None or series.first_start <= now():
        raise DomainError("The series has already started; create a new one.", code="series_started")
    series.lifecycle = "published"
    series.published_at = now()
    log_action(series, "published", user, from_status="draft", to_status="published")
    series_changed.send(series, change="published", actor=user)
    db.session.commit()
    return series


def open_series() -> list[Series]:
    """Published series still taking applications, soonest first."""
    # Leaders and meetings in two more queries, not two per series: the catalogue shows both.
    candidates = db.session.scalars(
        select(Series).where(Series.lifecycle == "published").order_by(Series.first_meeting_local)
        .options(selectinload(Series.leaders), selectinload(Series.meetings))
    ).all()
    moment = now()
    return [s for s in candidates if s.status_at(moment) in ("open", "full")]


def _require_changeable(meeting: Meeting, user: User) -> None:
    require_manager(meeting.series, user)
    if meeting.series.lifecycle == "cancelled":
        raise DomainError("The series is cancelled.", code="series_cancelled")
    if meeting.is_cancelled:
        raise DomainError("This meeting is cancelled.", code="meeting_cancelled")
    if meeting.starts_at <= now():
        raise DomainError("This meeting has already started or taken place.", code="meeting_past")


def reschedule_meeting(meeting: Meeting, starts_at_local: datetime, user: User) -> Meeting:
    """Move a meeting to a new local wall-clock time; calendars follow through SEQUENCE.

    The clash check and the SEQUENCE step run under the series lock: two leaders changing the
    same series at once are served one after the other, each seeing the other's change.
    """
    lock_series(meeting.series_id)
    _require_changeable(meeting, user)
    series = meeting.series
    try:
        starts_at = to_utc(starts_at_local, series.timezone, "starts_at_local")
    except SchedulingError as exc:
        raise InvalidInput(exc.message, fields={exc.field: exc.message}) from exc
    if starts_at <= now():
        raise InvalidInput("A meeting can only move to a future time.", fields={"starts_at_local": "Must be in the future."})
    ends_at = starts_at + timedelta(minutes=series.duration_minutes)
    clash = next(
        (m for m in series.live_meetings if m.id != meeting.id and m.starts_at < ends_at and starts_at < m.ends_at),
        None,
    )
    if clash is not None:
        raise DomainError(f"That time overlaps meeting {clash.number}.", code="meeting_overlap")
    log_action(meeting, "rescheduled", user, changes={
        "starts_at": [iso_z(meeting.starts_at), iso_z(starts_at)], "sequence": [meeting.sequence, meeting.sequence + 1]})
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.sequence += 1
    meeting_changed.send(meeting, change="rescheduled", actor=user)
    db.session.commit()
    return meeting


def cancel_meeting(meeting: Meeting, user: User, reason: str = "") -> Meeting:
    lock_series(meeting.series_id)
    _require_changeable(meeting, user)
    log_action(meeting, "cancelled", user, from_status=meeting.status, to_status="cancelled", reason=reason,
               changes={"sequence": [meeting.sequence, meeting.sequence + 1]})
    meeting.status = "cancelled"
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting_changed.send(meeting, change="cancelled", actor=user)
    db.session.commit()
    return meeting


def cancel_series(series: Series, user: User, reason: str) -> Series:
    """The society cancels: every meeting to come is cancelled, and in the same transaction, under the
    series lock, every application ends with everything paid owed back. Whatever arrives later (an
    application, a payment) finds the series cancelled: refused, or owed back at once."""
    from ..enrollment.services import end_for_cancelled_series

    require_manager(series, user)
    (series,) = lock_series(series.id)
    if series.lifecycle == "cancelled":
        raise DomainError("This series is already cancelled.", code="series_cancelled")
    if series.status == "completed":
        raise DomainError("This series has finished.", code="series_completed")
    if not reason:
        raise InvalidInput("Say why, for the members.", fields={"reason": "A reason is required; members are told."})
    moment = now()
    log_action(series, "cancelled", user, from_status=series.lifecycle, to_status="cancelled", reason=reason)
    series.lifecycle, series.cancelled_at = "cancelled", moment
    for meeting in series.meetings:
        if meeting.status != "cancelled" and meeting.starts_at > moment:
            log_action(meeting, "cancelled", user, from_status=meeting.status, to_status="cancelled", reason=reason,
                       changes={"sequence": [meeting.sequence, meeting.sequence + 1]})
            meeting.status, meeting.cancel_reason = "cancelled", reason
            meeting.sequence += 1
    end_for_cancelled_series(series, user, reason)
    series_changed.send(series, change="cancelled", actor=user, reason=reason)
    db.session.commit()
    return series
