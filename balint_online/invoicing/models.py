"""Invoices and credit notes as issued, their numbering counters, and the payer's billing details.

An issued document is a snapshot of everything printed on it and is never changed: a correction is
a credit note (and, for a new payer, a new invoice). Documents outlive the application they were
issued for (tax records): its deletion leaves them with their snapshot and no application.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, backref, mapped_column, object_session, relationship

from ..core.clock import now
from ..core.types import Money, UTCDateTime
from ..extensions import Model


class DocumentCounter(Model):
    """The last number given in one series of documents ("invoice", "credit_note") in one year.

    Incremented in the transaction that issues the document, so the row stays locked until that
    transaction ends: numbers are handed out one after another, and a rolled-back issue gives its
    number back (no gaps)."""

    __tablename__ = "document_counters"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class BillingDetails(Model):
    """Who pays for one application when it is not the member alone: their organisation, its address,
    purchase-order reference and tax id. Printed on the invoice issued after they are given."""

    __tablename__ = "billing_details"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    po_reference: Mapped[str] = mapped_column(String(100), default="")
    tax_id: Mapped[str] = mapped_column(String(50), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class _Issued:
    """What every issued document records: its number, when, and the society as it then described itself."""

    number: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    issued_on: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    society_name: Mapped[str] = mapped_column(String(200))
    society_address: Mapped[str] = mapped_column(String(1000), default="")
    society_tax_id: Mapped[str] = mapped_column(String(100), default="")
    society_registration: Mapped[str] = mapped_column(String(200), default="")
    society_tax_note: Mapped[str] = mapped_column(String(500), default="")


class Invoice(_Issued, Model):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"), index=True)
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_email: Mapped[str] = mapped_column(String(320))
    payer_organisation: Mapped[str] = mapped_column(String(200), default="")
    payer_address: Mapped[str] = mapped_column(String(500), default="")
    payer_po_reference: Mapped[str] = mapped_column(String(100), default="")
    payer_tax_id: Mapped[str] = mapped_column(String(50), default="")
    # What the fee is for (the group, its leaders and dates), as worded on the day of issue.
    description: Mapped[str] = mapped_column(String(1000))
    lines: Mapped[list] = mapped_column(JSON)  # [{"label", "amount"}], amounts as "875.00"
    total: Mapped[Decimal] = mapped_column(Money)
    payment_instructions: Mapped[str] = mapped_column(Text, default="")
    # The invoice this one replaced when the payer changed (that one is credited in full).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))

    # The database unlinks invoices from a deleted application (ON DELETE SET NULL): the session never
    # updates an issued invoice, even one it has loaded.
    application = relationship("Application", backref=backref("invoices", passive_deletes="all"))
    replaces: Mapped["Invoice | None"] = relationship(remote_side=[id])
    credit_notes: Mapped[list["CreditNote"]] = relationship(back_populates="invoice", order_by="CreditNote.id")

    @property
    def items(self) -> list[tuple[str, Decimal]]:
        """The lines as (label, amount)."""
        return [(line["label"], Decimal(line["amount"])) for line in self.lines]

    @property
    def credited(self) -> Decimal:
        return sum((c.amount for c in self.credit_notes), Decimal("0.00"))


class CreditNote(_Issued, Model):
    """Part or all of an invoice taken back: a refund owed, a fee waived, a place that ended, a new payer."""

    __tablename__ = "credit_notes"
    __table_args__ = (UniqueConstraint("year", "sequence"),
                      CheckConstraint("amount > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(40))  # a key of rules.CREDIT_REASONS
    reason_text: Mapped[str] = mapped_column(String(300))
    # The refund this credit note accompanies, when money is owed back.
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"))

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")
    refund = relationship("Refund")

    @property
    def application(self):
        return self.invoice.application


@event.listens_for(Invoice, "before_update")
@event.listens_for(CreditNote, "before_update")
def _issued_documents_never_change(mapper, connection, target):
    # A credit note added to an invoice's collection marks the invoice dirty without changing it.
    session = object_session(target)
    assert session is not None  # it is being flushed
    if session.is_modified(target, include_collections=False):
        raise RuntimeError("An issued document is never changed; issue a credit note instead.")
