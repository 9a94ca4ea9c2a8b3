"""The rotation following a change of roster or meetings: the one step a flow lets fail.

A re-plan that fails unexpectedly must not undo the change that caused it (a member enrolled, a
meeting moved): its own writes are undone in a savepoint and the failure is logged with its
traceback at ERROR, never silently; the next re-plan repairs the plan.
"""

import logging
from collections.abc import Callable

from ..extensions import db
from ..rotation import services as rotation
from ..series.models import Series

log = logging.getLogger(__name__)


def _isolated(step: Callable, series: Series, reason: str, actor) -> None:
    try:
        with db.session.begin_nested():
            step(series, reason=reason, actor=actor)
    except Exception:
        log.exception("The rotation of series %s could not follow: %s", series.id, reason)


def replan(series: Series, reason: str, actor) -> None:
    """Re-plan the turns still to come after `reason` happened."""
    _isolated(rotation.refresh, series, reason, actor)


def clear(series: Series, reason: str, actor) -> None:
    """A cancelled series drops every turn still to come."""
    _isolated(rotation.clear_future, series, reason, actor)
