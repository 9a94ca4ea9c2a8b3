"""SQLite, the embedded default, made to behave like the production database where it matters."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, and write-ahead locking so concurrent requests wait instead of failing.

    pysqlite starts transactions lazily and a reader that later writes can fail at once with
    "database is locked"; BEGIN IMMEDIATE takes the write lock up front and waits its turn.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        # An autocommit read (the calendar poll's) takes no lock: in WAL it never waits for a writer.
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
