"""Presenting turns: who presents (or stands by as backup) at which meeting."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import db
from ..series.models import Meeting

TURN_ROLES = ("presenter", "backup")


class PresenterTurn(db.Model):
    __tablename__ = "presenter_turns"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="presenter")
    # Optional, chosen by the presenter: a short title with nothing that could identify a patient.
    case_title: Mapped[str] = mapped_column(String(80), default="")
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship()
