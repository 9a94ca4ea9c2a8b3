"""The API's description of a series' credit and a member's certificate standing (see core/schemas.py)."""

from typing import Literal

from pydantic import Field

from ..core.schemas import Input, Output, Text, column_length
from . import services
from .models import SeriesCredit, SeriesCreditLine
from .rules import BODIES

Body = Literal[tuple(BODIES)]
# Why a meeting did not count in full, or why there is no certificate (certificates.rules).
ReasonCode = Literal["late", "left_early", "absent", "excused", "too_few_meetings", "no_credit_line"]


class CreditLineCreate(Input):
    body: Body
    amount: Text(10) = Field("", examples=["19.25"], description="Empty: the body states no figure")
    credit_type: Text(column_length(SeriesCreditLine.credit_type)) = Field("", description="Empty: the body's own")
    disciplines: list[Text(60)] = Field(default_factory=list, max_length=20, description="Empty: the body's own")
    statement: Text(2000) = Field("", description="Empty: the body's standard statement")


class CreditLine(Output):
    body: Body
    body_name: str
    credit_type: str
    amount: str | None = Field(examples=["19.25"], description="null: the body states no figure")
    statement: str


class StoredCreditLine(CreditLine):
    id: int
    disciplines: list[str]

    @classmethod
    def of(cls, line: SeriesCreditLine) -> "StoredCreditLine":
        return cls(id=line.id, **services.line_of(line).to_json(), disciplines=list(line.disciplines))


class Credit(Output):
    """A series' credit settings and its credit lines by accrediting body."""

    minutes_per_meeting: int
    min_meetings: int
    grace_minutes: int = Field(description="How late, or how early to leave, still counts as the whole meeting")
    statements: list[str]
    lines: list[StoredCreditLine]

    @classmethod
    def of(cls, credit: SeriesCredit) -> "Credit":
        return cls(minutes_per_meeting=credit.minutes_per_meeting, min_meetings=credit.min_meetings,
                   grace_minutes=credit.grace_minutes, statements=list(credit.statement_lines),
                   lines=[StoredCreditLine.of(line) for line in credit.lines])


class Shortfall(Output):
    code: ReasonCode
    meeting_number: int | None


class Standing(Output):
    eligible: bool
    full_meetings: int
    lines: list[CreditLine] = Field(description="The lines for the caller's discipline")
    reasons: list[Shortfall]
    certificate_number: str | None
