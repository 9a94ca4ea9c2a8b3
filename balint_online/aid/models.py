"""Financial aid programmes (for one series, or society-wide) and members' applications to them."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.clock import now
from ..core.types import Money, StatusColumn, UTCDateTime
from ..extensions import Model
from ..series.models import Series
from .rules import KINDS, AidStatus, Criterion


class AidProgramme(Model):
    __tablename__ = "aid_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the society's programme, open to every series (its limit counts per series).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # The society's own words about the programme, shown to applicants as written.
    description: Mapped[str] = mapped_column(Text, default="")
    max_awards: Mapped[int | None]
    # [Criterion.to_json(), ...]: anyone fitting one of them may apply; empty: anyone registered.
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    # Inclusive, in the series' zone.
    deadline: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    series: Mapped[Series | None] = relationship()

    @property
    def kind_label(self) -> str:
        return _(KINDS[self.kind]) if self.kind in KINDS else self.kind

    @property
    def criterion_list(self) -> tuple[Criterion, ...]:
        return tuple(Criterion.from_json(c) for c in self.criteria or ())

    def applies_to(self, series_id: int) -> bool:
        return self.series_id is None or self.series_id == series_id


class AidApplication(Model):
    __tablename__ = "aid_applications"
    # One application per registration and programme.
    __table_args__ = (UniqueConstraint("programme_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("aid_programmes.id", ondelete="CASCADE"), index=True)
    # The registration it is for; the series is kept too, because a society-wide limit counts per series.
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    training_status: Mapped[str] = mapped_column(String(20))
    specialty: Mapped[str] = mapped_column(String(40), default="")
    statement: Mapped[str] = mapped_column(String(1200))
    status: Mapped[AidStatus] = mapped_column(StatusColumn(AidStatus, 12), default=AidStatus.SUBMITTED)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    decision_note: Mapped[str] = mapped_column(String(1000), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    programme: Mapped[AidProgramme] = relationship()
    application = relationship("Application")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def status_label(self) -> str:
        return _(self.status.label)
