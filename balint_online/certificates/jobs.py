from ..jobs.registry import job
from .services import issue_due


@job("issue-certificates", every_seconds=3600)
def issue_certificates(moment):
    return issue_due(moment)
