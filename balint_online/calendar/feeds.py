"""What a calendar client's poll costs: one query to answer 304, and a feed built once per change.

Calendar clients poll around the clock (Apple every few minutes), and nearly every poll finds
nothing new. So the personal feed's validator comes from a single statement, keyed by the
feed's secret token: it fingerprints everything the feed shows (the series taken part in,
their meetings, the person's own turns and applications) from indexed columns that every
change moves (`updated_at`, SEQUENCE, counts). A 304 needs nothing else.

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
from datetime import UTC, datetime
from functools import cache

from cachetools import LRUCache
from flask import Flask, current_app
from sqlalchemy import and_, bindparam, func, or_, select, true, union

from ..accounts.models import User
from ..core.zonerules import current as current_rules
from ..enrollment.models import Application
from ..extensions import db
from ..rotation.models import PresenterTurn
from ..series.models import Meeting, Series, series_leaders
from .models import CalendarSequence

# Part of every feed's validator: raise it when what a feed says changes for the same data.
FEED_FORMAT = 3
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
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
    """One statement: the token's owner and a fingerprint of everything their feed shows. Built once
    (the token is a bound parameter): building it cost more than running it.

    Common table expressions name the owner (`me`) and the series in their feed (`feed`) once,
    so every aggregate below is an indexed lookup for that one person.
    """
    me = (select(User.id, User.calendar_token, User.calendar_delivery)
          .where(User.calendar_token == bindparam("token")).cte("me"))
    feed = feed_series(me.c.id).cte("feed")
    in_feed = select(feed.c.series_id)
    aggregates = [
        select(func.count(Series.id), func.coalesce(func.sum(Series.id), 0), func.max(Series.updated_at).label("at_series"))
        .where(Series.id.in_(in_feed)),
        select(func.count(Meeting.id), func.coalesce(func.sum(Meeting.sequence), 0), func.max(Meeting.updated_at).label("at_meetings"))
        .where(Meeting.series_id.in_(in_feed)),
        select(func.count(PresenterTurn.id), func.coalesce(func.sum(PresenterTurn.meeting_id), 0),
               func.max(PresenterTurn.announced_at).label("at_turns"))
        .join(Meeting, Meeting.id == PresenterTurn.meeting_id)
        .where(PresenterTurn.user_id == me.c.id, PresenterTurn.role == "presenter", Meeting.series_id.in_(in_feed)),
        select(func.max(Application.enrolled_at).label("at_enrolled"), func.max(Application.ended_at).label("at_ended")).where(Application.user_id == me.c.id),
        # The SEQUENCE of each of the person's series objects, raised before every change they follow.
        select(func.count(CalendarSequence.series_id), func.coalesce(func.sum(CalendarSequence.sequence), 0),
               func.max(CalendarSequence.updated_at).label("at_sequences"))
        .where(CalendarSequence.user_id == me.c.id, CalendarSequence.series_id.in_(in_feed)),
    ]
    # Each aggregate is one row, computed once; joined to the owner's row they make one result row.
    tables = [a.cte(f"part{n}") for n, a in enumerate(aggregates)]
    joined = me
    for table in tables:
        joined = joined.join(table, true())
    return select(me.c.id, me.c.calendar_token, me.c.calendar_delivery,
                  *(c for t in tables for c in t.c)).select_from(joined)


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
    row = db.session.execute(_validator_statement(), {"token": token}).one_or_none()
    stored = row.calendar_token if row is not None else _NO_TOKEN
    if not hmac.compare_digest(stored.encode(), token.encode()) or row is None:
        return None
    values = tuple(row)[2:]
    digest = hashlib.sha256(repr((settings_fingerprint(current_app), "personal", row.id, values)).encode())
    instants = [_aware(v) for name, v in row._mapping.items() if name.startswith("at_") and v is not None]
    return Validator(row.id, digest.hexdigest()[:32], max(instants, default=_EPOCH))


def _aware(value) -> datetime:
    # SQLite hands aggregates of our UTC columns back as text; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class FeedCache:
    """Built feeds by validator: Redis shared by every process, or a bounded LRU in this one."""

    PREFIX = "balint:feed:"

    def __init__(self, url: str | None, *, entries: int, seconds: int):
        self.seconds = seconds
        self._redis = None
        self._local: LRUCache = LRUCache(maxsize=entries)
        if url:
            import redis

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
