"""A series of meetings with its leaders, schedule and terms."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..accounts.models import User
from ..core.clock import now, today_in
from ..core.labels import LabelledStrEnum
from ..core.types import Money, StatusColumn, UTCDateTime
from ..extensions import Model, db
from .scheduling import SeriesStatus, registration_open, series_state

series_leaders = Table(
    "series_leaders",
    db.Model.metadata,
    Column("series_id", ForeignKey("series.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)



class MeetingStatus(LabelledStrEnum):
    SCHEDULED = "scheduled", _l("Scheduled")
    CANCELLED = "cancelled", _l("Cancelled")

class Series(Model):
    __tablename__ = "series"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    # The first meeting's wall-clock time in the series' zone; every meeting keeps the time of day.
    first_meeting_local: Mapped[datetime]
    meeting_count: Mapped[int] = mapped_column(default=8)
    interval_weeks: Mapped[int] = mapped_column(default=1)
    duration_minutes: Mapped[int] = mapped_column(default=90)
    capacity: Mapped[int] = mapped_column(default=8)
    # Enrolled members; raised only by a conditional update so that concurrent accepts never oversell.
    seats_taken: Mapped[int] = mapped_column(default=0)
    presenters_per_meeting: Mapped[int] = mapped_column(default=1)
    video_provider: Mapped[str] = mapped_column(String(32), default="jitsi")
    currency: Mapped[str] = mapped_column(String(3))
    # The price table as the API writes it: {"member": {"early": "750.00", "regular": "875.00"}, ...}.
    prices: Mapped[dict] = mapped_column(JSON, default=dict)
    early_bird_deadline: Mapped[date | None]
    # Last day (inclusive, in the series' zone) on which applications are taken.
    registration_deadline: Mapped[date | None]
    cancellation_deadline: Mapped[date | None]
    cancellation_fee: Mapped[Decimal] = mapped_column(Money, default=Decimal("100.00"))
    skip_dates: Mapped[list] = mapped_column(JSON, default=list)
    # The tzdata release the meetings' instants were computed with (core/zones.RULES_VERSION):
    # when the pinned rules change, series/rezone.py re-plans the meetings still to come.
    rules_version: Mapped[str | None] = mapped_column(String(16))
    offer_hours: Mapped[int] = mapped_column(default=48)
    # draft | published | cancelled; what people see (open, full, running...) is derived.
    lifecycle: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The first live meeting's start, for a list that loads no meetings: set only by a query that asks
    # (series.services.open_series_query), None otherwise. `first_start` reads the loaded meetings.
    first_live_start: Mapped[datetime | None] = query_expression()

    leaders: Mapped[list[User]] = relationship(secondary=series_leaders, order_by=User.name)
    meetings: Mapped[list["Meeting"]] = relationship(
        back_populates="series", order_by="Meeting.number", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def live_meetings(self) -> list["Meeting"]:
        return [m for m in self.meetings if m.status != "cancelled"]

    @property
    def first_start(self) -> datetime | None:
        live = self.live_meetings
        return min(m.starts_at for m in live) if live else None

    @property
    def last_end(self) -> datetime | None:
        live = self.live_meetings
        return max(m.ends_at for m in live) if live else None

    def status_at(self, instant: datetime) -> SeriesStatus:
        return series_state(self.lifecycle, instant, self.first_start, self.last_end, self.seats_left)

    @property
    def status(self) -> SeriesStatus:
        return self.status_at(now())

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def registration_closed(self) -> bool:
        """Past the registration deadline's day in the series' zone."""
        return not registration_open(today_in(self.timezone), self.registration_deadline)

    def is_led_by(self, user) -> bool:
        return user is not None and any(leader.id == user.id for leader in self.leaders)

    def can_manage(self, user) -> bool:
        return user is not None and (getattr(user, "is_admin", False) or self.is_led_by(user))

    @property
    def skip_date_values(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(d) for d in self.skip_dates or ())

    def __repr__(self) -> str:
        return f"<Series {self.id} {self.title!r}>"


class Meeting(Model):
    """One meeting of a series. Not called Session: that name belongs to SQLAlchemy and Flask."""

    __tablename__ = "meetings"
    # (series_id, starts_at): a series' first meeting in one probe (the catalogue, series.services.open_series_query).
    __table_args__ = (
        UniqueConstraint("series_id", "number"),
        Index("ix_meetings_series_id_starts_at", "series_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The start as the group's clock shows it, naive in the series' zone: the instant follows
    # from it and the zone rules, so a change of rules can re-plan it (series/rezone.py).
    local_start: Mapped[datetime | None]
    # Its place on the series' weekly cadence (naive local), fixed when first planned: the
    # RECURRENCE-ID of this meeting in calendars, so it stays when the meeting moves.
    slot: Mapped[datetime | None]
    status: Mapped[MeetingStatus] = mapped_column(StatusColumn(MeetingStatus, 16), default=MeetingStatus.SCHEDULED)
    # Raised on every change people's calendars must follow (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # The leaders' override of the series' presenters per meeting (two presenters at one meeting).
    presenter_count: Mapped[int | None]
    # The provider's room (video.providers.Room.to_dict()), once provisioned; never holds secrets.
    video_room: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    series: Mapped[Series] = relationship(back_populates="meetings")

    @property
    def presenters_here(self) -> int:
        return self.presenter_count or self.series.presenters_per_meeting

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def __repr__(self) -> str:
        return f"<Meeting {self.id} #{self.number} of series {self.series_id}>"
