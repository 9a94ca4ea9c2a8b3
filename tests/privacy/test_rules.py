"""When an erasure must wait: the plain rule."""

from decimal import Decimal

from balint_online.privacy.rules import Holding, LedSeries, Refusal, erasure_refusals


def holding(**overrides) -> Holding:
    facts = {"series_id": 1, "series_title": "Evening group", "live": False, "series_over": True,
             "balance": Decimal("0.00"), "refund_due": Decimal("0.00"), "currency": "USD", **overrides}
    return Holding(**facts)


def test_nothing_held_and_nothing_owed_means_no_reason_to_wait():
    assert erasure_refusals([holding(), holding(live=True)], [LedSeries(2, "Past group", over=True)]) == ()


def test_a_place_in_a_series_not_over_waits_but_an_ended_application_does_not():
    assert erasure_refusals([holding(live=True, series_over=False)], []) == (Refusal("live_place", 1, "Evening group"),)
    assert erasure_refusals([holding(live=False, series_over=False)], []) == ()


def test_money_owed_either_way_waits():
    assert erasure_refusals([holding(balance=Decimal("75.00"))], []) == (
        Refusal("owes", 1, "Evening group", Decimal("75.00"), "USD"),)
    # A refund recorded and unpaid, and money held beyond what is kept and not yet recorded as a refund.
    assert erasure_refusals([holding(refund_due=Decimal("100.00"), balance=Decimal("-20.00"))], []) == (
        Refusal("owed", 1, "Evening group", Decimal("120.00"), "USD"),)


def test_leading_a_series_not_over_waits():
    assert erasure_refusals([], [LedSeries(3, "Morning group", over=False)]) == (Refusal("leads", 3, "Morning group"),)
