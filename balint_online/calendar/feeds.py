"""What a calendar client's poll costs: one indexed read to answer 304, and a feed built once per change.

Calendar clients poll around the clock (Apple every few minutes), and nearly every poll finds
nothing new. So the personal feed's validator is the token owner's row: their `feed_version`,
moved in the same transaction as any change the feed shows (calendar.versions), and the
settings a feed depends on. A 304 needs that one read, outside any transaction.

A changed feed is built once and its bytes kept under its validator (`FeedCache`): in Redis
when `FEED_CACHE_URL` names one, so every process serves the same bytes for the same version,
otherwise in a bounded per-process LRU. The key is the validator itself, so a change can never
be answered with stale bytes: it simply has a new key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import cast

import redis
from cachetools import LRUCache
from flask import Flask, current_app
from sqlalchemy import and_, bindparam, or_, select, union

from ..accounts.models import User
from ..core.zonerules import current as current_rules
from ..enrollment.models import Application
from ..extensions import db
from ..series.models import Series, series_leaders

# Part of every feed's validator: raise it when what a feed says changes for the same data.
FEED_FORMAT = 4
# Compared against when a token matches nobody, so a miss does the same work as a hit.
_NO_TOKEN = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Validator:
    user_id: int
    etag: str
    last_modified: datetime


def feed_series(user_id):
    """The ids of the series whose meetings a person's feed shows (`user_id`: a value or a column):
    those they are enrolled in, or were when the society cancelled them (kept, shown cancelled),
    and the published or cancelled ones they lead."""
    enrolled = select(Application.series_id.label("series_id")).where(
        Application.user_id == user_id,
        or_(Application.status == "enrolled",
            and_(Application.status == "cancelled", Application.enrolled_at.is_not(None))))
    led = (select(series_leaders.c.series_id.label("series_id"))
           .join(Series, Series.id == series_leaders.c.series_id)
           .where(series_leaders.c.user_id == user_id, Series.lifecycle != "draft"))
    return union(enrolled, led)


@cache
def _validator_read(dialect) -> tuple[str, bool, tuple]:
    """The token's owner and what their feed's validator is made of: the driver's own SQL, whether
    it binds the token by position, and each column's conversion of what the driver returns; made
    once per dialect."""
    columns = (User.id, User.calendar_token, User.calendar_delivery, User.feed_version, User.feed_changed_at,
               User.created_at)
    statement = select(*columns).where(User.calendar_token == bindparam("token"))
    compiled = statement.compile(dialect=dialect)
    return (str(compiled), compiled.positional,
            tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns))


def _validator_row(token: str) -> tuple | None:
    """One read on a pooled driver connection, outside any transaction.

    Straight to the driver: SQLAlchemy's statement machinery and its switch of isolation level
    cost more than the read itself, and this runs on every calendar poll. psycopg's connection is
    in autocommit only while out of the pool (no BEGIN and ROLLBACK round trips) and prepares the
    statement after its first few uses; SQLite's driver is always in autocommit (core/sqlite.py).
    """
    sql, positional, processors = _validator_read(db.engine.dialect)
    pooled = db.engine.raw_connection()
    try:
        # psycopg's connection, to switch to autocommit and back; None for SQLite's, always in autocommit.
        switched = pooled.driver_connection if getattr(pooled.driver_connection, "autocommit", None) is False else None
        if switched is not None:
            switched.autocommit = True
        try:
            cursor = pooled.cursor()
            cursor.execute(sql, (token,) if positional else {"token": token})
            row = cursor.fetchone()
            cursor.close()
        finally:
            if switched is not None:
                switched.autocommit = False
    finally:
        pooled.close()
    if row is None:
        return None
    return tuple(value if process is None else process(value) for process, value in zip(processors, row, strict=True))


def settings_fingerprint(app: Flask) -> tuple:
    """What a feed shows that comes from configuration and the zone rules, not the data."""
    config = app.config
    # The zone rules' version too: new rules change the VTIMEZONEs and instants a feed carries.
    return (FEED_FORMAT, current_rules().version, config["BASE_URL"].rstrip("/"), config["SOCIETY_NAME"],
            config["JOIN_WINDOW_MINUTES"], config["CALENDAR_UID_DOMAIN"])


def personal_validator(token: str) -> Validator | None:
    """The personal feed's validator for a token, from one statement; None for an unknown token.

    Found or not, the same steps run: the indexed lookup, then a constant-time comparison
    (against a throwaway secret on a miss), so an unknown token is not answered any faster.
    """
    row = _validator_row(token)
    stored = row[1] if row is not None else _NO_TOKEN
    if not hmac.compare_digest(stored.encode(), token.encode()) or row is None:
        return None
    user_id, _, delivery, version, changed_at, created_at = row
    digest = hashlib.sha256(repr((settings_fingerprint(current_app), "personal", user_id, delivery, version)).encode())
    return Validator(user_id, digest.hexdigest()[:32], changed_at or created_at)


class FeedCache:
    """Built feeds by validator: Redis shared by every process, or a bounded LRU in this one."""

    PREFIX = "balint:feed:"

    def __init__(self, url: str | None, *, entries: int, seconds: int):
        self.seconds = seconds
        self._redis = None
        self._local: LRUCache = LRUCache(maxsize=entries)
        if url:
            self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> bytes | None:
        if self._redis is None:
            return self._local.get(key)
        try:
            # Bytes: the client is made without decode_responses (redis types it for either).
            return cast(bytes | None, self._redis.get(self.PREFIX + key))
        except Exception:  # a cache that is down costs a rebuild, never an error
            current_app.logger.warning("feed cache unreachable; building the feed", exc_info=True)
            return None

    def put(self, key: str, body: bytes) -> None:
        if self._redis is None:
            self._local[key] = body
            return
        try:
            self._redis.set(self.PREFIX + key, body, ex=self.seconds)
        except Exception:
            current_app.logger.warning("feed cache unreachable; feed not kept", exc_info=True)


def feed_cache() -> FeedCache:
    """This app's cache, made on first use from FEED_CACHE_URL, FEED_CACHE_ENTRIES and FEED_CACHE_SECONDS."""
    app = current_app
    cache = app.extensions.get("balint_feed_cache")
    if cache is None:
        cache = FeedCache(app.config.get("FEED_CACHE_URL"), entries=int(app.config["FEED_CACHE_ENTRIES"]),
                          seconds=int(app.config["FEED_CACHE_SECONDS"]))
        app.extensions["balint_feed_cache"] = cache
    return cache


def cached(key: str, build) -> bytes:
    cache = feed_cache()
    body = cache.get(key)
    if body is None:
        body = build()
        cache.put(key, body)
    return body
