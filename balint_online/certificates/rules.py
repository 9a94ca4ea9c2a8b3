"""Continuing-education credit: which meetings count, who earns a certificate, which credit lines it
carries, and why one did not come. Plain functions over plain values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class CreditBody:
    name: str
    credit_type: str  # what the body's credit is called, as printed
    disciplines: tuple[str, ...]  # whom its credit is for, by default
    statement: str  # the accreditation statement, as the society prints it


# The accrediting bodies, as the society's pages name them (seed 000, "Continuing Education"; seed 002).
# The statements are the pages' words; a series' credit line may override them (e.g. with its approval number).
BODIES = {
    "aafp": CreditBody(
        "American Academy of Family Physicians", "AAFP Prescribed credit", ("physician",),
        "AMA/AAFP Equivalency: AAFP Prescribed credit is accepted by the American Medical Association as equivalent to "
        "AMA PRA Category 1 Credit toward the AMA Physician's Recognition Award. When applying for the AMA PRA, "
        "Prescribed credit earned must be reported as Prescribed, not as Category 1."),
    "apa": CreditBody(
        "American Psychological Association", "CE credits", ("psychologist",),
        "The American Balint Society is approved by the American Psychological Association to sponsor continuing "
        "education for psychologists. The American Balint Society maintains responsibility for this program and its "
        "content."),
    "nasw": CreditBody(
        "National Association of Social Workers", "continuing education contact hours", ("social_worker",),
        "This program is Approved by the National Association of Social Workers for continuing education contact "
        "hours."),
    "aavsb": CreditBody(
        "American Association of Veterinary State Boards", "credits", ("veterinarian",),
        "This program is approved by the American Association of Veterinary State Boards."),
}


@dataclass(frozen=True)
class CreditLine:
    """One body's credit for a series. `amount` None: the body states no figure (seed 000: AAFP
    "Determination of credit is pending")."""

    body: str  # a key of BODIES
    credit_type: str
    amount: Decimal | None
    disciplines: tuple[str, ...]
    statement: str

    def to_json(self) -> dict:
        return {"body": self.body, "body_name": BODIES[self.body].name if self.body in BODIES else self.body,
                "credit_type": self.credit_type,
                "amount": None if self.amount is None else f"{self.amount.normalize():f}",
                "statement": self.statement}


def lines_for(discipline: str, lines: Iterable[CreditLine]) -> tuple[CreditLine, ...]:
    """The credit lines a member of this discipline receives."""
    return tuple(line for line in lines if discipline in line.disciplines)


@dataclass(frozen=True)
class CreditSettings:
    minutes_per_meeting: int  # credit for one meeting attended in full (usually its length)
    min_meetings: int  # meetings a member must attend in full to receive a certificate
    statements: tuple[str, ...]  # accreditation statements for everyone (when the series has no credit lines)
    grace_minutes: int = 10  # how late an arrival, or how early a departure, still counts as the whole meeting
    lines: tuple[CreditLine, ...] = ()


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
    # The member's credit lines as printed: [{"body", "body_name", "credit_type", "amount", "statement"}].
    credits: tuple[dict, ...] = ()


def credit_hours(meetings_attended: int, minutes_per_meeting: int) -> Decimal:
    """Hours to the quarter hour, rounded half up, as accrediting bodies count them."""
    quarters = (Decimal(meetings_attended * minutes_per_meeting) / 15).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (quarters / 4).quantize(Decimal("0.01"))


def is_eligible(meetings_attended: int, settings: CreditSettings) -> bool:
    return meetings_attended >= settings.min_meetings > 0 and settings.minutes_per_meeting > 0


# -- one meeting: did the member attend the whole of it? --------------------------------------------

FULL = "full"
LATE = "late"  # arrived after the start and its grace period
LEFT_EARLY = "left_early"  # the provider saw them leave before the end (less the grace period)
ABSENT = "absent"
EXCUSED = "excused"  # the leaders excused them: not attended, but said so


@dataclass(frozen=True)
class Presence:
    """What is known of one member at one meeting. Arrivals come from the platform's join link and the
    provider; departures only from a provider that reports them (Zoom's participant_left)."""

    starts_at: datetime
    ends_at: datetime
    entered_at: datetime | None = None  # the platform's join link
    joined_at: datetime | None = None  # the provider's first arrival
    left_at: datetime | None = None  # the provider's last departure
    leaders_word: str | None = None  # present | absent | excused


def meeting_verdict(p: Presence, grace: timedelta) -> str:
    """FULL only for the whole meeting: there by the start (within `grace`) and still there at the end.

    The leaders' word wins: "present" counts as the whole meeting, whatever the records say.
    """
    if p.leaders_word == "present":
        return FULL
    if p.leaders_word == "absent":
        return ABSENT
    if p.leaders_word == "excused":
        return EXCUSED
    arrivals = [t for t in (p.entered_at, p.joined_at) if t is not None]
    if not arrivals:
        return ABSENT
    if min(arrivals) > p.starts_at + grace:
        return LATE
    if p.left_at is not None and p.left_at < p.ends_at - grace:
        return LEFT_EARLY
    return FULL


# -- the certificate: earned, and if not, why ------------------------------------------------------

NO_CREDIT_LINE = "no_credit_line"
TOO_FEW_MEETINGS = "too_few_meetings"


@dataclass(frozen=True)
class Decision:
    eligible: bool
    full_meetings: int
    lines: tuple[CreditLine, ...]
    # (code, meeting number) for each meeting that did not count, then (code, None) for the rest.
    reasons: tuple[tuple[str, int | None], ...] = field(default=())


def decide(verdicts: Iterable[tuple[int, str]], settings: CreditSettings, discipline: str) -> Decision:
    """`verdicts` are (meeting number, meeting_verdict) for every meeting held.

    A certificate needs at least `min_meetings` whole meetings and, when the series has credit lines,
    one for the member's discipline (without any lines the series' statements are for everyone).
    """
    verdicts = sorted(verdicts)
    full = sum(1 for _, v in verdicts if v == FULL)
    lines = lines_for(discipline, settings.lines)
    reasons: list[tuple[str, int | None]] = []
    if not is_eligible(full, settings):
        reasons += [(v, number) for number, v in verdicts if v != FULL] or [(TOO_FEW_MEETINGS, None)]
    if settings.lines and not lines:
        reasons.append((NO_CREDIT_LINE, None))
    return Decision(eligible=not reasons, full_meetings=full, lines=lines, reasons=tuple(reasons))

