"""Reminders to presenters a week and a day before their turn (exactly once each: keyed outbox messages)."""

from ..jobs.registry import job
from .services import send_presenter_reminders


@job("presenter-reminders", every_seconds=300)
def presenter_reminders(moment):
    return send_presenter_reminders(moment)
