"""Telling members their turns (turns.py), then meeting reminders, 24 hours and 1 hour before, to everyone each
meeting is for. A job is the unit of work: it commits what the services flushed, series by series (each with
its claims), so a crash loses at most the series in hand and repeats nothing."""

from ..extensions import db
from ..jobs.registry import job
from .services import due_reminders, queue_reminder
from .turns import announce, send_digests, settled_series


@job("rotation-announcements", every_seconds=300)
def rotation_announcements(moment):
    sent = 0
    for series in settled_series(moment):
        sent += announce(series, moment)
        db.session.commit()
    return sent


@job("rotation-digests", every_seconds=60)
def rotation_digests(moment):
    sent = 0
    for told in send_digests(moment):
        if told:  # a series with nothing to tell wrote nothing
            db.session.commit()
        sent += told
    return sent


@job("meeting-reminders", every_seconds=60)
def queue_reminders(moment) -> int:
    """Each reminder is committed on its own, so a crash loses at most the one in hand."""
    queued = 0
    for reminder in due_reminders(moment):
        queued += queue_reminder(reminder)
        db.session.commit()
    return queued
