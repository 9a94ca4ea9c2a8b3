"""The one place that says what time it is, so tests can set the clock."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def now() -> datetime:
    """The current instant, aware UTC. `FROZEN_NOW` (ISO) is honoured only in testing."""
    if has_app_context():
        frozen = current_app.config.get("FROZEN_NOW")
        if frozen and current_app.config.get("TESTING"):
            value = datetime.fromisoformat(frozen) if isinstance(frozen, str) else frozen
            return value.astimezone(UTC)
    return datetime.now(UTC)


def today_in(tz: str) -> date:
    return now().astimezone(ZoneInfo(tz)).date()
