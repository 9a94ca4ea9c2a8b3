"""Column types that keep the domain's rules at the database boundary."""

from datetime import UTC

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.types import TypeDecorator

from .labels import LabelledStrEnum
from .money import from_cents, to_cents


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
        return None if value is None else to_cents(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_cents(value)



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
