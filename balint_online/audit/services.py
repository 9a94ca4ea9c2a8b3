"""`log_action`: the one way anything is written to the audit log; and what each reader may see of it."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import OBJECT_TYPES, AuditEntry


def _belongs(target) -> dict:
    """The series, application and person an object belongs to, read from the object itself."""
    kind = OBJECT_TYPES[target.__tablename__]
    if kind == "series":
        return {"series_id": target.id}
    if kind == "person":
        return {"user_id": target.id}
    if kind in ("meeting", "application"):
        found = {"series_id": target.series_id}
        if kind == "application":
            found.update(application_id=target.id, user_id=target.user_id)
        return found
    if kind in ("payment", "refund", "invoice", "credit_note"):
        application = target.application
        return {"series_id": application.series_id, "application_id": application.id, "user_id": application.user_id}
    return {"user_id": target.user_id}  # a membership or an erasure request


def log_action(target, action: str, actor, *, changes: dict | None = None, from_status: str | None = None,
               to_status: str | None = None, reason: str = "", data: dict | None = None) -> AuditEntry:
    """Append what `actor` (None: the system) did to `target`; `changes` maps a field to [before, after].

    Values must be JSON: callers pass money and dates as the strings the API shows. The caller commits.
    """
    entry = AuditEntry(object_type=OBJECT_TYPES[target.__tablename__], object_id=target.id,
                       actor_id=getattr(actor, "id", None), action=action, from_status=from_status,
                       to_status=to_status, changes=changes or {}, reason=reason or "", data=data or {},
                       **_belongs(target))
    db.session.add(entry)
    return entry


LOG_PAGE = 100


@dataclass(frozen=True)
class LogPage:
    entries: list[AuditEntry]
    older: int | None  # `before` for the page of older entries; None on the oldest page
    newest: bool  # the page starts at the newest entry


def entries(*, series_id: int | None = None, object_type: str | None = None, before: int | None = None) -> LogPage:
    """A page of the log, newest first: everything (administrators), or one series' log (its leaders).
    Each page starts below `before` (an entry's id) rather than at a count of entries: a log of years
    costs the same to read at any depth, and a page does not shift while entries are added above it."""
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor), selectinload(AuditEntry.person))
             .order_by(AuditEntry.id.desc()).limit(LOG_PAGE + 1))
    if series_id is not None:
        query = query.where(AuditEntry.series_id == series_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    found = list(db.session.scalars(query))
    return LogPage(found[:LOG_PAGE], found[LOG_PAGE - 1].id if len(found) > LOG_PAGE else None, before is None)
