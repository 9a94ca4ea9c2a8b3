"""Video rooms' provisioning state, people's personal links, and attendance."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.clock import now
from ..core.labels import LabelledStrEnum
from ..core.types import StatusColumn, UTCDateTime
from ..extensions import Model
from ..series.models import Meeting


class AttendanceStatus(LabelledStrEnum):
    """What a leader confirmed of a member at a meeting."""

    PRESENT = "present", _l("Present")
    ABSENT = "absent", _l("Absent")
    EXCUSED = "excused", _l("Excused")


ATTENDANCE_STATUSES = AttendanceStatus.labels()


class VideoProvisioning(Model):
    """Where the scheduler stands with one meeting's room at its provider.

    A row is claimed (claimed_until) before anyone calls the provider, with a conditional
    UPDATE, so two schedulers never create two rooms for one meeting.
    """

    __tablename__ = "video_provisioning"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    # The provider's id of the room now stored on the meeting: webhooks name meetings by it.
    room_external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    # The start the provider's room was made or moved for; differing from the meeting's means "update".
    room_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed attempts in a row, and when the next may be made (back-off).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str] = mapped_column(String(600), default="")
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class VideoCircuit(Model):
    """One provider's circuit breaker, shared by every process serving the way in.

    After CIRCUIT_FAILURES failed calls in a row at the door, the circuit opens until
    `open_until`: joins are answered "try again in a minute" at once instead of each waiting
    on a provider that is not answering. The first call after that goes through; success closes
    the circuit, failure opens it again.
    """

    __tablename__ = "video_circuits"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    open_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(600), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class VideoLink(Model):
    """A person's own link into a room, kept where asking for it costs a provider call (Zoom registrants).

    Shown to nobody but that person, at join time. Tied to the room's external id, so a room made
    afresh at the provider gets fresh links.
    """

    __tablename__ = "video_links"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    room_external_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Attendance(Model):
    """Who came to a meeting: what the platform and the provider saw, and what the leaders confirmed."""

    __tablename__ = "video_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # First time they went through the platform's join link.
    first_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # From the provider's webhooks: first arrival in the room, last departure.
    provider_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Confirmed by a leader: present | absent | excused; None until then.
    status: Mapped[AttendanceStatus | None] = mapped_column(StatusColumn(AttendanceStatus, 10))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def seen(self) -> bool:
        """The platform or the provider saw them enter."""
        return self.first_entered_at is not None or self.provider_joined_at is not None
