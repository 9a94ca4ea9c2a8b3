"""Imports every feature's models so that SQLAlchemy and Alembic see the whole schema."""

from .accounts.models import ApiToken, Membership, PasswordReset, User  # noqa: F401
from .series.models import Meeting, Series, series_leaders  # noqa: F401
from .notifications.models import OutboxMessage  # noqa: F401
