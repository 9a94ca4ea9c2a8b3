"""Money that moved: payments received and refunds owed or paid, per application; complimentary membership offers."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, and_, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import now
from ..core.labels import N_, LabelledStrEnum
from ..core.types import Money, StatusColumn, UTCDateTime
from ..extensions import Model

# Also printed on the receipt PDF, which stays English: pages translate them as they show them.
PAYMENT_METHODS = {"cheque": N_("Cheque"), "transfer": N_("Bank transfer"), "card": N_("Card"), "cash": N_("Cash"),
                   "invoice": N_("Invoice"), "other": N_("Other")}


class RefundStatus(LabelledStrEnum):
    """Where a refund owed stands. By hand: due, then paid. Through Stripe (pricing/card_refunds.py):
    due (being sent, retried while Stripe is unreachable), sent (Stripe accepted it), paid (Stripe
    confirmed it), or failed (Stripe refused it, or every retry failed: an administrator settles it)."""

    DUE = "due", _l("Owed")
    SENT = "sent", _l("Sent to the card")
    PAID = "paid", _l("Paid")
    FAILED = "failed", _l("Failed: to be paid by hand")


class PaymentStatus(LabelledStrEnum):
    """Where an application's money stands (pricing.services.payment_status); computed, never stored."""

    UNPAID = "unpaid", _l("Not paid yet")
    PART_PAID = "part-paid", _l("Part paid")
    PAID = "paid", _l("Paid")
    WAIVED = "waived", _l("Fee waived (scholarship)")
    REFUND_DUE = "refund-due", _l("Refund due")
    REFUNDED = "refunded", _l("Refunded")


# Still owed to the member: the money has not reached them (yet).
REFUNDS_OWED = frozenset({RefundStatus.DUE, RefundStatus.SENT, RefundStatus.FAILED})
# How a refund goes out (Refund.payout); "" until the card-refund job has looked at it.
PAYOUT_STRIPE = "stripe"
PAYOUT_BY_HAND = "hand"


class Payment(Model):
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


class Refund(Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(40))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[RefundStatus] = mapped_column(StatusColumn(RefundStatus, 10), default=RefundStatus.DUE)
    acknowledged_on: Mapped[date]
    due_by: Mapped[date]
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_reference: Mapped[str] = mapped_column(String(200), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # How it goes out: "" not yet decided, "stripe" onto the card payments, "hand" by an administrator.
    payout: Mapped[str] = mapped_column(String(10), default="")
    # Sending through Stripe: failed attempts in a row, when the next may be made, and the last error.
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")

    application = relationship("Application", backref="refunds")
    if TYPE_CHECKING:  # the backref RefundPayout declares (card_models.py)
        payouts: Mapped[list["RefundPayout"]]

    @hybrid_property
    def payable_by_hand(self) -> bool:
        """An administrator may mark it paid: due and not going out through Stripe, or failed there."""
        return self.status == RefundStatus.FAILED or (self.status == RefundStatus.DUE and self.payout != PAYOUT_STRIPE)

    @payable_by_hand.inplace.expression
    @classmethod
    def _payable_by_hand(cls):
        return or_(cls.status == RefundStatus.FAILED, and_(cls.status == RefundStatus.DUE, cls.payout != PAYOUT_STRIPE))


class MembershipOffer(Model):
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


from .card_models import CheckoutSession, RefundPayout, StripeEvent  # noqa: E402,F401  (registered with the schema)
