"""The pure aid rules: eligibility, the order of refusals, the limit, and what an award gives back."""

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import product

import pytest

from balint_online.accounts.models import DISCIPLINES
from balint_online.aid import rules
from balint_online.aid.rules import GROUPS, Applicant, Criterion, fits, is_eligible, refusal_to_apply, refusal_to_award
from balint_online.core.prices import REFUND_AID_AWARDED, REFUND_REASONS, refund_for_aid

D = Decimal
# The Jerome and Maureen Lebowitz Scholarship (seed 000): "reimbursement of course registration for
# nurse practitioners and family medicine or surgery residents".
LEBOWITZ = [GROUPS[k][1] for k in ("nurse_practitioners", "family_medicine_residents", "surgery_residents")]


@pytest.mark.parametrize("discipline,training,specialty", list(product(
    DISCIPLINES, rules.TRAINING_STATUSES, rules.SPECIALTIES)))
def test_lebowitz_eligibility_over_every_combination(discipline, training, specialty):
    who = Applicant(discipline, training, specialty)
    expected = discipline == "nurse_practitioner" or (training == "resident"
                                                      and specialty in ("family_medicine", "surgery"))
    assert is_eligible(LEBOWITZ, who) is expected


def test_no_criteria_means_everyone_registered_and_empty_parts_mean_any():
    assert is_eligible([], Applicant("other", "none"))
    assert fits(Criterion(), Applicant("psychologist", "student", "other"))
    assert not fits(Criterion(training=("fellow",)), Applicant("physician", "resident"))


def test_criteria_round_trip_through_json():
    for criterion in LEBOWITZ:
        assert Criterion.from_json(criterion.to_json()) == criterion


def apply_args(**overrides):
    args = {"registered": True, "on": date(2026, 7, 31), "deadline": date(2026, 7, 31), "criteria": LEBOWITZ,
            "who": Applicant("nurse_practitioner", "none"), "already_applied": False}
    return {**args, **overrides}


def test_register_first_then_apply_by_the_deadline_inclusive():
    assert refusal_to_apply(**apply_args()) is None  # on the deadline day itself
    assert refusal_to_apply(**apply_args(on=date(2026, 8, 1))) == rules.DEADLINE_PASSED
    assert refusal_to_apply(**apply_args(deadline=None, on=date(2027, 1, 1))) is None
    assert refusal_to_apply(**apply_args(registered=False)) == rules.NOT_REGISTERED
    assert refusal_to_apply(**apply_args(who=Applicant("psychologist", "none"))) == rules.NOT_ELIGIBLE
    assert refusal_to_apply(**apply_args(already_applied=True)) == rules.ALREADY_APPLIED


def test_refusals_to_apply_come_in_a_fixed_order():
    worst = apply_args(registered=False, on=date(2026, 8, 1), who=Applicant("other", "none"), already_applied=True)
    assert refusal_to_apply(**worst) == rules.NOT_REGISTERED
    assert refusal_to_apply(**{**worst, "registered": True}) == rules.DEADLINE_PASSED
    assert refusal_to_apply(**{**worst, "registered": True, "deadline": None}) == rules.NOT_ELIGIBLE


def test_deadlines_are_dates_not_instants():
    with pytest.raises(TypeError):
        refusal_to_apply(**apply_args(on=datetime(2026, 7, 31, tzinfo=UTC)))


def award_args(**overrides):
    args = {"kind": "full_tuition", "aid_status": "submitted", "registration_status": "enrolled",
            "already_aided": False, "awards_made": 0, "max_awards": 2}
    return {**args, **overrides}


def test_full_tuition_for_at_most_two_accepted_registrants():
    # "full tuition support for up to two individuals who have been accepted into" the course (seed 000).
    assert refusal_to_award(**award_args(awards_made=0)) is None
    assert refusal_to_award(**award_args(awards_made=1)) is None
    assert refusal_to_award(**award_args(awards_made=2)) == rules.LIMIT_REACHED
    assert refusal_to_award(**award_args(awards_made=5, max_awards=None)) is None
    for status in ("pending", "waitlisted", "offered"):
        assert refusal_to_award(**award_args(registration_status=status)) == rules.NOT_ACCEPTED
        assert refusal_to_award(**award_args(kind="reimbursement", registration_status=status)) is None


@pytest.mark.parametrize("kind,aid_status,registration,aided,made", list(product(
    rules.KINDS, rules.STATUSES, ("pending", "enrolled", "withdrawn"), (False, True), (0, 2))))
def test_every_award_refusal_has_its_reason(kind, aid_status, registration, aided, made):
    refusal = refusal_to_award(kind=kind, aid_status=aid_status, registration_status=registration,
                               already_aided=aided, awards_made=made, max_awards=2)
    if aid_status != "submitted":
        assert refusal == rules.NOT_SUBMITTED
    elif registration == "withdrawn":
        assert refusal == rules.REGISTRATION_ENDED
    elif kind == "full_tuition" and registration != "enrolled":
        assert refusal == rules.NOT_ACCEPTED
    elif aided:
        assert refusal == rules.ALREADY_AIDED
    elif made >= 2:
        assert refusal == rules.LIMIT_REACHED
    else:
        assert refusal is None


def test_unknown_kinds_are_refused_loudly():
    with pytest.raises(ValueError):
        refusal_to_award(**award_args(kind="loan"))
    with pytest.raises(ValueError):
        rules.award_amount("loan", D("875.00"))


def test_both_programmes_cover_the_whole_registration():
    for kind in rules.KINDS:
        assert rules.award_amount(kind, D("620.00")) == D("620.00")


def test_statement_length_is_bounded():
    assert rules.statement_problem("short") == "too_short"
    assert rules.statement_problem("x" * rules.STATEMENT_MIN) is None
    assert rules.statement_problem("   " + "x" * rules.STATEMENT_MAX + "   ") is None
    assert rules.statement_problem("x" * (rules.STATEMENT_MAX + 1)) == "too_long"
    assert rules.statement_problem(None) == "too_short"


@pytest.mark.parametrize("price,paid,award,back", [
    ("875.00", "875.00", "875.00", "875.00"),  # reimbursed after paying in full
    ("875.00", "400.00", "875.00", "400.00"),  # part-paid: all of it comes back
    ("875.00", "0.00", "875.00", "0.00"),
    ("875.00", "875.00", "300.00", "300.00"),  # a partial award gives back only the award
    ("875.00", "500.00", "300.00", "0.00"),  # still owes 575, has paid 500: nothing back
    ("875.00", "700.00", "300.00", "125.00"),
    ("875.00", "875.00", "1000.00", "875.00"),  # never more than was paid
])
def test_refund_for_aid_takes_the_award_as_one_more_input_to_what_is_owed(price, paid, award, back):
    decision = refund_for_aid(price=D(price), paid=D(paid), award=D(award), label="Lebowitz Scholarship")
    assert decision.amount == D(back)
    assert decision.amount == sum(line.amount for line in decision.lines)
    assert decision.reason == REFUND_AID_AWARDED in REFUND_REASONS
    assert "Lebowitz Scholarship" in decision.lines[-1].label
