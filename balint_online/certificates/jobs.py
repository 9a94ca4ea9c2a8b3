from ..extensions import db
from ..jobs.registry import job
from .services import due_certificates, issue_due_certificate


@job("issue-certificates", every_seconds=3600)
def issue_certificates(moment) -> int:
    """After a series ends, a certificate for every enrolled member who attended enough, each committed
    at once so that one failure never holds back the others' certificates."""
    issued = 0
    for series_id, user_id in due_certificates(moment):
        if issue_due_certificate(series_id, user_id) is not None:
            db.session.commit()
            issued += 1
    return issued
