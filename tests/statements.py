"""Statements as the database driver is sent them, reads straight on a driver connection included.

SQLAlchemy's cursor events miss a read that goes to the driver directly (the calendar poll's,
calendar/feeds.py), so the count is taken at the driver: psycopg's cursors, SQLite's trace
callback. Transaction control (BEGIN, COMMIT, ROLLBACK) is left out: PostgreSQL's BEGIN is
implicit, SQLite's is a statement (core/sqlite.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlalchemy import event

from balint_online.extensions import db

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


def statements_of(fn: Callable[[], object]) -> list[str]:
    """The statements `fn` sends to the database, from a cold session as a request in production starts."""
    db.session.remove()
    seen: list[str] = []
    traced: list = []

    def note(sql: str) -> None:
        if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(sql)

    def checkout(dbapi_connection, _record, _proxy):
        if dbapi_connection in traced:
            return
        traced.append(dbapi_connection)
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(note)
            return
        base = dbapi_connection.cursor_factory

        class Counted(base):
            def execute(self, query, *args, **kwargs):
                note(query if isinstance(query, str) else str(query))
                return super().execute(query, *args, **kwargs)

        dbapi_connection.cursor_factory = Counted

    event.listen(db.engine, "checkout", checkout)
    try:
        fn()
    finally:
        event.remove(db.engine, "checkout", checkout)
        for dbapi_connection in traced:
            if isinstance(dbapi_connection, sqlite3.Connection):
                dbapi_connection.set_trace_callback(None)
            else:
                dbapi_connection.cursor_factory = dbapi_connection.cursor_factory.__mro__[1]
    return seen
