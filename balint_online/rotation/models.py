"""Presenting turns: who presents (or stands by as backup) at which meeting, and what shapes that plan.

- `PresenterTurn`: the announced rotation, written back after every recomputation.
- `MemberUnavailability`: meetings a member has said they cannot present at.
- `SwapRequest`: one member asking another to exchange presenting turns.
- `RotationEvent`: an append-only record of each change to a series' rotation (and of each change
  of roster the rotation could not follow); its id makes the notification keys exactly-once.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.clock import now
from ..core.labels import LabelledStrEnum
from ..core.types import StatusColumn, UTCDateTime
from ..extensions import Model
from ..series.models import Meeting, Series

CASE_TITLE_MAX = 80


class PresenterTurn(Model):
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


class MemberUnavailability(Model):
    """A meeting a member cannot present at (they may still attend)."""

    __tablename__ = "rotation_unavailability"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SwapStatus(LabelledStrEnum):
    PENDING = "pending", _l("Waiting for an answer")
    ACCEPTED = "accepted", _l("Accepted: the turns were swapped")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    REFUSED = "refused", _l("Could not be applied")


SWAP_STATUSES = SwapStatus.labels()


class SwapRequest(Model):
    """`requester` (presenting at `requester_meeting`) asks `partner` (presenting at `partner_meeting`) to swap."""

    __tablename__ = "rotation_swap_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    requester_meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    partner_meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[SwapStatus] = mapped_column(StatusColumn(SwapStatus, 16), default=SwapStatus.PENDING)
    # Why a request could not be applied (the engine's reason), when status is "refused".
    outcome: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[Series] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    partner: Mapped[User] = relationship(foreign_keys=[partner_id])
    requester_meeting: Mapped[Meeting] = relationship(foreign_keys=[requester_meeting_id])
    partner_meeting: Mapped[Meeting] = relationship(foreign_keys=[partner_meeting_id])

    @property
    def status_label(self) -> str:
        return str(self.status.label)


class RotationEvent(Model):
    """One recomputation, swap or move of a series' rotation, or a roster change it could not follow."""

    __tablename__ = "rotation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    # replanned | swapped | moved | infeasible | cleared
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")
    # [[meeting_id, user_id, "added" | "removed"], ...] as the engine reported them
    changes: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    actor: Mapped[User | None] = relationship()


class PlacementStatus(LabelledStrEnum):
    PENDING = "pending", _l("Waiting for the member's answer")
    ACCEPTED = "accepted", _l("Agreed: the turn is placed")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn")
    REFUSED = "refused", _l("Could not be placed")


PLACEMENT_STATUSES = PlacementStatus.labels()


class PlacementRequest(Model):
    """The leaders ask a member to present at a meeting the member marked unavailable.

    The turn is placed only when the member agrees (Planning Center's blockout warnings are the
    model: the leader is warned, then the member confirms).
    """

    __tablename__ = "rotation_placement_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[PlacementStatus] = mapped_column(StatusColumn(PlacementStatus, 16),
                                                    default=PlacementStatus.PENDING)
    outcome: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[Series] = relationship()
    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    @property
    def status_label(self) -> str:
        return str(self.status.label)


class RotationAnnouncement(Model):
    """A series' turns announced to its members, once, when they settle (the series is full, or its first meeting
    is a week away). The row is the claim: two schedulers cannot both insert it, so nobody is told twice."""

    __tablename__ = "rotation_announcements"

    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), primary_key=True)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class TurnsTold(Model):
    """What a member was last told of their own turns in a series, and when: the daily digest tells only what
    changed since, at most once a day (a conditional update of `told_at` claims each message)."""

    __tablename__ = "rotation_turns_told"
    __table_args__ = (UniqueConstraint("series_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # meeting ids the member was told they present at
    presenting: Mapped[list] = mapped_column(JSON, default=list)
    told_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
