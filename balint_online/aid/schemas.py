"""The API's description of financial aid (see core/schemas.py)."""

from typing import Literal

from pydantic import Field

from ..accounts.models import DISCIPLINES
from ..core.schemas import Day, Id, Input, Instant, Output, Text, column_length
from ..pricing.schemas import Currency, Money
from . import rules
from .models import AidApplication, AidProgramme

Training = Literal[tuple(rules.TRAINING_STATUSES)]


class Criterion(Input):
    """Fits when every non-empty list holds the person's value."""

    disciplines: list[Literal[tuple(DISCIPLINES)]] = Field(default_factory=list, max_length=len(DISCIPLINES))
    training: list[Training] = Field(default_factory=list, max_length=len(rules.TRAINING_STATUSES))
    specialties: list[Literal[tuple(rules.SPECIALTIES)]] = Field(
        default_factory=list, max_length=len(rules.SPECIALTIES))


class CriterionOut(Output):
    disciplines: list[str]
    training: list[str]
    specialties: list[str]


class ProgrammeCreate(Input):
    series_id: Id | None = Field(None, description="Left out: the society's programme, for every series")
    kind: Literal[tuple(rules.KINDS)]
    name: Text(column_length(AidProgramme.name), min_length=1)
    description: Text(4000) = ""
    max_awards: int | None = Field(None, ge=1, le=1000, description="Per series")
    eligible: list[Criterion] = Field(default_factory=list, max_length=20,
                                      description="Any one suffices; empty: anyone registered")
    deadline: Day | None = None


class Programme(Output):
    id: int
    series_id: int | None = Field(description="null: every series")
    kind: Literal[tuple(rules.KINDS)]
    name: str
    description: str
    max_awards: int | None = Field(description="Per series")
    eligible: list[CriterionOut] = Field(description="Any one suffices; empty: anyone registered")
    deadline: Day | None

    @classmethod
    def of(cls, p: AidProgramme) -> "Programme":
        return cls(id=p.id, series_id=p.series_id, kind=p.kind, name=p.name, description=p.description,
                   max_awards=p.max_awards, eligible=[rules.Criterion.from_json(c).to_json() for c in p.criteria or ()],
                   deadline=p.deadline)


class Programmes(Output):
    programmes: list[Programme]


class AidApply(Input):
    programme_id: Id
    # Checked with the statement by the service, which names every field at fault at once.
    training_status: Text(column_length(AidApplication.training_status)) = Field(
        "none", json_schema_extra={"enum": list(rules.TRAINING_STATUSES)})
    specialty: Text(column_length(AidApplication.specialty)) = Field(
        "", json_schema_extra={"enum": list(rules.SPECIALTIES)})
    statement: Text(column_length(AidApplication.statement)) = Field(description="No patient details")


class AidDecision(Input):
    reason: Text(column_length(AidApplication.decision_note)) = ""


class Aid(Output):
    id: int
    programme_id: int
    application_id: int
    status: rules.AidStatus
    training_status: str
    specialty: str
    statement: str
    amount: Money | None
    currency: Currency
    decision_note: str | None
    submitted_at: Instant
    decided_at: Instant | None

    @classmethod
    def of(cls, a: AidApplication) -> "Aid":
        return cls(id=a.id, programme_id=a.programme_id, application_id=a.application_id, status=a.status,
                   training_status=a.training_status, specialty=a.specialty, statement=a.statement, amount=a.amount,
                   currency=a.application.currency, decision_note=a.decision_note or None,
                   submitted_at=a.submitted_at, decided_at=a.decided_at)
