"""A circuit breaker per video provider for the way in, kept in the database so every process shares it.

A join that needs the provider (BigBlueButton signs its link for the running meeting, so it asks
the server to create the meeting again at the door; Zoom registers a person once) waits at most
VIDEO_JOIN_TIMEOUT. After FAILURES_TO_OPEN such failures in a row the circuit opens for OPEN_FOR:
joins are answered at once with "try again in a minute" instead of each holding a worker thread
while the provider does not answer. The first join after that tries again (half-open): success
closes the circuit, failure opens it for another OPEN_FOR.
"""

from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import VideoCircuit

FAILURES_TO_OPEN = 3
OPEN_FOR = timedelta(seconds=60)


def is_open(provider: str, moment: datetime) -> bool:
    state = db.session.get(VideoCircuit, provider, populate_existing=True)
    return state is not None and state.open_until is not None and state.open_until > moment


def record_failure(provider: str, moment: datetime, error: str) -> None:
    """One more failure in a row; opens the circuit at the threshold. A conditional UPDATE, so
    concurrent failures in several processes all count. The caller commits."""
    if db.session.get(VideoCircuit, provider) is None:
        try:
            with db.session.begin_nested():
                db.session.add(VideoCircuit(provider=provider))
        except IntegrityError:
            pass  # another process made the row first
    db.session.execute(
        update(VideoCircuit).where(VideoCircuit.provider == provider)
        .values(failures=VideoCircuit.failures + 1, last_error=error[:600],
                open_until=case((VideoCircuit.failures + 1 >= FAILURES_TO_OPEN, moment + OPEN_FOR),
                                else_=VideoCircuit.open_until))
        .execution_options(synchronize_session=False)
    )


def record_success(provider: str) -> None:
    """The provider answered: close the circuit (only a write when it was not already closed)."""
    db.session.execute(
        update(VideoCircuit).where(VideoCircuit.provider == provider, VideoCircuit.failures > 0)
        .values(failures=0, open_until=None, last_error="").execution_options(synchronize_session=False)
    )
