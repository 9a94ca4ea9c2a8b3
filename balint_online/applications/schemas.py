"""The API's description of applications (see core/schemas.py and CONTRACT.md). An application's answer shows
its money (pricing's account and schemas), so it sits above pricing, with the applications' endpoints."""

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema, model_serializer

from ..core.schemas import Input, Instant, Output, Text, column_length
from ..enrollment import attestation, services
from ..enrollment.models import Application, ApplicationStatus, AttestationText, AuditEntry
from ..pricing.schemas import (
    Amount,
    ClaimsIn,
    ClaimsOut,
    Currency,
    Money,
    PaymentStatus,
    Quote,
    RefundOut,
    claim_answers,
)
from ..pricing.services import account, payment_status

# Checked item by item by the service, which names each item missing or not `true` ("attestation.confidentiality").
AttestationIn = Annotated[dict[str, Any] | None, WithJsonSchema({
    "type": "object", "required": [i.key for i in attestation.ITEMS if i.required],
    "properties": {i.key: {"type": "boolean", **({"enum": [True]} if i.required else {})} for i in attestation.ITEMS},
    "description": "One boolean per item of the commitments in force, by key (GET /commitments). Requirements must "
                   "be true (a missing or false one is a 422 naming it); advice items are recorded when sent, never "
                   "required. Admins may edit the items; the keys here are the built-in wording's.",
})]


def _attestation_required(schema: dict) -> None:
    # Documented as required; parsed as optional so that the service names each item an absent one lacks.
    schema["properties"]["attestation"].pop("default", None)
    schema["required"] = ["attestation"]


class ApplicationCreate(ClaimsIn):
    model_config = ConfigDict(json_schema_extra=_attestation_required)

    note: Text(column_length(Application.note)) = Field("", description="For the leaders; no patient details")
    attestation: AttestationIn = None


class Reason(Input):
    reason: Text(column_length(Application.end_reason)) = ""


class CommitmentItem(Output):
    key: str
    text: str
    required: bool = Field(description="false for advice, which is shown, never required")
    contact: str | None = Field(description="Advice: whom to contact")

    @classmethod
    def of(cls, item: attestation.Item, **more) -> "CommitmentItem":
        return cls(key=item.key, text=item.text, required=item.required, contact=item.contact or None, **more)


class AttestationItem(CommitmentItem):
    confirmed: bool


class Attestation(Output):
    version: int
    agreed_at: Instant
    items: list[AttestationItem]


class Member(Output):
    id: int
    name: str
    email: str
    discipline: str


class HistoryEntry(Output):
    at: Instant
    action: str
    from_: str | None = Field(serialization_alias="from")
    to: str | None
    reason: str
    by: str


class ApplicationOut(ClaimsOut):
    id: int
    series_id: int
    user_id: int
    status: ApplicationStatus
    price: Quote = Field(description="The quote locked in when they applied")
    amount_due: Money
    currency: Currency
    scholarship: bool
    paid: Money
    refund_due: Amount = Field(description="Owed back and not yet paid out: follows every payment, whenever it arrived")
    refunded: Amount = Field(description="Paid out")
    payment_status: PaymentStatus
    applied_at: Instant
    waitlist_position: int | None
    offer_expires_at: Instant | None
    note: str
    attestation: Attestation
    reason: str | None = Field(description="Why it ended, once it has")
    member: Member | None = Field(None, description="Leaders and admins only")
    history: list[HistoryEntry] | None = Field(None, description="Leaders and admins only: the audit log")

    @classmethod
    def of(cls, application: Application, *, manager=None, positions: Mapping[int, int] | None = None,
           **more) -> "ApplicationOut":
        """`manager`: the leader or admin asking, who also sees the member and the history their role may see.
        `positions`: the waiting list's places by application id, when the series' applications are loaded
        (`services.waitlist_positions`); otherwise the application's own is counted by a query."""
        # Every amount from one account, so that paid, owed back and paid out always agree.
        money = account(application)
        extra = {}
        if manager is not None:
            extra = {"member": application.user, "history": [_history(e) for e in application.history_for(manager)]}
        return cls(
            id=application.id, series_id=application.series_id, user_id=application.user_id, status=application.status,
            **claim_answers(application.claims), price=application.quote, amount_due=application.amount_due,
            currency=application.currency, scholarship=application.scholarship, paid=money.paid,
            refund_due={"amount": money.refund_due, "currency": application.currency},
            refunded={"amount": money.refund_paid, "currency": application.currency},
            payment_status=payment_status(application), applied_at=application.applied_at,
            waitlist_position=(services.waitlist_position(application) if positions is None
                               else positions.get(application.id)),
            offer_expires_at=application.offer_expires_at if application.status == "offered" else None,
            note=application.note, reason=application.end_reason or None,
            attestation={"version": application.attestation_text.version, "agreed_at": application.attested_at,
                         "items": [AttestationItem.of(item, confirmed=confirmed)
                                   for item, confirmed in application.attestation_record]},
            **extra, **more)

    @model_serializer(mode="wrap")
    def _without_manager_fields(self, handler):
        # An applicant's answer leaves out what only leaders see, rather than showing it as null.
        data = handler(self)
        for name in ("member", "history"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


def _history(entry: AuditEntry) -> dict:
    return {"at": entry.at, "action": entry.action, "from_": entry.from_status, "to": entry.to_status,
            "reason": entry.reason, "by": entry.by}


class Withdrawn(ApplicationOut):
    refund: RefundOut


class RosterEntry(ApplicationOut):
    discipline: str


class Roster(Output):
    series_id: int
    capacity: int
    seats_left: int
    applications: list[RosterEntry]



class CommitmentItemIn(Input):
    # Checked by attestation.check_text, which names the item at fault ("items.2.key").
    key: Text(40) = Field(
        description="Lower-case letters, digits and underscores; stable: the applications API uses it")
    text: Text(attestation.TEXT_MAX)
    required: bool = True
    contact: Text(300) = Field("", description="Advice (required false): whom to contact")


class CommitmentsSet(Input):
    intro: Text(attestation.TEXT_MAX)
    items: list[CommitmentItemIn] = Field(min_length=1, max_length=50)


class Commitments(Output):
    """The commitments applicants agree to, in the society's words."""

    version: int
    intro: str
    items: list[CommitmentItem]

    @classmethod
    def of(cls, text: AttestationText) -> "Commitments":
        return cls(version=text.version, intro=text.intro, items=[CommitmentItem.of(i) for i in text.item_list])
