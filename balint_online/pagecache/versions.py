"""The society's data version, raised just before every transaction that saved anything commits.

Which changes a page shows is not worth tracking page by page (a roster shows applications,
payments, people, aid and the series); every change saved counts, so a kept page is never behind
one. The session's own events find them, as calendar.versions finds a feed's: a flush that wrote,
and INSERT, UPDATE or DELETE statements run through the session that touched a row (a job sweeping
for what is due, finding nothing, saves nothing). A statement may say it changes
nothing a page shows with the execution option `pages_unchanged` (a browser's sign-in marked as
seen, once a minute: counting it would throw every page away as often).

The version row is locked by its UPDATE until the commit, so it must be the last lock a transaction
takes: the raise runs after everything else the commit does (the final flush, the feed versions),
and `watch_changes` is connected after calendar.versions' listener for that reason.
"""

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from .models import DataVersion

CHANGED = "pagecache_changed"  # session.info: this transaction saved something
WRITES = "pagecache_writes"  # session.info: how many writes the session has seen (pagecache.kept compares)


def _wrote(session: Session) -> None:
    session.info[CHANGED] = True
    session.info[WRITES] = session.info.get(WRITES, 0) + 1


def writes_seen(session: Session) -> int:
    return session.info.get(WRITES, 0)


def _after_flush(session: Session, _context) -> None:
    # After the flush, new/dirty/deleted still say what it wrote: an attribute set to the value it had wrote nothing.
    if session.new or session.deleted or any(session.is_modified(obj) for obj in session.dirty):
        _wrote(session)


def _statement(state):
    if not (state.is_insert or state.is_update or state.is_delete) or state.execution_options.get("pages_unchanged"):
        return None
    result = state.invoke_statement()
    # A sweep that found nothing to delete changed nothing. A statement RETURNING rows says no count: it wrote.
    if getattr(result, "rowcount", -1) != 0:
        _wrote(state.session)
    return result


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (the event fires for those too): the transaction's own commit raises it, last
    session.flush()  # what the commit would flush next belongs to this transaction
    if session.info.pop(CHANGED, False):
        table = DataVersion.__table__
        session.connection().execute(update(table).where(table.c.id == 1).values(value=table.c.value + 1))


def _transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint inside it, is over
        session.info.pop(CHANGED, None)


def watch_changes() -> None:
    """Connect the listeners once per process (every session, every app), after calendar.versions'."""
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _statement),
                           ("before_commit", _before_commit), ("after_transaction_end", _transaction_end)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
