"""Each person's feed version, moved in the same transaction as any change their feed shows.

A calendar client's poll reads one row (calendar.feeds): the token's owner and their
`feed_version`. So every change a personal feed shows must move its owner's version before the
transaction commits. Rather than trust every service to remember, the session's own events find
the changes: objects flushed (new, changed or deleted) and bulk UPDATE or DELETE statements on
the same models. What concerns whom is declared once, in `CONCERNS`; a test makes every kind of
change a feed shows and checks that each moves the version.

The people concerned are gathered as the transaction goes and their versions moved just before
it commits: one UPDATE, their rows locked in id order and after every series lock the
transaction takes (series.locking), so it never waits in a circle with another transaction. The
lock is FOR NO KEY UPDATE, which rows referring to a person (applications, audit entries) don't
wait for. A version only grows, so an ETag is never reused for different content.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select, union, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..core.clock import now
from ..enrollment.models import Application
from ..rotation.models import PresenterTurn
from ..series.models import Meeting, Series, series_leaders
from .models import CalendarSequence

# Model -> ("series", column naming the series) or ("user", column naming the person): whose feed
# shows it. A series' change concerns everyone who applied to or leads it (more than the feeds
# showing it, which costs one rebuild, never a stale feed).
CONCERNS = {
    Series: ("series", "id"),
    Meeting: ("series", "series_id"),
    PresenterTurn: ("user", "user_id"),
    Application: ("user", "user_id"),
    CalendarSequence: ("user", "user_id"),
}


def _people(user_ids, series_ids):
    """These people and everyone a change to these series may concern (applicants and leaders), as ids."""
    users = User.__table__
    return union(select(users.c.id).where(users.c.id.in_(user_ids)),
                 select(Application.user_id).where(Application.series_id.in_(series_ids)),
                 select(series_leaders.c.user_id).where(series_leaders.c.series_id.in_(series_ids)))


def move_versions(connection, *, user_ids=(), series_ids=()) -> None:
    """Raise the feed version of these people and of everyone concerned by these series: one statement."""
    user_ids, series_ids = sorted(set(user_ids) - {None}), sorted(series_ids)
    if not (user_ids or series_ids):
        return
    users = User.__table__
    locked = (select(users.c.id).where(users.c.id.in_(_people(user_ids, series_ids))).order_by(users.c.id)
              .with_for_update(key_share=True))
    connection.execute(update(users).where(users.c.id.in_(locked))
                       .values(feed_version=users.c.feed_version + 1, feed_changed_at=now()))


def _values(session: Session, obj, column: str) -> set:
    """The column's value now and any it had before this flush (a turn given to someone else)."""
    state = inspect(obj)
    current = state.dict.get(column)
    if current is None and obj not in session.deleted:  # expired since the last commit: load it
        current = getattr(obj, column)
    return {current, *state.attrs[column].history.deleted} - {None}


def _pending(session: Session) -> dict[str, set]:
    """Who this session's current transaction has concerned so far (it ends with the transaction)."""
    transaction = session.get_transaction()
    kept = session.info.get("feed_changes")
    if kept is None or kept[0] is not transaction:
        kept = session.info["feed_changes"] = (transaction, {"user": set(), "series": set()})
    return kept[1]


def _after_flush(session: Session, _context) -> None:
    # After the flush: ids are assigned, yet new/dirty/deleted and attribute history still
    # describe what this flush wrote.
    concerned = _pending(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        concern = CONCERNS.get(type(obj))
        if concern is None or (obj in session.dirty and not session.is_modified(obj)):
            continue
        kind, column = concern
        concerned[kind] |= _values(session, obj, column)
        if isinstance(obj, Series):  # a leader removed still has the series in their feed until now
            concerned["user"] |= {leader.id for leader in inspect(obj).attrs.leaders.history.deleted}


def _bulk_statement(state) -> None:
    # INSERT, UPDATE and DELETE statements bypass the flush (video rooms, seat counts, SEQUENCEs).
    if not (state.is_insert or state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    concern = CONCERNS.get(state.bind_mapper.class_)
    if concern is None:
        return
    kind, column = concern
    # The connection first: it begins the transaction the statement runs in (the first statement after a
    # commit may be this one), and the changes must be noted against that transaction, not none.
    connection = state.session.connection()
    if state.is_insert:  # an upsert (a SEQUENCE): the row's own values name whom it concerns
        rows = [state.statement.compile().params.get(column)]
    else:  # the rows an UPDATE or DELETE will touch, found with its WHERE clause first
        target = getattr(state.bind_mapper.class_, column)
        where = state.statement.whereclause
        rows = connection.execute(select(target) if where is None else select(target).where(where)).scalars()
    _pending(state.session)[kind].update(rows)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (the event fires for those too): its people are moved at the commit, last
    session.flush()  # what the commit would flush next is part of this transaction's changes
    kept = session.info.pop("feed_changes", None)
    if kept is None or kept[0] is not session.get_transaction():
        return
    concerned = kept[1]
    if concerned["user"] or concerned["series"]:
        move_versions(session.connection(), user_ids=concerned["user"], series_ids=concerned["series"])


def watch_feed_changes() -> None:
    """Connect the listeners once per process (every session, every app)."""
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _bulk_statement),
                           ("before_commit", _before_commit)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
