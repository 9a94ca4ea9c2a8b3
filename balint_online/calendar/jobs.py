"""Meeting reminders, 24 hours and 1 hour before, to everyone each meeting is for."""

from ..jobs.registry import job
from .services import queue_reminders


@job("meeting-reminders", every_seconds=60)
def meeting_reminders(moment):
    return queue_reminders(moment)
