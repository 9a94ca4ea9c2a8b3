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
def _validator_statement():
    """The token's owner and what their feed's validator is made of; built once, the token bound."""
    return select(User.id, User.calendar_token, User.calendar_delivery, User.feed_version, User.feed_changed_at,
                  User.created_at).where(User.calendar_token == bindparam("token"))


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
    # Autocommit: a transaction would cost two more round trips (BEGIN, ROLLBACK) for one read.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(_validator_statement(), {"token": token}).one_or_none()
    stored = row.calendar_token if row is not None else _NO_TOKEN
    if not hmac.compare_digest(stored.encode(), token.encode()) or row is None:
        return None
    digest = hashlib.sha256(repr((settings_fingerprint(current_app), "personal", row.id, row.calendar_delivery,
                                  row.feed_version)).encode())
    return Validator(row.id, digest.hexdigest()[:32], row.feed_changed_at or row.created_at)


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
            return self._redis.get(self.PREFIX + key)
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
