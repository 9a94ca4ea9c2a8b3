"""Forgetting sign-ins that can no longer be used, so the table holds live browsers, not history."""

from ..extensions import db
from ..jobs.registry import job
from .signins import forget_ended


@job("forget-ended-sign-ins", every_seconds=3600)
def forget_ended_sign_ins(moment):
    count = forget_ended(moment)
    db.session.commit()
    return count
