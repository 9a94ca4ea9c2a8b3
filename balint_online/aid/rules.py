"""Financial aid: who may apply, who is eligible, whether an award fits the limit, and what it is worth.

Plain functions over plain values (no Flask, no database). Each returns a stable code, or data, and
never prose: the pages and the API word the codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ..core.labels import N_, LabelledStrEnum

# The kinds of programme a society runs. The seed page (000) has one of each: the ABS Scholarship
# "provides full tuition support for up to two individuals who have been accepted into an ABS
# Leadership Training Intensive course", the Jerome and Maureen Lebowitz Scholarship "provides
# reimbursement of course registration for nurse practitioners and family medicine or surgery residents".
KINDS = {
    "full_tuition": N_("Full tuition support"),
    "reimbursement": N_("Reimbursement of the course registration"),
}
# Full tuition goes to people "accepted into" the course: the award needs a place, not just an application.
NEEDS_ACCEPTANCE = {"full_tuition": True, "reimbursement": False}

# What an applicant says of their training (the trainee price is for "residents, students, fellows").
TRAINING_STATUSES = {"none": N_("Not in training"), "resident": N_("Resident"), "fellow": N_("Fellow"),
                     "student": N_("Student")}
SPECIALTIES = {
    "family_medicine": N_("Family medicine"),
    "surgery": N_("Surgery"),
    "internal_medicine": N_("Internal medicine"),
    "pediatrics": N_("Pediatrics"),
    "psychiatry": N_("Psychiatry"),
    "other": N_("Another specialty"),
    "": N_("Not applicable"),
}

class AidStatus(LabelledStrEnum):
    SUBMITTED = "submitted", N_("Awaiting review")
    AWARDED = "awarded", N_("Awarded")
    DECLINED = "declined", N_("Declined")


STATUSES = AidStatus.labels()

# A short statement of need; the form says it must not describe patients.
STATEMENT_MIN = 20
STATEMENT_MAX = 1200


@dataclass(frozen=True)
class Criterion:
    """One group a programme is for; an empty tuple means "any". A person fits when every part fits."""

    disciplines: tuple[str, ...] = ()
    training: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"disciplines": list(self.disciplines), "training": list(self.training),
                "specialties": list(self.specialties)}

    @classmethod
    def from_json(cls, raw: Mapping) -> Criterion:
        return cls(**{key: tuple(raw.get(key) or ()) for key in ("disciplines", "training", "specialties")})


# The groups an administrator ticks when describing who a programme is for (the Lebowitz
# Scholarship: the first three): the box's label, who fits, and the words inside a sentence
# ("This programme is for nurse practitioners"), which some languages do not get by lower-casing.
GROUPS = {
    "nurse_practitioners": (N_("Nurse practitioners"), Criterion(disciplines=("nurse_practitioner",)),
                            N_("nurse practitioners")),
    "family_medicine_residents": (N_("Family medicine residents"),
                                  Criterion(training=("resident",), specialties=("family_medicine",)),
                                  N_("family medicine residents")),
    "surgery_residents": (N_("Surgery residents"), Criterion(training=("resident",), specialties=("surgery",)),
                          N_("surgery residents")),
    "trainees": (N_("Residents, students and fellows"), Criterion(training=("resident", "fellow", "student")),
                 N_("residents, students and fellows")),
}


@dataclass(frozen=True)
class Applicant:
    discipline: str
    training: str  # a key of TRAINING_STATUSES
    specialty: str = ""  # a key of SPECIALTIES


def fits(criterion: Criterion, who: Applicant) -> bool:
    return all(not allowed or value in allowed for allowed, value in (
        (criterion.disciplines, who.discipline), (criterion.training, who.training),
        (criterion.specialties, who.specialty)))


def is_eligible(criteria: Iterable[Criterion], who: Applicant) -> bool:
    """Any one of the criteria suffices; a programme with none is open to everyone registered."""
    criteria = tuple(criteria)
    return not criteria or any(fits(c, who) for c in criteria)


def _require_date(value, name: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date in the series' time zone")


# Why an aid application is refused, in the order checked.
NOT_REGISTERED = "not_registered"
DEADLINE_PASSED = "deadline_passed"
NOT_ELIGIBLE = "not_eligible"
ALREADY_APPLIED = "already_applied"


def refusal_to_apply(*, registered: bool, on: date, deadline: date | None, criteria: Iterable[Criterion],
                     who: Applicant, already_applied: bool) -> str | None:
    """None when the application may be submitted, else the first reason it may not.

    "You must complete the registration process prior to submitting one of the financial aid
    applications": `registered` is a live registration for the series. The deadline is a date,
    inclusive, in the series' zone.
    """
    _require_date(on, "on")
    if not registered:
        return NOT_REGISTERED
    if deadline is not None:
        _require_date(deadline, "deadline")
        if on > deadline:
            return DEADLINE_PASSED
    if not is_eligible(criteria, who):
        return NOT_ELIGIBLE
    if already_applied:
        return ALREADY_APPLIED
    return None


# Why an award is refused.
NOT_SUBMITTED = "not_submitted"
NOT_ACCEPTED = "not_accepted"
REGISTRATION_ENDED = "registration_ended"
ALREADY_AIDED = "already_aided"
LIMIT_REACHED = "limit_reached"


def refusal_to_award(*, kind: str, aid_status: str, registration_status: str, already_aided: bool,
                     awards_made: int, max_awards: int | None) -> str | None:
    """None when an administrator may award this application, else why not.

    `awards_made` counts the programme's awards for the same series; `max_awards` None means no
    limit. The caller holds a lock on the programme while it counts, so the limit holds.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of aid {kind!r}")
    if aid_status != "submitted":
        return NOT_SUBMITTED
    if registration_status not in ("pending", "waitlisted", "offered", "enrolled"):
        return REGISTRATION_ENDED
    if NEEDS_ACCEPTANCE[kind] and registration_status != "enrolled":
        return NOT_ACCEPTED
    if already_aided:
        return ALREADY_AIDED
    if max_awards is not None and awards_made >= max_awards:
        return LIMIT_REACHED
    return None


def award_amount(kind: str, price: Decimal) -> Decimal:
    """Both of the seed's programmes cover the whole registration: full tuition, or its reimbursement."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of aid {kind!r}")
    return price


def statement_problem(text: str) -> str | None:
    """A short statement of need: too short, too long, or fine (None)."""
    length = len((text or "").strip())
    if length < STATEMENT_MIN:
        return "too_short"
    if length > STATEMENT_MAX:
        return "too_long"
    return None
