"""Column types that keep the domain's rules at the database boundary."""

from datetime import UTC
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.types import TypeDecorator

from .labels import LabelledStrEnum

CENT = Decimal("0.01")
# Money columns are 64-bit integers of cents: room for any real fee, and a hard bound on input.
MAX_CENTS = 2**63 - 1
MAX_AMOUNT = Decimal(MAX_CENTS) / 100


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



class StatusColumn(TypeDecorator):
    """A status stored as its plain code in a VARCHAR (the schema is unchanged) and read back as its
    LabelledStrEnum (core/labels.py). Writing a code the enum does not know raises, so a typo never
    reaches the database."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[LabelledStrEnum], length: int):
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)
