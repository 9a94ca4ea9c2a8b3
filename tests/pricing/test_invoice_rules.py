"""The documents' rules, without a database: numbers, what a credit note takes back, the accountant's period."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from balint_online.invoicing.rules import Period, credit_due, document_number, parse_period

D = Decimal


def test_numbers_carry_the_prefix_year_and_place():
    assert document_number("BO", 2026, 123) == "BO-2026-000123"
    assert document_number("CN", 2027, 7) == "CN-2027-000007"


@pytest.mark.parametrize(("invoiced", "credited", "charged", "due"), [
    ("800.00", "0.00", "800.00", "0.00"),    # still owes it all: nothing to credit
    ("800.00", "0.00", "100.00", "700.00"),  # withdrew before the deadline: the fee is kept
    ("800.00", "0.00", "0.00", "800.00"),    # ended unpaid, or a waiver: all of it
    ("800.00", "700.00", "100.00", "0.00"),  # credited before: a repeat adds nothing
    ("800.00", "700.00", "0.00", "100.00"),  # then an aid award covers the rest
    ("800.00", "0.00", "-50.00", "800.00"),  # more owed back than was paid for: never below zero
    ("0.00", "0.00", "100.00", "0.00"),      # a charge above the invoice is not credited
])
def test_a_credit_note_takes_back_what_the_invoice_asks_beyond_the_charge(invoiced, credited, charged, due):
    assert credit_due(invoiced=D(invoiced), credited=D(credited), charged=D(charged)) == D(due)


def test_a_period_includes_both_days_in_the_society_s_zone():
    period = parse_period("2026-03-01", "2026-03-31")
    assert period == Period(date(2026, 3, 1), date(2026, 3, 31))
    assert period.instants("Europe/London") == (datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
                                               datetime(2026, 3, 31, 23, 0, tzinfo=UTC))  # BST from 29 March
    assert parse_period("2026-03-01", "2026-03-01").instants("UTC")[1] == datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(("first", "last", "says"), [
    (None, "2026-01-01", "'from' must be a date"), ("2026-01-01", "", "'to' must be a date"),
    ("2026-02-30", "2026-03-01", "'from' must be a date"), ("20260101", "2026-03-01", "'from' must be a date"),
    ("2026-03-02", "2026-03-01", "must not be after"), ("0001-01-01", "2026-03-01", "'from': Must fall between"),
])
def test_a_period_that_is_not_one_says_why(first, last, says):
    with pytest.raises(ValueError, match=says):
        parse_period(first, last)
