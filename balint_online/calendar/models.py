"""What each person's calendar has been sent: the SEQUENCE of every series object, per person."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import Model


class CalendarSequence(Model):
    """The SEQUENCE last given to one person's copy of one series' calendar object.

    Raised by one before every change their calendar must follow and never lowered, so each
    message outranks everything sent before it: a re-enrolment's REQUEST is above the CANCEL of
    the withdrawal, whatever happened to the meetings in between (RFC 5546 2.1.5).
    """

    __tablename__ = "calendar_sequences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), primary_key=True)
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
