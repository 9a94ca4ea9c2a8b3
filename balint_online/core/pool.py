"""Pooled database connections are checked before use only when they may have gone stale, and open a
transaction only when a unit of work first writes.

SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip before every request, which
is a third of what a calendar poll costs. A connection handed back moments ago is alive unless
the server restarted in between, and then the first statement's disconnect error invalidates the
whole pool anyway; so only connections idle for longer than `DB_PING_AFTER_IDLE_SECONDS` are
pinged, and a dead one is replaced before anyone uses it.
"""

import re
import time
from functools import lru_cache

from psycopg import ServerCursor
from psycopg.pq import TransactionStatus
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just opened, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool retries with a new connection
            raise exc.DisconnectionError("stale pooled connection") from error


def begin_at_first_write(engine: Engine) -> None:
    """A transaction opens on the server at its first write; the reads before it run on their own.

    psycopg opens a transaction with a BEGIN of its own before the first statement and closes it with
    a COMMIT or ROLLBACK: two round trips on every request, most of which only read, and the ROLLBACK
    that ends a request's unit of work made psycopg forget every statement it had prepared, so
    PostgreSQL planned every statement of every page anew. Under READ COMMITTED each statement sees
    what was committed when it starts, in a transaction or not, so a read needs none: the connection
    stays in autocommit until a statement that does (a write, a SELECT that locks rows or takes an
    advisory lock of the transaction, SET LOCAL, a savepoint, a server-side cursor), and psycopg sends
    BEGIN just before it. From there the unit of work is one transaction as before, committed or
    rolled back whole.
    """

    @event.listens_for(engine, "begin")
    def began(conn):
        driver = conn.connection.driver_connection
        if (driver.autocommit or "isolation_level" in conn.get_execution_options()
                or driver.info.transaction_status != TransactionStatus.IDLE):
            return  # a connection asked to run otherwise, or not ready: left as it is
        driver.autocommit = True
        conn.info["begin_at_write"] = True

    @event.listens_for(engine, "before_cursor_execute")
    def executing(conn, cursor, statement, _parameters, context, _executemany):
        if conn.info.get("begin_at_write") and not _reads_alone(cursor, statement, context):
            conn.connection.driver_connection.autocommit = False
            conn.info["begin_at_write"] = False

    def ended(conn):
        # The driver's default back before the pool has the connection again (nothing began: nothing to end).
        if conn.info.pop("begin_at_write", False) and not conn.invalidated:
            conn.connection.driver_connection.autocommit = False

    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)


# A SELECT that takes a lock held until the transaction ends: row locks, and advisory locks of the transaction.
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|\bpg_(?:try_)?advisory_xact_lock",
                      re.IGNORECASE)


def _reads_alone(cursor, statement: str, context) -> bool:
    """Whether a statement may run outside a transaction: a SELECT that locks nothing, on a client-side cursor."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete or context.isddl):
        return False
    return not isinstance(cursor, ServerCursor) and _selects_without_locking(statement)


@lru_cache(maxsize=1024)
def _selects_without_locking(statement: str) -> bool:
    # Kept per statement: the same few hundred run again and again, some of them kilobytes long (a regex
    # over each cost a page of twenty statements a tenth of a millisecond).
    return statement.lstrip()[:6].upper() == "SELECT" and _LOCKING.search(statement) is None
