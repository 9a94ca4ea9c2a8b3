"""Accounts: creating people, signing in, password resets, memberships."""

import secrets
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.clock import now
from ..core.errors import DomainError, InvalidInput
from ..core.text import one_line
from ..extensions import db
from ..series.scheduling import SchedulingError, zone
from .models import DISCIPLINES, ROLES, Membership, PasswordReset, User, find_user_by_email, token_digest

MIN_PASSWORD = 10
# Checked against when the email is unknown, so that sign-in takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-password")


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def check_new_password(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > 200:
        return "Use at most 200 characters."
    return None


def create_user(*, email: str, name: str, password: str, role: str = "member", timezone: str = "UTC",
                discipline: str = "other", member_until: date | None = None) -> User:
    errors = {}
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    if not name or len(name) > 120:
        errors["name"] = "Enter your name (at most 120 characters)."
    if problem := check_new_password(password or ""):
        errors["password"] = problem
    if role not in ROLES:
        errors["role"] = f"Must be one of: {', '.join(ROLES)}."
    if discipline not in DISCIPLINES:
        errors["discipline"] = f"Must be one of: {', '.join(DISCIPLINES)}."
    try:
        zone(timezone)
    except SchedulingError as exc:
        errors["timezone"] = exc.message
    if errors:
        raise InvalidInput("The account could not be created.", fields=errors)
    if find_user_by_email(email):
        raise DomainError(f"An account for {email} exists already.", code="email_taken", fields={"email": "An account with this email exists already: sign in, or reset your password."})
    user = User(email=email, name=one_line(name), password_hash=hash_password(password), role=role,
                timezone=timezone, discipline=discipline)
    if member_until:
        user.memberships.append(Membership(kind="society", expires_on=member_until))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent sign-up with the same email won the race
        db.session.rollback()
        raise DomainError(f"An account for {email} exists already.", code="email_taken") from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def start_password_reset(email: str) -> None:
    """Email a single-use, expiring link if the account exists; say nothing either way."""
    from ..notifications.services import queue_email

    user = find_user_by_email(email or "")
    if user is None:
        return
    raw = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    reset = PasswordReset(user=user, digest=token_digest(raw), expires_at=now() + timedelta(hours=hours))
    db.session.add(reset)
    db.session.flush()
    queue_email(key=f"password-reset:{reset.id}", kind="password_reset", user=user,
                context={"link": url_for("accounts.reset_password", token=raw, _external=True), "hours": hours})
    db.session.commit()


def find_reset(raw: str) -> PasswordReset | None:
    reset = db.session.query(PasswordReset).filter_by(digest=token_digest(raw or "")).one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now():
        return None
    return reset


def complete_password_reset(raw: str, password: str) -> User:
    reset = find_reset(raw)
    if reset is None:
        raise DomainError("This reset link has expired or was used already; ask for a new one.", code="reset_invalid")
    if problem := check_new_password(password):
        raise InvalidInput(problem, fields={"password": problem})
    reset.used_at = now()
    reset.user.password_hash = hash_password(password)
    db.session.commit()
    return reset.user


def set_membership(user: User, *, expires_on: date, kind: str = "society", starts_on: date | None = None,
                   note: str = "") -> Membership:
    membership = Membership(user=user, kind=kind, starts_on=starts_on, expires_on=expires_on, note=note)
    db.session.add(membership)
    db.session.commit()
    return membership


def is_member_on(user: User, day: date) -> bool:
    return user.membership_on(day) is not None
