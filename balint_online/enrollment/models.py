"""Applications to a series and the attestation text they agreed to (their history is in the audit log)."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..audit.models import AuditEntry
from ..core.clock import now
from ..core.labels import LabelledStrEnum
from ..core.pricecategories import CLAIMS, Claim
from ..core.types import Money, StatusColumn, UTCDateTime
from ..extensions import Model
from ..series.models import Series
from .attestation import items_of

if TYPE_CHECKING:  # the models whose backrefs (below) higher layers add to Application
    from ..invoicing.models import Invoice
    from ..pricing.models import Payment, Refund

# An application holding (or queueing for) a place; a person has at most one per series.
LIVE_STATUSES = ("pending", "waitlisted", "offered", "enrolled")
# Statuses that occupy a seat (an offer reserves its seat until taken up or lapsed).
SEATED_STATUSES = ("offered", "enrolled")


class ApplicationStatus(LabelledStrEnum):
    """Where an application stands (its code is stored and is the API's)."""

    PENDING = "pending", _l("Awaiting the leaders' decision")
    WAITLISTED = "waitlisted", _l("On the waiting list")
    OFFERED = "offered", _l("Offered a place")
    ENROLLED = "enrolled", _l("Enrolled")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    OFFER_EXPIRED = "offer_expired", _l("Offer lapsed")
    CANCELLED = "cancelled", _l("Series cancelled by the society")


STATUS_LABELS = ApplicationStatus.labels()
_LIVE_SQL = "status IN ('pending', 'waitlisted', 'offered', 'enrolled')"


class AttestationText(Model):
    """The exact wording an applicant saw; never edited once stored (an admin's edit is a new version)."""

    __tablename__ = "attestation_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    intro: Mapped[str] = mapped_column(Text)
    # [{"key", "text", "required", "contact"}, ...]; versions before admins could edit: [[key, text], ...]
    items: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The admin who wrote this version; None for the built-in wording.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()

    @property
    def item_list(self):
        return items_of(self.items)


class Application(Model):
    __tablename__ = "applications"
    __table_args__ = (
        # Enforced by the database, so two concurrent requests cannot both create a live application.
        Index("uq_applications_live_per_person", "series_id", "user_id", unique=True,
              sqlite_where=text(_LIVE_SQL), postgresql_where=text(_LIVE_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(StatusColumn(ApplicationStatus, 20),
                                                      default=ApplicationStatus.PENDING)
    # What the applicant said of themselves that the price depends on: keys of core.pricecategories.CLAIMS.
    claims: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(1000), default="")
    attestation_text_id: Mapped[int] = mapped_column(ForeignKey("attestation_texts.id"))
    attestation_answers: Mapped[dict] = mapped_column(JSON)
    attested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The quote as shown when they applied: the price is locked then.
    quote: Mapped[dict] = mapped_column(JSON)
    price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    scholarship: Mapped[bool] = mapped_column(Boolean, default=False)
    # The aid programme whose award waived the fee, by its name then (what its invoices print);
    # None when an administrator's scholarship waived it.
    waived_by: Mapped[str | None] = mapped_column(String(200))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    took_offer: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(1000), default="")

    series: Mapped[Series] = relationship()
    user: Mapped[User] = relationship()
    attestation_text: Mapped[AttestationText] = relationship()
    # Everything logged about the application, its payments and refunds, oldest first.
    history: Mapped[list[AuditEntry]] = relationship(order_by=AuditEntry.id, viewonly=True)
    if TYPE_CHECKING:  # backrefs the pricing and invoicing models declare
        payments: Mapped[list[Payment]]
        refunds: Mapped[list[Refund]]
        invoices: Mapped[list[Invoice]]

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def history_for(self, viewer) -> list["AuditEntry"]:
        """The history as `viewer` may see it: money between the member and the society (payments,
        refunds, a scholarship and the administrator's reasons for it) is for administrators and
        the member's own invoice only, never for the group's leaders."""
        if getattr(viewer, "is_admin", False):
            return list(self.history)
        return [e for e in self.history if e.action not in ADMIN_ONLY_ACTIONS]

    @property
    def amount_due(self) -> Decimal:
        return Decimal("0.00") if self.scholarship else self.price

    @property
    def claim_answers(self) -> list[tuple[Claim, bool]]:
        """Every claim an applicant may make, with whether this one made it."""
        return claim_answers(self.claims)

    @property
    def status_label(self) -> str:
        return str(self.status.label)  # in the reader's language, as plain text (JSON and exports take it)

    @property
    def attestation_record(self) -> list[tuple]:
        """(the item exactly as shown, the answer) for every item of the version agreed to."""
        return [(item, self.attestation_answers.get(item.key) is True) for item in self.attestation_text.item_list]


def claim_answers(claims: list) -> list[tuple[Claim, bool]]:
    """Every claim an applicant may make, with whether `claims` (an application's) holds it."""
    return [(claim, claim.key in claims) for claim in CLAIMS]


# History entries about money and need: shown to administrators only (Application.history_for).
ADMIN_ONLY_ACTIONS = frozenset({"payment_recorded", "refund_paid", "scholarship_granted", "complimentary_membership",
                                "refund_owed", "aid_awarded", "aid_declined", "invoice_issued", "credit_note_issued",
                                "payer_changed"})
