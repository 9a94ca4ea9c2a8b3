"""The API's description of money, quotes and payments (see core/schemas.py)."""

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, PlainValidator, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from ..core.pricecategories import CLAIMS
from ..core.prices import CATEGORIES, format_money, money
from ..core.schemas import Day, Input, Instant, Output, Query, Text, column_length
from ..enrollment.models import AuditEntry
from .models import PAYMENT_METHODS, Payment, PaymentStatus

_AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"


def _amount(value: Any) -> Decimal:
    try:
        return money(value)
    except (TypeError, ValueError) as exc:
        raise PydanticCustomError("money", 'Must be an amount written as a string such as "875.00": {problem}.',
                                  {"problem": str(exc)}) from None


# In: a string (or whole number) of at most two places, within a 64-bit money column; never a float.
MoneyIn = Annotated[Decimal, PlainValidator(_amount),
                    WithJsonSchema({"type": "string", "pattern": _AMOUNT_PATTERN, "example": "875.00"})]
# Out: always a string with two places.
Money = Annotated[Decimal, PlainSerializer(format_money, return_type=str, when_used="json"),
                  WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "875.00"})]
Currency = Annotated[str, Field(pattern="^[A-Z]{3}$", examples=["USD"])]
Category = Literal[CATEGORIES]


def _with_claims(name: str, base: type[BaseModel], *, required: bool) -> Any:
    # One boolean per claim of core/pricecategories.py, named by its key ("trainee": the contract's).
    fields: dict[str, Any] = {
        claim.key: (bool, Field(... if required else False, description=claim.description)) for claim in CLAIMS}
    return create_model(name, __base__=base, __module__=__name__, **fields)


# Bases for the bodies and queries that carry what an applicant claims, and the answers that show it.
# Built from the registry at import; a type checker sees the plain bases.
if TYPE_CHECKING:  # one name to a line: mypy takes only a plain assignment as a class alias
    ClaimsIn = Input
    ClaimsQuery = Query
    ClaimsOut = Output
else:
    ClaimsIn = _with_claims("ClaimsIn", Input, required=False)
    ClaimsQuery = _with_claims("ClaimsQuery", Query, required=False)
    ClaimsOut = _with_claims("ClaimsOut", Output, required=True)


def claims_of(model: BaseModel) -> frozenset[str]:
    """The claims a ClaimsIn or ClaimsQuery says were made."""
    return frozenset(claim.key for claim in CLAIMS if getattr(model, claim.key))


def claim_answers(claims) -> dict[str, bool]:
    """A ClaimsOut's fields for the claims stored on an application."""
    return {claim.key: claim.key in claims for claim in CLAIMS}


class Line(Output):
    label: str
    amount: Money


class Quote(Output):
    """What an applicant owes and why, line by line."""

    category: Category
    rate_category: Category
    period: Literal["early", "regular"]
    amount: Money
    currency: Currency
    lines: list[Line]


class QuoteQuery(ClaimsQuery):
    on: Day | None = Field(None, description="The date to price on (default: today in the series' zone)")


class Rate(Output):
    early: Money | None = None
    regular: Money


def _positive(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise PydanticCustomError("money", "Must be more than 0.00.")
    return amount


class PaymentCreate(Input):
    amount: Annotated[MoneyIn, AfterValidator(_positive)]
    method: Literal[tuple(PAYMENT_METHODS)]
    reference: Text(column_length(Payment.reference)) = ""
    idempotency_key: Text(column_length(Payment.idempotency_key), min_length=1) | None = Field(
        None, description="As the Idempotency-Key header, which wins when both are sent")


class PaymentOut(Output):
    id: int
    application_id: int
    amount: Money
    currency: Currency
    method: str
    reference: str
    received_at: Instant

    @classmethod
    def of(cls, payment: Payment) -> "PaymentOut":
        return cls.model_validate(payment)


class RecordedPayment(PaymentOut):
    payment_status: PaymentStatus


class Recorded(Output):
    recorded: list[PaymentOut]


class ScholarshipGrant(Input):
    reason: Text(column_length(AuditEntry.reason)) = ""


class Amount(Output):
    amount: Money
    currency: Currency


class RefundOut(Output):
    amount: Money
    currency: Currency
    reason: str
    lines: list[Line]
    due_by: Day | None = Field(description="When the refund is owed by (none when nothing is owed)")

