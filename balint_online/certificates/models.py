"""Credit settings of a series and the certificates issued for it."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import Model
from ..series.models import Series


class SeriesCredit(Model):
    __tablename__ = "series_credits"

    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), primary_key=True)
    minutes_per_meeting: Mapped[int]
    min_meetings: Mapped[int]
    # One accreditation statement per line, printed as written, for everyone (used when no credit lines are set).
    statements: Mapped[str] = mapped_column(Text, default="")
    # How late an arrival, or how early a departure, still counts as the whole meeting.
    grace_minutes: Mapped[int] = mapped_column(default=10, server_default="10")

    series: Mapped[Series] = relationship()
    lines: Mapped[list["SeriesCreditLine"]] = relationship(
        primaryjoin="SeriesCredit.series_id == foreign(SeriesCreditLine.series_id)", order_by="SeriesCreditLine.id",
        viewonly=True)

    @property
    def statement_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.statements.splitlines() if line.strip())


class SeriesCreditLine(Model):
    """One accrediting body's credit for a series, and the disciplines it is for."""

    __tablename__ = "series_credit_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(20))  # a key of rules.BODIES
    credit_type: Mapped[str] = mapped_column(String(120))
    # Hundredths of a credit (19.25 -> 1925); None where the body states no figure.
    amount_hundredths: Mapped[int | None]
    disciplines: Mapped[list] = mapped_column(JSON, default=list)
    statement: Mapped[str] = mapped_column(Text, default="")

    @property
    def amount(self) -> Decimal | None:
        if self.amount_hundredths is None:
            return None
        return (Decimal(self.amount_hundredths) / 100).quantize(Decimal("0.01"))


class Certificate(Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The printed facts (rules.CertificateFacts as JSON), fixed at issue so a download never changes.
    facts: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when a reissue replaces this certificate; the newest one is the valid one.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[Series] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
