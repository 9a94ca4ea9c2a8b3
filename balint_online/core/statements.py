"""Statements whose outcome the caller reads: how many rows a guarded change won, whether a row was new."""

from typing import cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable

from ..extensions import db

# Both databases say ON CONFLICT the same way, each through its own dialect's INSERT.
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction; the number of rows it matched.

    The guarded updates (`... WHERE status = 'submitted'`) read this to know whether they won.
    """
    return cast(CursorResult, db.session.execute(statement)).rowcount


def upsert(model):
    """The dialect's INSERT for `model`, which takes `.on_conflict_do_nothing()` and `.on_conflict_do_update()`."""
    return _INSERTS[db.session.get_bind().dialect.name](model)


def insert_once(model, **values):
    """Insert a row unless one with the same unique key exists: the new object, or None.

    For rows that say "this happened once" (an email's key, a notice's): one statement, where a
    savepoint, a flush and its release were three round trips. A concurrent twin waits on the key's
    index and then finds the row there.
    """
    statement = upsert(model).values(**values).on_conflict_do_nothing().returning(model)
    return db.session.scalars(statement).first()
