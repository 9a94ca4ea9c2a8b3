"""The rotation's scheduled job: reminding presenters. The announcement of turns and the digests of what changed
carry calendar objects, so their jobs are calendar's (calendar/jobs.py), run right after this one."""

from ..extensions import db
from ..jobs.registry import job
from .reminders import send_presenter_reminders


@job("presenter-reminders", every_seconds=300)
def presenter_reminders(moment):
    sent = send_presenter_reminders(moment)
    db.session.commit()
    return sent
