"""Continuing-education credit: who earns a certificate and for how many hours. Plain functions."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class CreditSettings:
    minutes_per_meeting: int  # credit for one meeting attended in full (usually its length)
    min_meetings: int  # meetings a member must attend to receive a certificate
    statements: tuple[str, ...]  # accreditation statements printed on the certificate


@dataclass(frozen=True)
class CertificateFacts:
    """Everything a certificate says; stored when issued, so a reissue prints the same facts."""

    number: str
    member_name: str
    discipline: str
    series_title: str
    leaders: tuple[str, ...]
    first_date: date
    last_date: date
    meetings_held: int
    meetings_attended: int
    hours: Decimal
    statements: tuple[str, ...]
    society: str
    issued_on: date


def credit_hours(meetings_attended: int, minutes_per_meeting: int) -> Decimal:
    """Hours to the quarter hour, rounded half up, as accrediting bodies count them."""
    quarters = (Decimal(meetings_attended * minutes_per_meeting) / 15).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (quarters / 4).quantize(Decimal("0.01"))


def is_eligible(meetings_attended: int, settings: CreditSettings) -> bool:
    return meetings_attended >= settings.min_meetings > 0 and settings.minutes_per_meeting > 0
