"""The rules of the society's documents, without Flask or a database: numbers, what a credit note
takes back, who is billed, and the period an accountant asks for."""

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..core.money import ZERO
from ..core.schemas import day_problem

INVOICE, CREDIT_NOTE = "invoice", "credit_note"

# Why a credit note was issued: the stored code and the words printed on it.
CREDIT_REASONS = {
    "withdrawn": "Application withdrawn",
    "declined": "Application declined",
    "offer_lapsed": "Offer of a place not taken up in time",
    "cancelled": "Series cancelled by the society",
    "scholarship": "Scholarship granted: fee waived",
    "aid_awarded": "Financial aid awarded: fee covered",
    "payer_changed": "Invoice re-issued to a new payer",
}


def document_number(prefix: str, year: int, sequence: int) -> str:
    """BO-2026-000123: the series' prefix, the calendar year of issue, the place in that year's sequence."""
    return f"{prefix}-{year}-{sequence:06d}"


def credit_due(*, invoiced: Decimal, credited: Decimal, charged: Decimal) -> Decimal:
    """What a credit note must take back so that the invoice, less what was credited before, asks for
    no more than the member is charged now (pricing.services.Account.charged); 0.00 when it already does.

    Documents only ever come down: a charge above what was invoiced (money kept from someone never
    invoiced) is shown by the receipts, not by a larger credit."""
    return max(invoiced - credited - max(charged, ZERO), ZERO)


@dataclass(frozen=True)
class Payer:
    """Who an invoice is addressed to: the member, and the organisation paying for them if any."""

    name: str
    email: str
    organisation: str = ""
    address: str = ""
    po_reference: str = ""
    tax_id: str = ""

    def columns(self) -> dict:
        """The invoice's payer_* columns."""
        return {f"payer_{f.name}": getattr(self, f.name) for f in fields(self)}


def payer_of(invoice) -> Payer:
    return Payer(**{f.name: getattr(invoice, f"payer_{f.name}") for f in fields(Payer)})


# -- the accountant's period -------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def instants(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC: from midnight of the first day to midnight after the last, in `tz`."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.first, time(), tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_period(first: str | None, last: str | None) -> Period:
    """The period from two ISO dates (YYYY-MM-DD), both days included; ValueError saying what is wrong."""
    days = []
    for name, value in (("from", first), ("to", last)):
        try:
            if not value or len(value) != 10:
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{name}' must be a date written YYYY-MM-DD.") from None
        if problem := day_problem(day):
            raise ValueError(f"'{name}': {problem}")
        days.append(day)
    if days[0] > days[1]:
        raise ValueError("'from' must not be after 'to'.")
    return Period(*days)
