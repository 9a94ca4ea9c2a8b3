"""The one locking rule: whatever changes a series' seats, meetings, money or status holds its row lock.

Every such operation calls `lock_series` before it reads what it decides on, and decides inside
the lock: the clash check before a reschedule, the seat count before an accept, the application's
state before a payment's refund, the series' state before an application. Two operations on the
same series therefore run one after the other, whichever process serves them.

- One lock per operation, the series row; when an operation touches several series it locks them
  in ascending id order, so two operations never wait on each other in a circle.
- PostgreSQL: SELECT ... FOR NO KEY UPDATE. It excludes every other holder of this lock (and the
  seat counter's UPDATE), but not the KEY SHARE locks that inserting rows which refer to the
  series take (applications, audit entries, refunds), so those inserts never deadlock against it.
  A short lock_timeout turns a stuck holder into a clear "try again" instead of a hung request.
- SQLite: every transaction begins IMMEDIATE (core/sqlite.py), which already serialises writers;
  the SELECT only makes sure the transaction has begun.
- The lock lasts until the transaction ends: the request, job or command commits or rolls back.
- After taking it, everything loaded before is reloaded, so decisions see the latest committed state.
"""

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from ..core.errors import DomainError
from ..extensions import db
from .models import Series

# Seconds to wait for another operation on the same series; they take milliseconds.
LOCK_TIMEOUT_SECONDS = 5
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout runs out


class SeriesBusy(DomainError):
    status = 409
    code = "busy"


def _held() -> set[int]:
    """The series whose lock this session's current transaction holds (it ends with the transaction)."""
    transaction = db.session().get_transaction()
    kept = db.session.info.get("series_locks")
    if kept is None or kept[0] is not transaction:
        kept = db.session.info["series_locks"] = (transaction, set())
    return kept[1]


def lock_series(*series_ids: int) -> list[Series]:
    """Hold the row lock of each series (ascending id) and return them fresh from the database."""
    ids = sorted({int(i) for i in series_ids})
    db.session.flush()  # nothing unsaved is lost when the session reloads below
    held = _held()
    if held.issuperset(ids):  # taken earlier in this transaction: what the session holds is current
        return [db.session.get_one(Series, i) for i in ids]  # series are never deleted
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT_SECONDS * 1000)}ms'"))
    try:
        db.session.execute(select(Series.id).where(Series.id.in_(ids)).order_by(Series.id)
                           .with_for_update(key_share=True))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        db.session.rollback()
        raise SeriesBusy("Someone else is changing this series right now; please try again.") from exc
    _held().update(ids)
    # What this session read before the lock may have changed meanwhile.
    db.session.expire_all()
    return [db.session.get_one(Series, i) for i in ids]
