from ..jobs.registry import job
from .services import deliver_outbox


@job("deliver-mail", every_seconds=30)
def deliver_mail(moment):
    return deliver_outbox()
