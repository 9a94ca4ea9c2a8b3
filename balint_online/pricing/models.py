"""Money that moved: payments received and refunds owed or paid, per application; complimentary membership offers."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import now
from ..core.types import Money, UTCDateTime
from ..extensions import db

PAYMENT_METHODS = {"cheque": "Cheque", "transfer": "Bank transfer", "card": "Card", "cash": "Cash",
                   "invoice": "Invoice", "other": "Other"}


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(200), default="")
    # A retried request carries the same key and records nothing new.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    provider: Mapped[str] = mapped_column(String(40), default="manual")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    application = relationship("Application", backref="payments")


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(40))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="due")  # due | paid
    acknowledged_on: Mapped[date]
    due_by: Mapped[date]
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_reference: Mapped[str] = mapped_column(String(200), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    application = relationship("Application", backref="refunds")


class MembershipOffer(db.Model):
    """The complimentary first year of membership, offered once per person after a series at a non-member rate."""

    __tablename__ = "membership_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a person is offered the free year once, however many schedulers run the job.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id", ondelete="SET NULL"))

    user = relationship("User")
    application = relationship("Application")
    membership = relationship("Membership")
