"""Column types that keep the domain's rules at the database boundary."""

from datetime import UTC
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

from .money import CENT, MAX_CENTS


class UTCDateTime(TypeDecorator):
    """An instant: stored as naive UTC (SQLite keeps no offsets), read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for an instant; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Money(TypeDecorator):
    """A Decimal amount with two places, stored as integer cents so no database rounds it."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"money must be a Decimal, not {type(value).__name__}")
        cents = value.quantize(CENT) * 100
        if cents != value * 100:
            raise ValueError(f"{value} has more than two decimal places")
        if abs(cents) > MAX_CENTS:
            raise ValueError(f"{value} does not fit a money column")
        return int(cents)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(CENT)

