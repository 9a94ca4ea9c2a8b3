"""Series follow the pinned zone rules: after a tzdata upgrade, meetings still to come are re-planned."""

from ..jobs.registry import job
from .rezone import replan_all


@job("zone-rules", every_seconds=3600)
def follow_zone_rules(moment):
    return replan_all(moment)
