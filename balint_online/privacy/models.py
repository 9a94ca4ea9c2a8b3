"""Members' requests to have their personal data erased, and what an administrator decided."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.clock import now
from ..core.labels import LabelledStrEnum
from ..core.types import StatusColumn, UTCDateTime
from ..extensions import Model


class ErasureStatus(LabelledStrEnum):
    PENDING = "pending", _l("Waiting for an administrator")
    REFUSED = "refused", _l("Refused")
    DONE = "done", _l("Erased")


ERASURE_STATUSES = ErasureStatus.labels()


class ErasureRequest(Model):
    __tablename__ = "erasure_requests"
    __table_args__ = (
        # One open request per person, however often the form is sent.
        Index("uq_erasure_requests_pending_per_person", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The account stays (anonymised) after erasure, so the request stays linked to it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ErasureStatus] = mapped_column(StatusColumn(ErasureStatus, 10), default=ErasureStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Why an administrator refused, shown to the member.
    reason: Mapped[str] = mapped_column(String(1000), default="")
    # The name records give the person once erased ("member-3fa9c2d1e0").
    pseudonym: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return self.status.label
