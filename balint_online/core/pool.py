"""Pooled database connections are checked before use only when they may have gone stale, and keep
the statements PostgreSQL has prepared on them.

SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip before every request, which
is a third of what a calendar poll costs. A connection handed back moments ago is alive unless
the server restarted in between, and then the first statement's disconnect error invalidates the
whole pool anyway; so only connections idle for longer than `DB_PING_AFTER_IDLE_SECONDS` are
pinged, and a dead one is replaced before anyone uses it.
"""

import time

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


def keep_prepared_statements(engine: Engine) -> None:
    """End a transaction that wrote nothing with COMMIT, not ROLLBACK: for it the two are the same.

    psycopg prepares a statement the fifth time a connection runs it, so that PostgreSQL no longer
    plans it anew, but it forgets every prepared statement on ROLLBACK (the transaction might have
    changed the schema). Every request ends its unit of work with a rollback, so nothing stayed
    prepared and every statement of every page was planned again. A transaction that ran only
    SELECTs has nothing a rollback would undo: committing it leaves the connection idle, and the
    rollback that follows has nothing to do. Anything else (a write, a savepoint, DDL, a statement
    that failed) still ends with ROLLBACK.
    """

    @event.listens_for(engine, "begin")
    def began(conn):
        conn.info["wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def executing(conn, _cursor, statement, _parameters, context, _executemany):
        if not conn.info.get("wrote") and not _reads_only(statement, context):
            conn.info["wrote"] = True

    @event.listens_for(engine, "rollback")
    def rolling_back(conn):
        if conn.invalidated or conn.info.get("wrote", True):
            return
        driver = conn.connection.driver_connection
        if driver.info.transaction_status == TransactionStatus.INTRANS:  # begun, and no statement failed
            driver.commit()


def _reads_only(statement: str, context) -> bool:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete or context.isddl):
        return False
    return statement.lstrip()[:6].upper() == "SELECT"
