"""The rotation's scheduled jobs. A job is the unit of work: it commits what the services flushed, series by series
(each with its claims), so a crash loses at most the series in hand and repeats nothing."""

from ..extensions import db
from ..jobs.registry import job
from .announcements import announce, announced_series, send_digest, settled_series
from .reminders import send_presenter_reminders


@job("presenter-reminders", every_seconds=300)
def presenter_reminders(moment):
    sent = send_presenter_reminders(moment)
    db.session.commit()
    return sent


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
    for series in announced_series(moment):
        sent += send_digest(series, moment)
        db.session.commit()
    return sent
