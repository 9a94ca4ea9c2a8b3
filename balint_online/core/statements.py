"""Running a compare-and-set statement and learning how many rows it changed."""

from typing import cast

from sqlalchemy import CursorResult
from sqlalchemy.sql import Executable

from ..extensions import db


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction; the number of rows it matched.

    The guarded updates (`... WHERE status = 'submitted'`) read this to know whether they won.
    """
    return cast(CursorResult, db.session.execute(statement)).rowcount
