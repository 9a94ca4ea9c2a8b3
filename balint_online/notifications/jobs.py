"""Mail delivery. notifications is the last feature (features.FEATURES), so delivery sends what every other
job queued in the same run, the leaders' daily summaries (workspace/jobs.py) included."""

from ..jobs.registry import job
from .delivery import deliver_outbox


@job("deliver-mail", every_seconds=30)
def deliver_mail(moment):
    return deliver_outbox()
