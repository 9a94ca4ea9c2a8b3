"""One description per API resource: pydantic schemas that parse and bound what comes in, serialise
what goes out, and are what the OpenAPI document is generated from (balint_online/api/openapi.py).

Bounds come from the database: ids fit their INTEGER columns, texts their String columns, dates a
range every date column can hold. Every text the API or a form accepts passes `text_problem`.
"""

from datetime import date, datetime
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .timefmt import iso_z

# Ids are INTEGER columns: 32-bit signed on PostgreSQL.
ID_MAX = 2**31 - 1
# Dates people can mean in this domain; far-off years only come from typos or probes.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
_YEAR = r"(20[0-9]{2}|2100)"


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored (NUL bytes, lone surrogates), or None: the one rule for every text field."""
    if "\x00" in value:
        return _("Must not contain NUL characters.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return _("Must be valid Unicode text.")
    return None


def _clean(value: str) -> str:
    if problem := text_problem(value):
        raise PydanticCustomError("text", problem)
    return value


def Text(max_length: int, *, min_length: int = 0):
    """A stripped text of at most `max_length` characters (take it from the column: `column_length`)."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length), AfterValidator(_clean)]


def column_length(attribute) -> int:
    """The length of a String column, so that a schema's bound is the database's."""
    return attribute.property.columns[0].type.length


Id = Annotated[int, Field(ge=1, le=ID_MAX)]


def day_problem(day: date) -> str | None:
    """Why a date is beyond what the domain can mean, or None: the one range for every date field."""
    if not FIRST_DAY <= day <= LAST_DAY:
        return _("Must fall between %(first)d and %(last)d.", first=FIRST_DAY.year, last=LAST_DAY.year)
    return None


def _in_range(day: date) -> date:
    if problem := day_problem(day):
        raise PydanticCustomError("date_range", problem)
    return day


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return _in_range(value)
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return _in_range(date.fromisoformat(value))
    except ValueError:
        raise PydanticCustomError("date", "Must be a date written YYYY-MM-DD.") from None


def _local(value: Any) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value
    try:
        if not isinstance(value, str) or len(value) != 16 or value[10] != "T":
            raise ValueError
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise PydanticCustomError("local_datetime",
                                  "Must be a local wall-clock time written YYYY-MM-DDTHH:MM.") from None
    _in_range(moment.date())
    return moment


Day = Annotated[date, PlainValidator(_day), PlainSerializer(date.isoformat, return_type=str, when_used="json"),
                WithJsonSchema({"type": "string", "format": "date", "pattern": rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$"})]
LocalDateTime = Annotated[
    datetime, PlainValidator(_local),
    PlainSerializer(lambda m: m.strftime("%Y-%m-%dT%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}$",
                    "example": "2026-11-02T19:00", "description": "Wall-clock time in the series' zone"}),
]
Instant = Annotated[datetime, PlainSerializer(iso_z, return_type=str, when_used="json"),
                    WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-11-03T00:00:00Z"})]


class Input(BaseModel):
    """A request body or query: JSON types exactly (no "5" for 5, no 1 for true), texts stripped.

    Unknown fields are ignored, so clients written against a later version keep working.
    """

    model_config = ConfigDict(strict=True, str_strip_whitespace=True, extra="ignore")


class Query(Input):
    """Query strings carry only text: numbers and booleans are read from it."""

    model_config = ConfigDict(strict=False)


class Output(BaseModel):
    """A response body, built from the domain's objects in one place (a classmethod `of`)."""

    model_config = ConfigDict(from_attributes=True, serialize_by_alias=True)


class Error(BaseModel):
    """Every refusal: a machine code, a sentence for people, and the fields at fault."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="machine code")
    message: str = Field(description="for people")
    fields: dict[str, str] = Field(description="each field at fault, with its problem")
