"""Accounts: creating people, signing in, password resets, memberships."""

import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.clock import now
from ..core.errors import DomainError, InvalidInput
from ..core.i18n import known_language
from ..core.text import one_line
from ..core.urls import absolute_url
from ..core.zonerules import SchedulingError, zone
from ..extensions import db
from ..notifications.services import queue_email
from .models import DISCIPLINES, ROLES, ApiToken, Membership, PasswordReset, User, find_user_by_email, token_digest
from .signins import end_everywhere

MIN_PASSWORD = 10


def _hash(password: str, method: str | None) -> str:
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


@cache
def _dummy_hash(method: str | None) -> str:
    """Checked against when the email is unknown, so that sign-in takes as long either way: of the
    configured kind, made on first use (a tenth of a second that every process start paid before)."""
    return _hash("not-a-password", method)


def hash_password(password: str) -> str:
    return _hash(password, current_app.config.get("PASSWORD_HASH_METHOD"))


def check_new_password(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return _("Use at least %(num)d characters.", num=MIN_PASSWORD)
    if len(password) > 200:
        return _("Use at most %(num)d characters.", num=200)
    return None


def _account_problems(*, email: str, name: str, role: str, timezone: str, discipline: str) -> dict[str, str]:
    errors = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = _("Enter a valid email address.")
    if not name or len(name) > 120:
        errors["name"] = _("Enter your name (at most %(num)d characters).", num=120)
    if role not in ROLES:
        errors["role"] = f"Must be one of: {', '.join(ROLES)}."
    if discipline not in DISCIPLINES:
        errors["discipline"] = f"Must be one of: {', '.join(DISCIPLINES)}."
    try:
        zone(timezone)
    except SchedulingError as exc:
        errors["timezone"] = exc.message
    return errors


def create_user(*, email: str, name: str, password: str, role: str = "member", timezone: str = "UTC",
                discipline: str = "other", member_until: date | None = None, language: str | None = None) -> User:
    email = (email or "").strip().lower()
    errors = _account_problems(email=email, name=name, role=role, timezone=timezone, discipline=discipline)
    if problem := check_new_password(password or ""):
        errors["password"] = problem
    if errors:
        raise InvalidInput(_("The account could not be created."), fields=errors)
    if find_user_by_email(email):
        raise DomainError(_("An account for %(email)s exists already.", email=email), code="email_taken", fields={
            "email": _("An account with this email exists already: sign in, or reset your password.")})
    user = User(email=email, name=one_line(name), password_hash=hash_password(password), role=role,
                timezone=timezone, discipline=discipline, language=known_language(language))
    if member_until:
        user.memberships.append(Membership(kind="society", expires_on=member_until))
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:  # a concurrent sign-up with the same email won the race
        raise DomainError(_("An account for %(email)s exists already.", email=email), code="email_taken") from exc
    return user


def _sign_up_serializer() -> URLSafeTimedSerializer:
    if current_app.secret_key is None:  # create_app always sets one; the serializer cannot sign without it
        raise RuntimeError("SECRET_KEY is not set")
    return URLSafeTimedSerializer(current_app.secret_key, salt="sign-up")


def start_sign_up(*, email: str, name: str, timezone: str, discipline: str) -> None:
    """Mail a link that confirms the address, or tell an existing owner they have an account.

    The answer on the page is the same either way, so sign-up cannot be used to learn who has an
    account. The link carries the details, signed; the password is chosen when it is opened.
    """
    email = (email or "").strip().lower()
    name = (name or "").strip()
    errors = _account_problems(email=email, name=name, role="member", timezone=timezone, discipline=discipline)
    if errors:
        raise InvalidInput(_("The account could not be created."), fields=errors)
    owner = find_user_by_email(email)
    if owner is not None:
        # One reminder an hour at most, however often someone tries.
        queue_email(key=f"sign-up-existing:{owner.id}:{now():%Y%m%d%H}", kind="sign_up_existing", user=owner,
                    context={"sign_in": absolute_url("accounts.sign_in"),
                             "forgot": absolute_url("accounts.forgot_password")})
        return
    token = _sign_up_serializer().dumps({"email": email, "name": name, "timezone": timezone, "discipline": discipline})
    queue_email(key=f"sign-up:{token_digest(token)}", kind="sign_up_confirm",
                user=SimpleNamespace(name=name, email=email),
                context={"link": absolute_url("accounts.confirm_sign_up", token=token),
                         "hours": current_app.config["SIGN_UP_CONFIRM_HOURS"]})


def read_sign_up(token: str) -> dict | None:
    """The details a sign-up link carries, while it is fresh and its address still has no account."""
    try:
        details = _sign_up_serializer().loads(token, max_age=current_app.config["SIGN_UP_CONFIRM_HOURS"] * 3600)
    except BadData:
        return None
    return None if find_user_by_email(details["email"]) else details


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email or "")
    if user is None:
        check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD")), password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def start_password_reset(email: str) -> None:
    """Email a single-use, expiring link if the account exists; say nothing either way."""
    user = find_user_by_email(email or "")
    if user is None:
        return
    # Only the newest link works: an older one lying in a mailbox is no way in.
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now()))
    raw = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    reset = PasswordReset(user=user, digest=token_digest(raw), expires_at=now() + timedelta(hours=hours))
    db.session.add(reset)
    db.session.flush()
    queue_email(key=f"password-reset:{reset.id}", kind="password_reset", user=user,
                context={"link": absolute_url("accounts.reset_password", token=raw), "hours": hours})


def find_reset(raw: str) -> PasswordReset | None:
    reset = db.session.query(PasswordReset).filter_by(digest=token_digest(raw or "")).one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now():
        return None
    return reset


def complete_password_reset(raw: str, password: str) -> User:
    """Set the new password; every session and every other reset link of the account ends."""
    reset = find_reset(raw)
    if reset is None:
        raise DomainError(_("This reset link has expired or was used already; ask for a new one."),
                          code="reset_invalid")
    if problem := check_new_password(password):
        raise InvalidInput(problem, fields={"password": problem})
    user = reset.user
    user.password_hash = hash_password(password)
    end_everywhere(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """A signed-in change: the current password proves it is the owner; every session ends."""
    if not check_password_hash(user.password_hash, current or ""):
        raise InvalidInput(_("That is not your current password."),
                           fields={"current_password": _("That is not your current password.")})
    if problem := check_new_password(new or ""):
        raise InvalidInput(problem, fields={"password": problem})
    user.password_hash = hash_password(new)
    end_everywhere(user)
    db.session.flush()


def api_tokens(user: User) -> Sequence[ApiToken]:
    """The person's tokens, newest first, revoked and expired ones included (so they can see what ended)."""
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).all()


def revoke_api_token(token_id: int, *, owner: User | None = None) -> ApiToken | None:
    """End a token at once; None when there is no such token (or it is not `owner`'s)."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**63 else None
    if token is None or (owner is not None and token.user_id != owner.id):
        return None
    if token.revoked_at is None:
        token.revoked_at = now()
    db.session.flush()
    return token
