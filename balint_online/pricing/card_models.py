"""What card payments through Stripe leave behind: the Checkout Sessions members were sent to, the
Stripe refunds a refund is paid out by, and the webhook events already processed."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import now
from ..core.labels import N_
from ..core.types import Money, UTCDateTime
from ..extensions import Model


class CheckoutSession(Model):
    """A Stripe Checkout Session made for one application. Its payment is recorded only from Stripe's
    webhook; until then the member is told it is being confirmed."""

    __tablename__ = "checkout_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    stripe_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    url: Mapped[str] = mapped_column(Text, default="")
    # Stripe's words: status open | complete | expired; payment_status unpaid | paid (and ours: failed).
    status: Mapped[str] = mapped_column(String(20), default="open")
    payment_status: Mapped[str] = mapped_column(String(20), default="unpaid")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application = relationship("Application", backref="checkout_sessions")
    payment = relationship("Payment")

    @property
    def outcome(self) -> str:
        """What the member is told (CHECKOUT_OUTCOMES), from what Stripe's webhooks said so far."""
        if self.payment_id is not None:
            return "received"
        if self.payment_status == "failed" or self.status == "expired":
            return "not_paid"
        return "confirming"


CHECKOUT_OUTCOMES = {"received": N_("Payment received"), "not_paid": N_("The payment did not go through"),
                     "confirming": N_("Payment being confirmed")}


class RefundPayout(Model):
    """The part of a refund paid back onto one card payment (one Stripe refund on its PaymentIntent).

    The idempotency key is fixed when the payout is planned, so a retry after a timeout or an outage
    asks Stripe for the same refund again and never refunds twice.
    """

    __tablename__ = "refund_payouts"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Stripe's refund status (pending, requires_action, succeeded, failed, canceled); "" before it is sent.
    status: Mapped[str] = mapped_column(String(20), default="")
    failure_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    refund = relationship("Refund", backref="payouts")
    payment = relationship("Payment")


class StripeEvent(Model):
    """A webhook event processed: Stripe delivers at least once, so each id is acted on once."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
