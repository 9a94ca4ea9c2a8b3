"""Meeting reminders, 24 hours and 1 hour before, to everyone each meeting is for."""

from ..extensions import db
from ..jobs.registry import job
from .services import due_reminders, queue_reminder


@job("meeting-reminders", every_seconds=60)
def queue_reminders(moment) -> int:
    """Each reminder is committed on its own, so a crash loses at most the one in hand."""
    queued = 0
    for reminder in due_reminders(moment):
        queued += queue_reminder(reminder)
        db.session.commit()
    return queued
