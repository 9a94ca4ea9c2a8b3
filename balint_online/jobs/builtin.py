"""The platform's jobs. Importing this module registers them."""

from ..notifications.services import deliver_outbox
from .registry import job


@job("deliver-mail", every_seconds=30)
def deliver_mail(moment):
    return deliver_outbox()
