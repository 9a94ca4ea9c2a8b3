"""Reminders to presenters a week and a day before their turn, once each (keyed outbox messages)."""

import math
from datetime import datetime, timedelta

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from ..core.i18n import language_of
from ..enrollment.models import Application
from ..extensions import db
from ..notifications.models import OutboxMessage
from ..notifications.services import queue_email
from ..series.models import Meeting, Series
from .models import PresenterTurn
from .state import rotation_url

REMINDER_LEADS = (("7d", timedelta(days=7)), ("1d", timedelta(days=1)))


def send_presenter_reminders(moment: datetime) -> int:
    """Remind each presenter a week and a day before their turn, once each.

    A turn inside the last day before its meeting gets only the one-day reminder, so a late
    announcement or a scheduler that was down never sends a "next week" email the day before.
    """
    horizon = moment + REMINDER_LEADS[0][1]
    enrolled = select(Application.id).where(
        Application.series_id == Meeting.series_id, Application.user_id == PresenterTurn.user_id,
        Application.status == "enrolled").exists()
    turns = db.session.scalars(
        select(PresenterTurn).join(Meeting, Meeting.id == PresenterTurn.meeting_id)
        .join(Series, Series.id == Meeting.series_id)
        .where(PresenterTurn.role == "presenter", Meeting.status == "scheduled", Series.lifecycle == "published",
               Meeting.starts_at > moment, Meeting.starts_at <= horizon, enrolled)
        .order_by(Meeting.starts_at, PresenterTurn.id)
        # Each turn's meeting says which reminder is due, even when it was sent already.
        .options(contains_eager(PresenterTurn.meeting).contains_eager(Meeting.series), selectinload(PresenterTurn.user))
    ).all()
    if not turns:
        return 0

    def lead(turn: PresenterTurn) -> str:
        # The shortest lead whose moment has come: within a day of the meeting only "1d" is due.
        return next(name for name, before in reversed(REMINDER_LEADS) if turn.meeting.starts_at - before <= moment)

    keyed = {f"presenter-reminder-{lead(t)}:meeting-{t.meeting_id}:user-{t.user_id}": (lead(t), t) for t in turns}
    sent_already = set(db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keyed))))
    sent = 0
    for key, (due, turn) in keyed.items():
        if key in sent_already:
            continue
        meeting = turn.meeting
        backup = db.session.scalar(select(PresenterTurn).where(
            PresenterTurn.meeting_id == meeting.id, PresenterTurn.role == "backup"))
        days = math.ceil((meeting.starts_at - moment) / timedelta(days=1))
        with force_locale(language_of(turn.user)):  # words of the reader's, as the email around them
            soon = _("within a day") if due == "1d" else ngettext("in %(num)d day", "in %(num)d days", days)
        if queue_email(key=key, kind="presenter_reminder", user=turn.user, context={
            "series": meeting.series, "meeting": meeting, "turn": turn, "lead": due, "soon": soon,
            "backup": backup.user if backup else None, "rotation_url": rotation_url(meeting.series),
        }) is not None:
            sent += 1
    return sent
