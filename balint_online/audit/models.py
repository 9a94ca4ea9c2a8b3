"""The audit log's one table. Rows are only ever added."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import Model

# What the log speaks of, by table: the name an entry gives its object.
OBJECT_TYPES = {"series": "series", "meetings": "meeting", "applications": "application", "payments": "payment",
                "refunds": "refund", "memberships": "membership", "users": "person",
                "erasure_requests": "erasure request", "invoices": "invoice", "credit_notes": "credit_note"}


class AuditEntry(Model):
    """One thing someone (or the system: no actor) did to one object, with who, when, why, and the
    values that changed ({"field": [before, after]}). Append-only."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    # Where the object belongs, so that a series' leaders see its whole log and a person's record theirs.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    person: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def by(self) -> str:
        return self.actor.shown_in_records if self.actor else _("system")

    @property
    def what(self) -> str:
        """The object in words: "application 12 (Jo Member)"; ids are the ones the API and pages use."""
        kind = "series" if self.object_type == "series" else self.object_type
        return f"{kind} {self.object_id}" + (f" ({self.person.shown_in_records})" if self.person is not None else "")

    @property
    def changed(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every value the action changed, statuses first."""
        rows = [("status", self.from_status, self.to_status)] if self.from_status or self.to_status else []
        return rows + [(name, pair[0], pair[1]) for name, pair in (self.changes or {}).items()]


# The one exception, below the ORM: erasing a person (privacy/erasure.py) replaces their name and
# address in entries' texts by a pseudonym and drops the reasons they wrote; no entry is added or removed.
@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(mapper, connection, target):
    raise RuntimeError("The audit log is append-only.")
