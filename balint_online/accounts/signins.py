"""Sessions that end: every signed-in browser is a SignIn record the server can end.

The session cookie and the remember-me cookie both carry "<record id>:<secret>" (User.get_id),
so ending the record (sign-out, sign out everywhere, a password reset or change, the idle timeout
or the absolute lifetime) makes a copied cookie worthless at once. Server-side records rather than
a per-user counter, because a counter cannot end one browser's session without ending them all.
"""

import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from flask import current_app, has_request_context, request
from flask_login import login_user, logout_user
from sqlalchemy import ColumnElement, bindparam, delete, or_, select, update
from sqlalchemy.orm import contains_eager

from ..core.clock import now
from ..core.statements import rows_changed
from ..extensions import db
from .models import PasswordReset, SignIn, User, token_digest

# last_seen_at is written at most this often, so an active browser costs one UPDATE a minute.
SEEN_EVERY = timedelta(minutes=1)


def _lifetime(remember: bool) -> timedelta:
    config = current_app.config
    if remember:
        duration = config["REMEMBER_COOKIE_DURATION"]
        return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
    return timedelta(hours=config["SESSION_MAX_HOURS"])


def sign_in(user: User, *, remember: bool = False) -> SignIn:
    """Start a new session for `user` in this browser (the request commits)."""
    raw = secrets.token_urlsafe(32)
    moment = now()
    agent = request.user_agent.string[:200] if has_request_context() else ""
    record = SignIn(user=user, digest=token_digest(raw), remember=remember, user_agent=agent,
                    created_at=moment, last_seen_at=moment, expires_at=moment + _lifetime(remember))
    db.session.add(record)
    db.session.flush()
    user.sign_in_key = f"{record.id}:{raw}"
    login_user(user, remember=remember, duration=_lifetime(remember) if remember else None)
    return record


# What a higher feature's every page reads of the signed-in person, read along with the sign-in in its
# one statement rather than by a round trip of its own: a name and a function giving a value over
# `User` (a correlated scalar subquery), registered with `read_along` when the feature is imported.
# The person carries the values as `user.along`.
_ALONG: dict[str, Callable[[], ColumnElement]] = {}


def read_along(name: str, value: Callable[[], ColumnElement]) -> None:
    _ALONG[name] = value


@cache
def _record_with_user(along: tuple[str, ...]):
    # Built once for the values read along, the record's id bound as it runs: every signed-in request reads it.
    return (select(SignIn, *(_ALONG[name]().label(name) for name in along)).join(User, User.id == SignIn.user_id)
            .options(contains_eager(SignIn.user)).where(SignIn.id == bindparam("ident")))


def load_user(key: str) -> User | None:
    """The person a session or remember-me cookie names, while its sign-in is live."""
    ident, _, raw = (key or "").partition(":")
    if not ident.isdigit() or not raw or int(ident) >= 2**63:
        return None
    along = tuple(_ALONG)
    found = db.session.execute(_record_with_user(along), {"ident": int(ident)}).first()
    if found is None or not hmac.compare_digest(found[0].digest, token_digest(raw)):
        return None
    record = found[0]
    record.user.along = dict(zip(along, found[1:], strict=True))
    moment = now()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    # "Keep me signed in" means no idle timeout; the absolute lifetime still holds.
    idled_out = not record.remember and record.last_seen_at + idle <= moment
    if record.ended_at is not None or record.expires_at <= moment or idled_out:
        return None
    if record.last_seen_at + SEEN_EVERY <= moment:
        # No kept page shows when a browser was last seen: not a change that makes them old (pagecache.versions).
        db.session.execute(update(SignIn).where(SignIn.id == record.id).values(last_seen_at=moment),
                           execution_options={"pages_unchanged": True})
        # Its own unit of work, on purpose: signing in is kept alive even by a request that saves nothing.
        db.session.commit()
    record.user.sign_in_key = key
    return record.user


def current_record(user: User) -> SignIn | None:
    ident = (user.sign_in_key or "").partition(":")[0]
    return db.session.get(SignIn, int(ident)) if ident.isdigit() else None


def sign_out(user: User) -> None:
    """End this browser's session only."""
    record = current_record(user)
    if record is not None and record.ended_at is None:
        record.ended_at = now()
    logout_user()


def end_everywhere(user: User) -> int:
    """End every session of `user` and every reset link still outstanding; returns how many sessions ended."""
    moment = now()
    ended = rows_changed(
        update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None)).values(ended_at=moment)
    )
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=moment))
    return ended


def live_sign_ins(user: User) -> list[SignIn]:
    moment = now()
    records = db.session.scalars(
        select(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None), SignIn.expires_at > moment)
        .order_by(SignIn.last_seen_at.desc())
    ).all()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return [r for r in records if r.remember or r.last_seen_at + idle > moment]


def forget_ended(moment) -> int:
    """Delete sign-ins ended or expired a day ago or more (kept a day for the account page's sake);
    one that merely went idle goes once its absolute lifetime is over too."""
    cutoff = moment - timedelta(days=1)
    deleted = rows_changed(
        delete(SignIn).where(or_(SignIn.ended_at < cutoff, SignIn.expires_at < cutoff))
    )
    db.session.flush()
    return deleted
