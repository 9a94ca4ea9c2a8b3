"""Series follow the pinned zone rules: after a tzdata upgrade, meetings still to come are re-planned."""

from ..extensions import db
from ..flows.series import follow_zone_rules as follow
from ..jobs.registry import job
from ..series.models import Series
from ..series.rezone import series_on_other_rules


@job("zone-rules", every_seconds=3600)
def follow_zone_rules(moment) -> int:
    """Each series is its own unit of work, committed at once: one that fails never holds back the others."""
    total = 0
    for series_id in series_on_other_rules(moment):
        total += len(follow(db.session.get_one(Series, series_id), moment))
        db.session.commit()
    return total
