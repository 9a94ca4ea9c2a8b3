"""The outbox: every email the platform sends is written here once, then delivered."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import Model


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What makes a message unique (e.g. "reminder-24h:meeting-4:user-9"): writing it twice is a no-op.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    calendar_method: Mapped[str | None] = mapped_column(String(16))
    calendar_ics: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    # Delivery state: a worker claims a message until `claimed_until`, then marks it sent.
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # Given up on (a fault of the message itself, or too many attempts): never retried by itself,
    # listed for administrators at /admin/mail.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Notice(Model):
    """One event kept for a daily digest instead of an email of its own (a leader who chose a daily summary).

    `line` is what the event's own email would have said in its subject; the digest lists the lines
    and marks them sent (a conditional update, so two schedulers never send one twice).
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event's own email key: an event is kept once however often it is reported.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    line: Mapped[str] = mapped_column(String(300))
    # What the event is about (a series' title), for the digest's "why you get this" line.
    topic: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
