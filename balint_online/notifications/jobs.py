"""The daily summaries of those who chose one (digests.py), then mail delivery.

notifications is the last feature (features.FEATURES), so delivery sends what every other job queued
in the same run; the summaries job commits each person's summary on its own.
"""

from ..accounts.models import User
from ..extensions import db
from ..jobs.registry import job
from .delivery import deliver_outbox
from .digests import due, send_summary


@job("daily-summaries", every_seconds=300)
def daily_summaries(moment):
    sent = 0
    for user_id in due(moment):
        if send_summary(db.session.get(User, user_id), moment):
            sent += 1
        db.session.commit()
    return sent


@job("deliver-mail", every_seconds=30)
def deliver_mail(moment):
    return deliver_outbox()
