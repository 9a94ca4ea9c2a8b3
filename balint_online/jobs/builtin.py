"""Imports every feature's `jobs` module, which registers its jobs; mail delivery runs last."""

from ..features import feature_modules
from ..notifications.delivery import deliver_outbox
from .registry import job

feature_modules("jobs")


@job("deliver-mail", every_seconds=30)
def deliver_mail(moment):
    return deliver_outbox()
