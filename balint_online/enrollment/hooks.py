"""Enrollment follows the series: when the society cancels, every live application ends with a full refund."""

from ..core.clock import now
from ..core.signals import series_changed
from ..pricing.services import paid_total, refund_in_full
from .models import LIVE_STATUSES
from .services import _move, _notify, series_applications


@series_changed.connect
def on_series_cancelled(series, change, actor=None, reason="", **_):
    if change != "cancelled":
        return
    for application in series_applications(series):
        if application.status not in LIVE_STATUSES:
            continue
        _move(application, LIVE_STATUSES, "cancelled", actor, action="series_cancelled", reason=reason,
              ended_at=now(), end_reason=reason)
        if paid_total(application) > 0:
            refund_in_full(application, declined=False)
        _notify(application, "series_cancelled", reason=reason)
    series.seats_taken = 0
