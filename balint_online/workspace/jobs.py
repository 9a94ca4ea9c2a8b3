"""The leaders' daily summaries (notifications/digests.py: the events of their series kept for one email
a day, as each leader chose). The job loads each leader (accounts) to address them, so it sits here, above
accounts, as the last feature before notifications, whose delivery job then sends the summaries in the
same run. Each person's summary is committed on its own."""

from ..accounts.models import User
from ..extensions import db
from ..jobs.registry import job
from ..notifications.digests import due, send_summary


@job("daily-summaries", every_seconds=300)
def daily_summaries(moment):
    sent = 0
    for user_id in due(moment):
        if send_summary(db.session.get(User, user_id), moment):
            sent += 1
        db.session.commit()
    return sent
