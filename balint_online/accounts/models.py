"""People, their API tokens, password-reset links and society memberships."""

import hashlib
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import db

ROLES = ("member", "leader", "admin")
DISCIPLINES = {
    "physician": "Physician",
    "nurse_practitioner": "Nurse practitioner",
    "psychologist": "Psychologist",
    "social_worker": "Social worker",
    "counsellor": "Counsellor / therapist",
    "nurse": "Nurse",
    "physician_assistant": "Physician assistant",
    "veterinarian": "Veterinarian",
    "other": "Other",
}


def token_digest(token: str) -> str:
    """Secrets are stored only as digests, so a database leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint makes email unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    discipline: Mapped[str] = mapped_column(String(60), default="other")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Secret part of the personal calendar feed URL; replaced when the member resets it.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    # How meetings reach their calendar: a key of calendar.delivery.DELIVERY.
    calendar_delivery: Mapped[str] = mapped_column(String(16), default="invitations", server_default="invitations")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.expires_on"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_lead(self) -> bool:
        return self.role in ("leader", "admin")

    @property
    def discipline_label(self) -> str:
        return DISCIPLINES.get(self.discipline, self.discipline)

    def membership_on(self, day: date) -> "Membership | None":
        return next((m for m in self.memberships if m.covers(day)), None)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        token = cls(user=user, digest=token_digest(raw))
        db.session.add(token)
        return token, raw

    @classmethod
    def find_user(cls, raw: str) -> User | None:
        token = db.session.scalar(select(cls).where(cls.digest == token_digest(raw)))
        return token.user if token else None


class PasswordReset(db.Model):
    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


MEMBERSHIP_KINDS = {
    "society": "Society member",
    "other_society": "Member of another Balint society (member rate granted)",
    "complimentary": "Complimentary first-year membership",
}


class Membership(db.Model):
    """A period of membership; pricing asks whether one covers a given date."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="society")
    starts_on: Mapped[date | None]
    expires_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    user: Mapped[User] = relationship(back_populates="memberships")

    def covers(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and day <= self.expires_on

    @property
    def kind_label(self) -> str:
        return MEMBERSHIP_KINDS.get(self.kind, self.kind)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
