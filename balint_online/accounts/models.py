"""People, their API tokens, password-reset links and society memberships."""

import hashlib
import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import Model, db

ROLES = ("member", "leader", "admin")
# The roles that may create and lead a series.
LEADING_ROLES = ("leader", "admin")
# An erased person's address is "<pseudonym>@" this domain: reserved (RFC 2606), so it can never be delivered.
ERASED_EMAIL_DOMAIN = "erased.invalid"
DISCIPLINES = {
    # People's words, in the reader's language (lazy); the keys are what is stored.
    "physician": _l("Physician"),
    "nurse_practitioner": _l("Nurse practitioner"),
    "psychologist": _l("Psychologist"),
    "social_worker": _l("Social worker"),
    "counsellor": _l("Counsellor / therapist"),
    "nurse": _l("Nurse"),
    "physician_assistant": _l("Physician assistant"),
    "veterinarian": _l("Veterinarian"),
    "other": _l("Other"),
}


def token_digest(token: str) -> str:
    """Secrets are stored only as digests, so a database leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, Model):
    __tablename__ = "users"
    # People by name: the admins' search walks it to fill a page (admin.services.search_people).
    __table_args__ = (Index("ix_users_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint makes email unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    discipline: Mapped[str] = mapped_column(String(60), default="other")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The language pages and emails are written in (a key of core.i18n.LANGUAGES); None: as the browser asks.
    language: Mapped[str | None] = mapped_column(String(8))
    # Secret part of the personal calendar feed URL; replaced when the member resets it.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    # How meetings reach their calendar: a key of calendar.delivery.DELIVERY.
    calendar_delivery: Mapped[str] = mapped_column(String(16), default="invitations", server_default="invitations")
    # Moved with every change the personal feed shows (calendar.versions), so a poll reads this row only.
    # A leader's news of applications and withdrawals: "each" (an email per event) or "daily" (one digest a day).
    leader_mail: Mapped[str] = mapped_column(String(8), default="each", server_default="each")
    feed_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    feed_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A leader's professional background in a few lines, shown on the public pages of the series they lead.
    background: Mapped[str] = mapped_column(String(600), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.expires_on"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_lead(self) -> bool:
        return self.role in LEADING_ROLES

    @property
    def is_erased(self) -> bool:
        return self.email.endswith("@" + ERASED_EMAIL_DOMAIN)

    @property
    def shown_in_records(self) -> str:
        """The name records show: an erased person's pseudonym ("member-3fa9c2d1e0"), so that entries
        about one erased person still read as one person without naming them."""
        return self.email.partition("@")[0] if self.is_erased else self.name

    @property
    def discipline_label(self) -> str:
        return str(DISCIPLINES.get(self.discipline, self.discipline))

    def membership_on(self, day: date) -> "Membership | None":
        return next((m for m in self.memberships if m.covers(day)), None)

    # Flask-Login keeps get_id() in the session and the remember-me cookie. It names the sign-in
    # record (accounts/signins.py), not the person, so that ending the record ends both.
    # Not a column: typed for mypy only, since the ORM would map an annotation in the class body.
    if TYPE_CHECKING:
        sign_in_key: str | None
        along: Mapping[str, Any]
    sign_in_key = None
    # What other features read along with the sign-in (accounts/signins.py `read_along`); none otherwise.
    along = MappingProxyType({})

    def get_id(self) -> str | None:
        return self.sign_in_key

    # UserMixin compares people by get_id(), which now names a sign-in (None for anyone not
    # signed in): compare by identity, as the session's identity map keeps one object per row.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(Model):
    """A bearer token for the API: named, expiring, revocable; only its digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    # last_used_at is written at most this often: one UPDATE a minute per busy token, not one per request.
    USE_RECORDED_EVERY = timedelta(minutes=1)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()

    @classmethod
    def issue(cls, user: User, *, name: str = "", days: int | None = None) -> tuple["ApiToken", str]:
        """A new token (the raw value is returned once, never stored); the caller commits."""
        raw = secrets.token_urlsafe(32)
        days = current_app.config["API_TOKEN_DAYS"] if days is None else days
        moment = now()
        token = cls(user=user, digest=token_digest(raw), name=name.strip()[:80], created_at=moment,
                    expires_at=moment + timedelta(days=days))
        db.session.add(token)
        return token, raw

    @classmethod
    def find_user(cls, raw: str) -> User | None:
        """The owner of a live token, recording its use."""
        token = db.session.scalar(select(cls).where(cls.digest == token_digest(raw)))
        if token is None or not token.is_live:
            return None
        moment = now()
        if token.last_used_at is None or token.last_used_at + cls.USE_RECORDED_EVERY <= moment:
            token.last_used_at = moment
            # Its own unit of work, on purpose: the use is recorded even by a request that saves nothing.
            db.session.commit()
        return token.user


class SignIn(Model):
    """One signed-in browser. Server-side, so that one sign-out ends just that browser's session."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The absolute lifetime: however active the browser, the sign-in ends then.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PasswordReset(Model):
    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


MEMBERSHIP_KINDS = {
    "society": _l("Society member"),
    "other_society": _l("Member of another Balint society (member rate granted)"),
    "complimentary": _l("Complimentary first-year membership"),
}


class Membership(Model):
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
        return str(MEMBERSHIP_KINDS.get(self.kind, self.kind))


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
