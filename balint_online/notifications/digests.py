"""An email per event, or one summary a day: for people who chose the summary (a leader's `leader_mail`), an
event is kept as a `Notice` (its email's subject line) and the day's notices go out together.

Sending claims the notices with a conditional update (only those not yet sent), so two schedulers never
put one notice in two summaries; a person gets at most one summary a day.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..core.statements import insert_once, rows_changed
from ..extensions import db
from .models import Notice
from .services import queue_email, render_subject

DIGEST_EVERY = timedelta(days=1)
LEADER_MAIL = {"each": _l("An email for each new application and each withdrawal"),
               "daily": _l("One summary a day")}


def notify(user, *, key: str, kind: str, context: dict, daily: bool, topic: str = "") -> None:
    """Email `user` about one event now, or keep it for their daily summary; once per `key` either way."""
    if not daily:
        queue_email(key=key, kind=kind, user=user, context=context)
        return
    if getattr(user, "is_erased", False):
        return
    # Kept once per key: an event reported again is already in the summary.
    insert_once(Notice, key=key, user_id=user.id, kind=kind, line=render_subject(kind, user, context)[:300],
                topic=topic[:200])


def set_leader_mail(user, choice: str) -> None:
    if choice not in LEADER_MAIL:
        raise ValueError(choice)
    user.leader_mail = choice
    db.session.flush()


def due(moment: datetime) -> list[int]:
    """People with notices waiting whose last summary is at least a day old."""
    waiting = select(Notice.user_id).where(Notice.sent_at.is_(None)).distinct()
    recent = select(Notice.user_id).where(Notice.sent_at > moment - DIGEST_EVERY).distinct()
    return list(db.session.scalars(waiting.where(Notice.user_id.not_in(recent)).order_by(Notice.user_id)))


def send_summary(user, moment: datetime) -> int:
    """One email with every notice of `user` not yet sent; returns how many notices it holds (0: none, or taken)."""
    claimed = rows_changed(
        update(Notice).where(Notice.user_id == user.id, Notice.sent_at.is_(None)).values(sent_at=moment)
        .execution_options(synchronize_session=False))
    if not claimed:
        return 0
    notices = list(db.session.scalars(select(Notice).where(Notice.user_id == user.id, Notice.sent_at == moment)
                                      .order_by(Notice.created_at, Notice.id)))
    topics = list(dict.fromkeys(n.topic for n in notices if n.topic))
    queue_email(key=f"summary:user-{user.id}:{moment:%Y%m%dT%H%M%S}", kind="daily_summary", user=user,
                context={"notices": notices, "topics": topics})
    return len(notices)

