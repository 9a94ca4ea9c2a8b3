"""Tests for balint_online.core.prices (pure pricing and refund rules)."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balint_online.core.pricecategories import BY_KEY
from balint_online.core.prices import (
    CANCELLED_BY_SOCIETY,
    CATEGORIES,
    CATEGORY_LABELS,
    DECLINED,
    DEFAULT_CANCELLATION_FEE,
    OFFER_LAPSED,
    REFUND_CANCELLED_BY_SOCIETY,
    REFUND_DECLINED_AFTER_ACCEPTANCE,
    REFUND_REASONS,
    REFUND_WITHDRAWN_AFTER_DEADLINE,
    REFUND_WITHDRAWN_BY_DEADLINE,
    WITHDRAWN,
    PriceTableError,
    Quote,
    QuoteLine,
    Rate,
    RefundDecision,
    category_for,
    earns_complimentary_membership,
    fill_trainee_cells,
    format_money,
    local_date,
    money,
    parse_price_table,
    period_for,
    price_range,
    quote,
    refund_due_by,
    refund_for_society_cancellation,
    refund_for_withdrawal,
    refund_owed,
    refund_top_up,
    table_to_api,
)

D = Decimal


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def assert_money(value):
    """Every amount the module hands out is a two-place Decimal (catches floats)."""
    assert type(value) is Decimal
    assert value.as_tuple().exponent == -2
    assert not value.is_signed() or value != 0, "negative zero would render as -0.00"


def assert_all_money(result):
    assert_money(result.amount)
    for line in result.lines:
        assert_money(line.amount)
    assert result.amount == sum(line.amount for line in result.lines)


def claims_of(trainee: bool) -> set[str]:
    return {"trainee"} if trainee else set()


# A realistic society table, every cell explicit, in the API shape.
SOCIETY_RAW = {
    "standard": {"early": "800.00", "regular": "875.00"},
    "member": {"early": "650.00", "regular": "725.00"},
    "trainee": {"early": "400.00", "regular": "450.00"},
    "member_trainee": {"early": "300.00", "regular": "350.00"},
}
SOCIETY = parse_price_table(SOCIETY_RAW)
DEADLINE = date(2026, 12, 1)

# Hand-written so the expectations do not share code with the engine.
SOCIETY_EXPECTED = {
    "standard": {"early": D("800.00"), "regular": D("875.00")},
    "member": {"early": D("650.00"), "regular": D("725.00")},
    "trainee": {"early": D("400.00"), "regular": D("450.00")},
    "member_trainee": {"early": D("300.00"), "regular": D("350.00")},
}
GRANTED = " (granted: member of another Balint society)"

# (is_member, trainee, member_rate_granted, category, label before the period)
APPLICANTS = {
    "non-member": (False, False, False, "standard", "Non-member rate"),
    "member": (True, False, False, "member", "Society member rate"),
    "trainee": (False, True, False, "trainee", "Trainee (resident, student, fellow) rate"),
    "member-trainee": (True, True, False, "member_trainee", "Member trainee rate"),
    "granted-member": (False, False, True, "member", "Society member rate" + GRANTED),
    "granted-member-trainee": (False, True, True, "member_trainee", "Member trainee rate" + GRANTED),
    # Already a member: the grant changes nothing and is not mentioned.
    "member-also-granted": (True, False, True, "member", "Society member rate"),
}

# Instants at local midnight edges around the 1 Dec deadline. Auckland is
# UTC+13 in December (NZDT), Honolulu UTC-10 all year.
# (zone, instant, local date, period)
INSTANTS = {
    "auckland-day-before-last-second": (
        "Pacific/Auckland", utc(2026, 11, 30, 10, 59, 59), date(2026, 11, 30), "early"),
    "auckland-on-first-second-utc-nov-30": (
        "Pacific/Auckland", utc(2026, 11, 30, 11, 0, 0), date(2026, 12, 1), "early"),
    "auckland-on-last-second": (
        "Pacific/Auckland", utc(2026, 12, 1, 10, 59, 59), date(2026, 12, 1), "early"),
    "auckland-after-first-second-utc-dec-1": (
        "Pacific/Auckland", utc(2026, 12, 1, 11, 0, 0), date(2026, 12, 2), "regular"),
    "honolulu-day-before-last-second-utc-dec-1": (
        "Pacific/Honolulu", utc(2026, 12, 1, 9, 59, 59), date(2026, 11, 30), "early"),
    "honolulu-on-first-second": (
        "Pacific/Honolulu", utc(2026, 12, 1, 10, 0, 0), date(2026, 12, 1), "early"),
    "honolulu-on-last-second-utc-dec-2": (
        "Pacific/Honolulu", utc(2026, 12, 2, 9, 59, 59), date(2026, 12, 1), "early"),
    "honolulu-after-first-second": (
        "Pacific/Honolulu", utc(2026, 12, 2, 10, 0, 0), date(2026, 12, 2), "regular"),
}


# --------------------------------------------------------------------------
# money / format_money
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("875", "875.00"),
        ("875.5", "875.50"),
        ("875.50", "875.50"),
        (" 875.00 ", "875.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("0.01", "0.01"),
        ("1.500", "1.50"),
        ("0012.30", "12.30"),
        (875, "875.00"),
        (0, "0.00"),
        (D("875.5"), "875.50"),
        (D("1E+3"), "1000.00"),
        (D("-0.00"), "0.00"),
        ("92233720368547758.07", "92233720368547758.07"),  # the most a 64-bit money column holds
    ],
)
def test_money_parses_to_two_places(value, expected):
    result = money(value)
    assert_money(result)
    assert str(result) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "such as 875.00"),
        ("abc", "such as 875.00"),
        ("1,000.00", "such as 875.00"),
        ("1e3", "such as 875.00"),
        ("1_000", "such as 875.00"),
        (".5", "such as 875.00"),
        ("5.", "such as 875.00"),
        ("+5", "such as 875.00"),
        ("\u0661\u0662", "such as 875.00"),  # Arabic-Indic digits
        ("NaN", "such as 875.00"),
        ("Infinity", "such as 875.00"),
        (D("NaN"), "finite"),
        (D("Infinity"), "finite"),
        (D("-Infinity"), "finite"),
        ("-1", "negative"),
        ("-0.01", "negative"),
        (D("-5.00"), "negative"),
        (-1, "negative"),
        ("1.005", "two decimal places"),
        ("0.001", "two decimal places"),
        (D("875.555"), "two decimal places"),
        ("92233720368547758.08", "smaller"),  # a cent more than a 64-bit money column holds
        ("9" * 40, "smaller"),
        (10**40, "smaller"),
    ],
)
def test_money_rejects_bad_values(value, message):
    with pytest.raises(ValueError, match=message):
        money(value)


@pytest.mark.parametrize("value", [0.1, 875.0, 0.0, float("nan"), True, False, None, [], b"875", {"a": 1}])
def test_money_rejects_floats_and_other_types(value):
    with pytest.raises(TypeError):
        money(value)


def test_money_float_message_says_use_a_string():
    with pytest.raises(TypeError, match="string"):
        money(0.1)


@pytest.mark.parametrize(
    "amount, expected",
    [
        (D("875.00"), "875.00"),
        (D("875.5"), "875.50"),
        (D("-750.00"), "-750.00"),
        (D("0"), "0.00"),
        (D("-0.00"), "0.00"),
        (D("1234567.8"), "1234567.80"),
        (D("1E+3"), "1000.00"),
    ],
)
def test_format_money(amount, expected):
    assert format_money(amount) == expected


@pytest.mark.parametrize("amount", [875.0, "875.00", 875, None])
def test_format_money_rejects_non_decimals(amount):
    with pytest.raises(TypeError):
        format_money(amount)


@pytest.mark.parametrize("amount", [D("1.005"), D("NaN"), D("Infinity")])
def test_format_money_rejects_sub_cent_and_non_finite(amount):
    with pytest.raises(ValueError):
        format_money(amount)


# --------------------------------------------------------------------------
# Rate
# --------------------------------------------------------------------------


def test_rate_normalises_amounts():
    rate = Rate(regular="875", early=D("800.0"))
    assert rate == Rate(regular=D("875.00"), early=D("800.00"))
    assert_money(rate.regular)
    assert_money(rate.early)


def test_rate_early_defaults_to_none_and_may_equal_regular():
    assert Rate(regular=D("875.00")).early is None
    assert Rate(regular=D("875.00"), early=D("875.00")).early == D("875.00")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"regular": D("0.00")}, "positive"),
        ({"regular": D("875.00"), "early": D("0.00")}, "positive"),
        ({"regular": D("-1.00")}, "negative"),
        ({"regular": D("875.00"), "early": D("875.01")}, "must not exceed"),
        ({"regular": D("875.001")}, "two decimal places"),
    ],
)
def test_rate_rejects_bad_cells(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Rate(**kwargs)


def test_rate_rejects_floats_and_positional_arguments():
    with pytest.raises(TypeError):
        Rate(regular=875.0)
    with pytest.raises(TypeError):
        Rate(regular=D("875.00"), early=800.0)
    with pytest.raises(TypeError):
        Rate(D("800.00"), D("875.00"))


def test_rate_is_immutable():
    rate = Rate(regular=D("875.00"))
    with pytest.raises(AttributeError):
        rate.regular = D("1.00")


# --------------------------------------------------------------------------
# parse_price_table / table_to_api / price_range
# --------------------------------------------------------------------------


def test_parse_society_table():
    assert {
        "standard": Rate(early=D("800.00"), regular=D("875.00")),
        "member": Rate(early=D("650.00"), regular=D("725.00")),
        "trainee": Rate(early=D("400.00"), regular=D("450.00")),
        "member_trainee": Rate(early=D("300.00"), regular=D("350.00")),
    } == SOCIETY
    for rate in SOCIETY.values():
        assert_money(rate.regular)
        assert_money(rate.early)


def test_parse_orders_categories_canonically():
    reversed_raw = dict(reversed(list(SOCIETY_RAW.items())))
    assert list(parse_price_table(reversed_raw)) == [c for c in CATEGORIES if c in SOCIETY_RAW]


@pytest.mark.parametrize(
    "cell",
    [
        {"regular": "875.00"},
        {"early": None, "regular": "875.00"},
        {"early": "", "regular": "875.00"},
        {"early": "   ", "regular": "875.00"},
        {"regular": 875},
        {"regular": " 875 "},
    ],
)
def test_parse_without_early_rate(cell):
    assert parse_price_table({"standard": cell}) == {"standard": Rate(regular=D("875.00"))}


def test_parse_leaves_null_categories_blank():
    table = parse_price_table({"standard": {"regular": "875.00"}, "trainee": None, "member_trainee": None})
    assert list(table) == ["standard"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({}, {"prices.standard": "is required"}),
        ({"standard": None}, {"prices.standard": "is required"}),
        ({"member": {"regular": "725.00"}}, {"prices.standard": "is required"}),
        (
            {"standard": {"regular": "875.00"}, "vip": {"regular": "1.00"}},
            {"prices.vip": "is not a category"},
        ),
        (
            {"standard": {"regular": "875.00"}, "Member": {"regular": "1.00"}},
            {"prices.Member": "is not a category"},
        ),
        ({"standard": {"early": "800.00"}}, {"prices.standard.regular": "is required"}),
        ({"standard": {"regular": ""}}, {"prices.standard.regular": "is required"}),
        ({"standard": {"regular": "-875.00"}}, {"prices.standard.regular": "negative"}),
        ({"standard": {"regular": "0.00"}}, {"prices.standard.regular": "positive"}),
        ({"standard": {"regular": "875.001"}}, {"prices.standard.regular": "two decimal places"}),
        ({"standard": {"regular": "abc"}}, {"prices.standard.regular": "such as 875.00"}),
        ({"standard": {"regular": 875.0}}, {"prices.standard.regular": "not a floating-point"}),
        ({"standard": {"regular": True}}, {"prices.standard.regular": "not bool"}),
        ({"standard": {"early": 800.5, "regular": "875.00"}}, {"prices.standard.early": "floating-point"}),
        (
            {"standard": {"early": "900.00", "regular": "875.00"}},
            {"prices.standard.early": "must not exceed the regular rate (875.00)"},
        ),
        (
            {"standard": {"regular": "875.00", "late": "900.00"}},
            {"prices.standard.late": "is not a rate field"},
        ),
        ({"standard": "875.00"}, {"prices.standard": "must be an object"}),
        ({"standard": ["800.00", "875.00"]}, {"prices.standard": "must be an object"}),
        (["standard"], {"prices": "must be an object"}),
        (None, {"prices": "must be an object"}),
        (
            {
                "standard": {"early": "900.00", "regular": "875.00"},
                "member": {"regular": 725.5},
                "trainee": {"early": "-1"},
                "guest": {},
            },
            {
                "prices.standard.early": "must not exceed",
                "prices.member.regular": "floating-point",
                "prices.trainee.early": "negative",
                "prices.trainee.regular": "is required",
                "prices.guest": "is not a category",
            },
        ),
    ],
)
def test_parse_reports_every_bad_field(raw, expected):
    with pytest.raises(PriceTableError) as info:
        parse_price_table(raw)
    errors = info.value.errors
    assert set(errors) == set(expected)
    for path, fragment in expected.items():
        assert fragment in errors[path], (path, errors[path])
    assert isinstance(info.value, ValueError)
    for path in expected:
        assert path in str(info.value)


def test_parse_uses_the_given_field_prefix():
    with pytest.raises(PriceTableError) as info:
        parse_price_table({"standard": {"regular": "x"}}, field_prefix="series.prices")
    assert list(info.value.errors) == ["series.prices.standard.regular"]


def test_table_to_api_round_trips():
    assert table_to_api(SOCIETY) == SOCIETY_RAW
    assert parse_price_table(table_to_api(SOCIETY)) == SOCIETY


def test_table_to_api_gives_none_for_missing_early_and_skips_blank_categories():
    table = {"standard": Rate(regular=D("875")), "trainee": Rate(early=D("400"), regular=D("450"))}
    assert table_to_api(table) == {
        "standard": {"early": None, "regular": "875.00"},
        "trainee": {"early": "400.00", "regular": "450.00"},
    }
    assert parse_price_table(table_to_api(table)) == table
    json.dumps(table_to_api(table))


@pytest.mark.parametrize(
    "table, error",
    [
        ({"member": Rate(regular=D("1.00"))}, ValueError),
        ({"standard": Rate(regular=D("1.00")), "vip": Rate(regular=D("1.00"))}, ValueError),
        ({"standard": {"regular": "875.00"}}, TypeError),
        ([("standard", Rate(regular=D("1.00")))], TypeError),
    ],
)
def test_functions_taking_tables_validate_them(table, error):
    for call in (
        lambda: table_to_api(table),
        lambda: price_range(table),
        lambda: fill_trainee_cells(table),
        lambda: quote(table, currency="EUR", on=DEADLINE, early_bird_deadline=None,
                      is_member=False, claims=()),
    ):
        with pytest.raises(error):
            call()


@pytest.mark.parametrize(
    "table, expected",
    [
        (SOCIETY, (D("300.00"), D("875.00"))),
        ({"standard": Rate(regular=D("875.00"))}, (D("875.00"), D("875.00"))),
        (
            {"standard": Rate(regular=D("875.00")), "member": Rate(early=D("500.00"), regular=D("900.00"))},
            (D("500.00"), D("900.00")),
        ),
    ],
)
def test_price_range(table, expected):
    low, high = price_range(table)
    assert (low, high) == expected
    assert_money(low)
    assert_money(high)


# --------------------------------------------------------------------------
# fill_trainee_cells
# --------------------------------------------------------------------------


def test_fill_default_twenty_percent():
    table = parse_price_table({
        "standard": {"early": "790.00", "regular": "865.00"},
        "member": {"early": "640.10", "regular": "715.35"},
    })
    filled = fill_trainee_cells(table)
    assert filled == {
        "standard": Rate(early=D("790.00"), regular=D("865.00")),
        "member": Rate(early=D("640.10"), regular=D("715.35")),
        "trainee": Rate(early=D("632.00"), regular=D("692.00")),
        "member_trainee": Rate(early=D("512.08"), regular=D("572.28")),
    }
    assert list(filled) == [c for c in CATEGORIES if c in filled]
    for rate in filled.values():
        assert_money(rate.early)
        assert_money(rate.regular)


@pytest.mark.parametrize(
    "base, percent, expected",
    [
        ("1.01", D("20"), "0.81"),  # 0.808 rounds up
        ("1.03", D("20"), "0.82"),  # 0.824 rounds down
        ("1.10", D("25"), "0.83"),  # 0.825: half-up, where half-even would give 0.82
        ("0.30", D("25"), "0.23"),  # 0.225: half-up again
        ("10.05", "12.5", "8.79"),  # 8.79375
        ("875.00", 0, "875.00"),
        ("875.00", "33.33", "583.36"),  # 583.3625
        ("0.05", D("20"), "0.04"),
    ],
)
def test_fill_rounds_half_up_to_cents(base, percent, expected):
    filled = fill_trainee_cells({"standard": Rate(regular=D(base), early=D(base))}, percent)
    assert filled["trainee"] == Rate(regular=D(expected), early=D(expected))
    assert_money(filled["trainee"].regular)


def test_fill_explicit_cells_win():
    table = parse_price_table({
        "standard": {"early": "800.00", "regular": "875.00"},
        "member": {"early": "650.00", "regular": "725.00"},
        "trainee": {"regular": "450.00"},
    })
    filled = fill_trainee_cells(table, D("50"))
    assert filled["trainee"] == Rate(regular=D("450.00"))  # kept, no early invented
    assert filled["member_trainee"] == Rate(early=D("325.00"), regular=D("362.50"))
    assert fill_trainee_cells(SOCIETY) == SOCIETY


def test_fill_keeps_missing_early_missing_and_needs_member_for_member_trainee():
    filled = fill_trainee_cells({"standard": Rate(regular=D("875.00"))})
    assert filled == {"standard": Rate(regular=D("875.00")), "trainee": Rate(regular=D("700.00"))}


def test_fill_refuses_a_discount_that_rounds_to_nothing():
    with pytest.raises(ValueError, match="positive"):
        fill_trainee_cells({"standard": Rate(regular=D("0.01"))}, 99)


def test_fill_does_not_mutate_input():
    table = {"standard": Rate(regular=D("875.00"))}
    fill_trainee_cells(table)
    assert table == {"standard": Rate(regular=D("875.00"))}


@pytest.mark.parametrize(
    "percent, error",
    [
        (20.0, TypeError),
        (True, TypeError),
        (None, TypeError),
        ("abc", ValueError),
        ("NaN", ValueError),
        (D("100"), ValueError),
        (-1, ValueError),
        ("150", ValueError),
    ],
)
def test_fill_rejects_bad_percent(percent, error):
    with pytest.raises(error):
        fill_trainee_cells(SOCIETY, percent)


# --------------------------------------------------------------------------
# category_for / period_for / local_date
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "is_member, trainee, expected",
    [
        (False, False, "standard"),
        (True, False, "member"),
        (False, True, "trainee"),
        (True, True, "member_trainee"),
    ],
)
def test_category_for(is_member, trainee, expected):
    assert category_for(is_member=is_member, claims=claims_of(trainee)) == expected


@pytest.mark.parametrize(
    "on, deadline, expected",
    [
        (date(2026, 11, 30), DEADLINE, "early"),
        (date(2026, 12, 1), DEADLINE, "early"),
        (date(2026, 12, 2), DEADLINE, "regular"),
        (date(2020, 1, 1), DEADLINE, "early"),
        (date(2026, 12, 1), None, "regular"),
        (date(2020, 1, 1), None, "regular"),
    ],
)
def test_period_for(on, deadline, expected):
    assert period_for(on, deadline) == expected


def test_period_for_refuses_datetimes():
    with pytest.raises(TypeError, match="local_date"):
        period_for(utc(2026, 12, 1, 12), DEADLINE)
    with pytest.raises(TypeError):
        period_for(date(2026, 12, 1), utc(2026, 12, 1))
    with pytest.raises(TypeError):
        period_for("2026-12-01", DEADLINE)


@pytest.mark.parametrize("case", list(INSTANTS), ids=list(INSTANTS))
def test_local_date_in_far_zones(case):
    zone, instant, expected_date, _ = INSTANTS[case]
    assert local_date(instant, zone) == expected_date


def test_utc_date_and_local_date_disagree_at_the_deadline():
    # 2 Dec UTC, still 1 Dec in Honolulu: early-bird still applies there.
    zone, instant, local, period = INSTANTS["honolulu-on-last-second-utc-dec-2"]
    assert instant.date() == date(2026, 12, 2) and local_date(instant, zone) == date(2026, 12, 1)
    assert period_for(instant.date(), DEADLINE) == "regular"
    assert period_for(local_date(instant, zone), DEADLINE) == period == "early"
    # 1 Dec UTC, already 2 Dec in Auckland: early-bird is over there.
    zone, instant, local, period = INSTANTS["auckland-after-first-second-utc-dec-1"]
    assert instant.date() == date(2026, 12, 1) and local_date(instant, zone) == date(2026, 12, 2)
    assert period_for(instant.date(), DEADLINE) == "early"
    assert period_for(local_date(instant, zone), DEADLINE) == period == "regular"


def test_local_date_accepts_non_utc_aware_instants():
    instant = datetime(2026, 12, 1, 23, 30, tzinfo=timezone(timedelta(hours=-10)))
    assert local_date(instant, "Pacific/Auckland") == date(2026, 12, 2)


def test_local_date_rejects_bad_input():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(datetime(2026, 12, 1, 12), "Pacific/Auckland")
    with pytest.raises(ValueError, match="unknown time zone"):
        local_date(utc(2026, 12, 1), "Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="unknown time zone"):
        local_date(utc(2026, 12, 1), "../../etc/passwd")
    with pytest.raises(TypeError):
        local_date(date(2026, 12, 1), "Pacific/Auckland")


# --------------------------------------------------------------------------
# quote: the full matrix
# --------------------------------------------------------------------------


@pytest.mark.parametrize("scholarship", [False, True], ids=["paying", "scholarship"])
@pytest.mark.parametrize("instant_case", list(INSTANTS))
@pytest.mark.parametrize("applicant", list(APPLICANTS))
def test_quote_matrix(applicant, instant_case, scholarship):
    is_member, trainee, granted, category, label = APPLICANTS[applicant]
    zone, instant, _, period = INSTANTS[instant_case]
    result = quote(
        SOCIETY,
        currency="NZD",
        on=local_date(instant, zone),
        early_bird_deadline=DEADLINE,
        is_member=is_member,
        claims=claims_of(trainee),
        member_rate_granted=granted,
        scholarship=scholarship,
    )
    price = SOCIETY_EXPECTED[category][period]
    suffix = ", early-bird (through 2026-12-01)" if period == "early" else ", regular"
    expected_lines = [QuoteLine(label + suffix, price)]
    if scholarship:
        expected_lines.append(QuoteLine("Scholarship: tuition waived", -price))
    assert result == Quote(
        category=category,
        rate_category=category,
        period=period,
        amount=D("0.00") if scholarship else price,
        currency="NZD",
        lines=tuple(expected_lines),
    )
    assert_all_money(result)


@pytest.mark.parametrize("applicant", list(APPLICANTS))
@pytest.mark.parametrize(
    "on, period",
    [(date(2026, 11, 30), "early"), (date(2026, 12, 1), "early"), (date(2026, 12, 2), "regular")],
)
def test_quote_with_trainee_cells_from_the_helper(applicant, on, period):
    table = fill_trainee_cells(parse_price_table({
        "standard": {"early": "800.00", "regular": "875.00"},
        "member": {"early": "650.00", "regular": "725.00"},
    }))
    expected = {
        "standard": {"early": D("800.00"), "regular": D("875.00")},
        "member": {"early": D("650.00"), "regular": D("725.00")},
        "trainee": {"early": D("640.00"), "regular": D("700.00")},
        "member_trainee": {"early": D("520.00"), "regular": D("580.00")},
    }
    is_member, trainee, granted, category, _ = APPLICANTS[applicant]
    result = quote(table, currency="EUR", on=on, early_bird_deadline=DEADLINE,
                   is_member=is_member, claims=claims_of(trainee), member_rate_granted=granted)
    assert (result.category, result.period, result.amount) == (category, period, expected[category][period])
    assert_all_money(result)


def test_quote_explicit_trainee_cell_beats_the_helper():
    table = fill_trainee_cells(parse_price_table({
        "standard": {"early": "800.00", "regular": "875.00"},
        "trainee": {"early": "400.00", "regular": "450.00"},
    }))
    result = quote(table, currency="EUR", on=date(2026, 12, 2), early_bird_deadline=DEADLINE,
                   is_member=False, claims={"trainee"})
    assert result.amount == D("450.00")


FALLBACK_TABLES = {
    "trainee-cheaper": {
        "standard": {"early": "800.00", "regular": "875.00"},
        "member": {"early": "650.00", "regular": "725.00"},
        "trainee": {"early": "400.00", "regular": "450.00"},
    },
    "member-cheaper": {
        "standard": {"early": "800.00", "regular": "875.00"},
        "member": {"early": "650.00", "regular": "725.00"},
        "trainee": {"early": "700.00", "regular": "760.00"},
    },
    # Cheapest differs by period: member early-bird, trainee regular.
    "mixed": {
        "standard": {"early": "800.00", "regular": "875.00"},
        "member": {"early": "450.00", "regular": "700.00"},
        "trainee": {"regular": "500.00"},
    },
    "standard-only": {"standard": {"early": "800.00", "regular": "875.00"}},
}
TRAINEE_LABEL = "Trainee (resident, student, fellow)"


@pytest.mark.parametrize(
    "table_name, is_member, trainee, granted, on, rate_category, amount, period, label",
    [
        ("trainee-cheaper", True, True, False, date(2026, 12, 1), "trainee", "400.00", "early",
         f"{TRAINEE_LABEL} rate (no Member trainee rate set), early-bird (through 2026-12-01)"),
        ("trainee-cheaper", True, True, False, date(2026, 12, 2), "trainee", "450.00", "regular",
         f"{TRAINEE_LABEL} rate (no Member trainee rate set), regular"),
        ("member-cheaper", True, True, False, date(2026, 12, 1), "member", "650.00", "early",
         "Society member rate (no Member trainee rate set), early-bird (through 2026-12-01)"),
        ("member-cheaper", True, True, False, date(2026, 12, 2), "member", "725.00", "regular",
         "Society member rate (no Member trainee rate set), regular"),
        ("mixed", True, True, False, date(2026, 11, 30), "member", "450.00", "early",
         "Society member rate (no Member trainee rate set), early-bird (through 2026-12-01)"),
        ("mixed", True, True, False, date(2026, 12, 2), "trainee", "500.00", "regular",
         f"{TRAINEE_LABEL} rate (no Member trainee rate set), regular"),
        ("mixed", False, True, False, date(2026, 12, 1), "trainee", "500.00", "regular",
         f"{TRAINEE_LABEL} rate, regular (no early-bird rate)"),
        ("standard-only", False, True, False, date(2026, 12, 1), "standard", "800.00", "early",
         f"Non-member rate (no {TRAINEE_LABEL} rate set), early-bird (through 2026-12-01)"),
        ("standard-only", True, False, False, date(2026, 12, 2), "standard", "875.00", "regular",
         "Non-member rate (no Society member rate set), regular"),
        ("standard-only", True, True, False, date(2026, 12, 2), "standard", "875.00", "regular",
         "Non-member rate (no Member trainee rate set), regular"),
        ("standard-only", False, False, True, date(2026, 12, 2), "standard", "875.00", "regular",
         "Non-member rate (granted: member of another Balint society) (no Society member rate set), regular"),
    ],
)
def test_quote_falls_back_when_a_cell_is_missing(
    table_name, is_member, trainee, granted, on, rate_category, amount, period, label
):
    table = parse_price_table(FALLBACK_TABLES[table_name])
    result = quote(table, currency="EUR", on=on, early_bird_deadline=DEADLINE,
                   is_member=is_member, claims=claims_of(trainee), member_rate_granted=granted)
    assert result.category == category_for(is_member=is_member or granted, claims=claims_of(trainee))
    assert result.rate_category == rate_category
    assert result.amount == D(amount)
    assert result.period == period
    assert result.lines == (QuoteLine(label, D(amount)),)


def test_quote_member_trainee_tie_goes_to_trainee_rate():
    table = parse_price_table({
        "standard": {"regular": "875.00"},
        "member": {"regular": "450.00"},
        "trainee": {"regular": "450.00"},
    })
    result = quote(table, currency="EUR", on=DEADLINE, early_bird_deadline=None,
                   is_member=True, claims={"trainee"})
    assert (result.rate_category, result.amount) == ("trainee", D("450.00"))


@pytest.mark.parametrize("on", [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)])
def test_quote_without_early_cell_charges_regular_in_early_period(on):
    table = parse_price_table({"standard": {"regular": "875.00"}})
    result = quote(table, currency="EUR", on=on, early_bird_deadline=DEADLINE,
                   is_member=False, claims=())
    assert (result.amount, result.period) == (D("875.00"), "regular")
    expected_suffix = ", regular (no early-bird rate)" if on <= DEADLINE else ", regular"
    assert result.lines[0].label == "Non-member rate" + expected_suffix


@pytest.mark.parametrize("on", [date(2020, 1, 1), DEADLINE, date(2030, 1, 1)])
def test_quote_without_deadline_is_always_regular(on):
    result = quote(SOCIETY, currency="EUR", on=on, early_bird_deadline=None,
                   is_member=True, claims=())
    assert (result.amount, result.period) == (D("725.00"), "regular")
    assert result.lines[0].label == "Society member rate, regular"


def test_quote_scholarship_with_fallback():
    table = parse_price_table(FALLBACK_TABLES["standard-only"])
    result = quote(table, currency="EUR", on=DEADLINE, early_bird_deadline=DEADLINE,
                   is_member=False, claims={"trainee"}, scholarship=True)
    assert result.amount == D("0.00")
    assert [line.amount for line in result.lines] == [D("800.00"), D("-800.00")]
    assert_all_money(result)


def test_quote_to_api_shape():
    result = quote(SOCIETY, currency="EUR", on=DEADLINE, early_bird_deadline=DEADLINE,
                   is_member=True, claims=(), scholarship=True)
    assert result.to_api() == {
        "category": "member",
        "rate_category": "member",
        "period": "early",
        "amount": "0.00",
        "currency": "EUR",
        "lines": [
            {"label": "Society member rate, early-bird (through 2026-12-01)", "amount": "650.00"},
            {"label": "Scholarship: tuition waived", "amount": "-650.00"},
        ],
    }
    json.dumps(result.to_api())


@pytest.mark.parametrize("currency", ["eur", "EURO", "E", "", None, 978, "€"])
def test_quote_rejects_bad_currency(currency):
    with pytest.raises(ValueError, match="currency"):
        quote(SOCIETY, currency=currency, on=DEADLINE, early_bird_deadline=DEADLINE,
              is_member=False, claims=())


def test_quote_refuses_a_datetime_for_on():
    with pytest.raises(TypeError, match="local_date"):
        quote(SOCIETY, currency="EUR", on=utc(2026, 12, 1, 12), early_bird_deadline=DEADLINE,
              is_member=False, claims=())


def test_quote_line_rejects_floats_and_sub_cents():
    with pytest.raises(TypeError):
        QuoteLine("x", 875.0)
    with pytest.raises(ValueError):
        QuoteLine("x", D("1.005"))
    assert_money(QuoteLine("x", D("-0")).amount)


def test_category_labels_cover_categories():
    assert list(CATEGORY_LABELS) == list(CATEGORIES)


# --------------------------------------------------------------------------
# Refunds
# --------------------------------------------------------------------------

CANCELLATION_DEADLINE = date(2026, 11, 15)
LATE = "Withdrawal received after the cancellation deadline (2026-11-15): no refund"


@pytest.mark.parametrize(
    "paid, received_on, deadline, fee, amount, reason, lines",
    [
        pytest.param("875.00", date(2026, 11, 14), CANCELLATION_DEADLINE, "100.00", "775.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "875.00"), ("Cancellation fee", "-100.00")], id="day-before"),
        pytest.param("875.00", date(2026, 11, 15), CANCELLATION_DEADLINE, "100.00", "775.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "875.00"), ("Cancellation fee", "-100.00")], id="on-deadline"),
        pytest.param("875.00", date(2026, 11, 16), CANCELLATION_DEADLINE, "100.00", "0.00",
                     REFUND_WITHDRAWN_AFTER_DEADLINE,
                     [("Amount paid", "875.00"), (LATE, "-875.00")], id="day-after"),
        pytest.param("400.00", date(2026, 11, 1), CANCELLATION_DEADLINE, "100.00", "300.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "400.00"), ("Cancellation fee", "-100.00")], id="partial-before"),
        pytest.param("400.00", date(2026, 12, 1), CANCELLATION_DEADLINE, "100.00", "0.00",
                     REFUND_WITHDRAWN_AFTER_DEADLINE,
                     [("Amount paid", "400.00"), (LATE, "-400.00")], id="partial-after"),
        pytest.param("0.00", date(2026, 11, 15), CANCELLATION_DEADLINE, "100.00", "0.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "0.00"), ("Cancellation fee (capped at the amount paid)", "0.00")],
                     id="nothing-paid-before"),
        pytest.param("0.00", date(2026, 11, 16), CANCELLATION_DEADLINE, "100.00", "0.00",
                     REFUND_WITHDRAWN_AFTER_DEADLINE,
                     [("Amount paid", "0.00"), (LATE, "0.00")], id="nothing-paid-after"),
        pytest.param("60.00", date(2026, 11, 10), CANCELLATION_DEADLINE, "100.00", "0.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "60.00"), ("Cancellation fee (capped at the amount paid)", "-60.00")],
                     id="fee-larger-than-paid"),
        pytest.param("100.00", date(2026, 11, 10), CANCELLATION_DEADLINE, "100.00", "0.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "100.00"), ("Cancellation fee", "-100.00")], id="fee-equals-paid"),
        pytest.param("100.01", date(2026, 11, 10), CANCELLATION_DEADLINE, "100.00", "0.01",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "100.01"), ("Cancellation fee", "-100.00")], id="one-cent-over-fee"),
        pytest.param("875.00", date(2026, 11, 10), CANCELLATION_DEADLINE, "0.00", "875.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "875.00"), ("Cancellation fee", "0.00")], id="no-fee"),
        pytest.param("875.00", date(2026, 11, 10), CANCELLATION_DEADLINE, "150.00", "725.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "875.00"), ("Cancellation fee", "-150.00")], id="custom-fee"),
        pytest.param("875.00", date(2030, 1, 1), None, "100.00", "775.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "875.00"), ("Cancellation fee", "-100.00")], id="no-deadline"),
        pytest.param("50.00", date(2030, 1, 1), None, "100.00", "0.00",
                     REFUND_WITHDRAWN_BY_DEADLINE,
                     [("Amount paid", "50.00"), ("Cancellation fee (capped at the amount paid)", "-50.00")],
                     id="no-deadline-fee-larger"),
    ],
)
def test_refund_for_withdrawal(paid, received_on, deadline, fee, amount, reason, lines):
    decision = refund_for_withdrawal(paid=D(paid), received_on=received_on,
                                     cancellation_deadline=deadline, fee=D(fee))
    assert decision == RefundDecision(
        amount=D(amount),
        reason=reason,
        lines=tuple(QuoteLine(label, D(value)) for label, value in lines),
    )
    assert_all_money(decision)
    assert D("0") <= decision.amount <= D(paid)


def test_refund_default_fee_is_100():
    assert D("100.00") == DEFAULT_CANCELLATION_FEE
    decision = refund_for_withdrawal(paid=D("875.00"), received_on=date(2026, 11, 1),
                                     cancellation_deadline=CANCELLATION_DEADLINE)
    assert decision.amount == D("775.00")


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"paid": 875.0}, TypeError),
        ({"fee": 100.0}, TypeError),
        ({"paid": D("-1.00")}, ValueError),
        ({"paid": D("1.001")}, ValueError),
        ({"fee": "abc"}, ValueError),
        ({"received_on": utc(2026, 11, 15, 12)}, TypeError),
        ({"cancellation_deadline": utc(2026, 11, 15)}, TypeError),
        ({"received_on": "2026-11-15"}, TypeError),
    ],
)
def test_refund_for_withdrawal_rejects_bad_input(kwargs, error):
    arguments = {"paid": D("875.00"), "received_on": date(2026, 11, 1),
                 "cancellation_deadline": CANCELLATION_DEADLINE, "fee": D("100.00")}
    with pytest.raises(error):
        refund_for_withdrawal(**(arguments | kwargs))


@pytest.mark.parametrize("paid", ["875.00", "400.00", "0.00", "0.01"])
@pytest.mark.parametrize(
    "declined, reason, label",
    [
        (False, REFUND_CANCELLED_BY_SOCIETY, "Amount paid, refunded in full (series cancelled by the society)"),
        (True, REFUND_DECLINED_AFTER_ACCEPTANCE,
         "Amount paid, refunded in full (application declined after acceptance)"),
    ],
)
def test_refund_for_society_cancellation(paid, declined, reason, label):
    decision = refund_for_society_cancellation(paid=D(paid), declined=declined)
    assert decision == RefundDecision(amount=D(paid), reason=reason, lines=(QuoteLine(label, D(paid)),))
    assert_all_money(decision)


def test_refund_for_society_cancellation_rejects_floats():
    with pytest.raises(TypeError):
        refund_for_society_cancellation(paid=875.0)


def test_refund_to_api_shape():
    decision = refund_for_withdrawal(paid=D("875.00"), received_on=CANCELLATION_DEADLINE,
                                     cancellation_deadline=CANCELLATION_DEADLINE)
    assert decision.to_api() == {
        "amount": "775.00",
        "reason": "withdrawn_by_deadline",
        "lines": [
            {"label": "Amount paid", "amount": "875.00"},
            {"label": "Cancellation fee", "amount": "-100.00"},
        ],
    }
    json.dumps(decision.to_api())


@pytest.mark.parametrize(
    "acknowledged_on, expected",
    [
        (date(2026, 11, 20), date(2026, 12, 20)),
        (date(2026, 12, 15), date(2027, 1, 14)),
        (date(2027, 2, 1), date(2027, 3, 3)),
        (date(2028, 2, 1), date(2028, 3, 2)),  # leap year
        (date(2026, 1, 31), date(2026, 3, 2)),
    ],
)
def test_refund_due_by(acknowledged_on, expected):
    assert refund_due_by(acknowledged_on) == expected


def test_refund_due_by_refuses_datetimes():
    with pytest.raises(TypeError):
        refund_due_by(utc(2026, 11, 20, 12))


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=5_000_000).map(lambda c: D(c).scaleb(-2))
non_negative_cents = st.integers(min_value=0, max_value=5_000_000).map(lambda c: D(c).scaleb(-2))
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def rates(draw):
    regular = draw(st.integers(min_value=1, max_value=5_000_000))
    early = draw(st.none() | st.integers(min_value=1, max_value=regular))
    return Rate(regular=D(regular).scaleb(-2), early=None if early is None else D(early).scaleb(-2))


@st.composite
def tables(draw):
    table = {"standard": draw(rates())}
    for name in CATEGORIES[1:]:
        if draw(st.booleans()):
            table[name] = draw(rates())
    if draw(st.booleans()):
        # Up to 50% keeps every derived cell at least one cent.
        percent = draw(st.decimals(min_value=0, max_value=D("50"), places=2))
        table = fill_trainee_cells(table, percent)
    return table


@given(
    table=tables(),
    on=dates,
    deadline=st.none() | dates,
    is_member=st.booleans(),
    trainee=st.booleans(),
    granted=st.booleans(),
    scholarship=st.booleans(),
)
def test_property_quote_is_sum_of_lines_and_never_negative(
    table, on, deadline, is_member, trainee, granted, scholarship
):
    result = quote(table, currency="EUR", on=on, early_bird_deadline=deadline, is_member=is_member,
                   claims=claims_of(trainee), member_rate_granted=granted, scholarship=scholarship)
    assert_all_money(result)
    assert result.amount >= 0
    low, high = price_range(table)
    if scholarship:
        assert result.amount == 0
    else:
        assert low <= result.amount <= high
    rate = table[result.rate_category]
    assert result.lines[0].amount == (rate.early if result.period == "early" else rate.regular)
    if result.period == "early":
        assert deadline is not None and on <= deadline


@given(table=tables())
def test_property_table_round_trips_through_api(table):
    assert parse_price_table(table_to_api(table)) == table


@given(
    paid=non_negative_cents,
    fee=non_negative_cents,
    received_on=dates,
    deadline=st.none() | dates,
)
def test_property_withdrawal_refund_bounded_by_paid(paid, fee, received_on, deadline):
    decision = refund_for_withdrawal(paid=paid, received_on=received_on,
                                     cancellation_deadline=deadline, fee=fee)
    assert_all_money(decision)
    assert D("0") <= decision.amount <= paid
    assert decision.reason in REFUND_REASONS
    if deadline is not None and received_on > deadline:
        assert decision.amount == 0
    else:
        assert decision.amount == max(paid - fee, D("0"))


@given(paid=non_negative_cents, declined=st.booleans())
def test_property_society_cancellation_refunds_everything(paid, declined):
    decision = refund_for_society_cancellation(paid=paid, declined=declined)
    assert_all_money(decision)
    assert decision.amount == paid


@given(amount=cents)
def test_property_money_round_trips_through_text(amount):
    assert money(format_money(amount)) == amount


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("took_part", [False, True])
@pytest.mark.parametrize("member_today", [False, True])
def test_complimentary_membership_for_every_non_member_rate_that_took_part(category, took_part, member_today):
    # A non-member rate is any category the registry does not mark as a member's (standard and trainee among them).
    expected = not BY_KEY[category].member_rate and took_part and not member_today
    assert earns_complimentary_membership(category=category, took_part=took_part, member_today=member_today) is expected


def test_complimentary_membership_refuses_unknown_categories():
    with pytest.raises(ValueError):
        earns_complimentary_membership(category="gold", took_part=True, member_today=False)


# -- what is owed back follows the total paid, whenever it arrived ----------------------------------

BY = date(2026, 10, 12)  # the cancellation deadline in the cases below


@pytest.mark.parametrize(("ending", "ended_on", "paid", "owed"), [
    (None, None, "875.00", None),  # still holding or queueing for a place
    (WITHDRAWN, date(2026, 10, 12), "50.00", "0.00"),  # the fee keeps all of a small payment
    (WITHDRAWN, date(2026, 10, 12), "900.00", "800.00"),  # ...and 100.00 of a larger total, however it came
    (WITHDRAWN, date(2026, 10, 13), "900.00", "0.00"),  # after the deadline nothing is refunded
    (DECLINED, None, "900.00", "900.00"),
    (OFFER_LAPSED, None, "300.00", "300.00"),
    (CANCELLED_BY_SOCIETY, None, "900.00", "900.00"),
    (CANCELLED_BY_SOCIETY, None, "0.00", "0.00"),
])
def test_refund_owed_is_a_function_of_the_total_paid_and_the_ending(ending, ended_on, paid, owed):
    decision = refund_owed(ending=ending, paid=Decimal(paid), ended_on=ended_on, cancellation_deadline=BY,
                           fee=Decimal("100.00"))
    if owed is None:
        assert decision is None
        return
    assert decision.amount == Decimal(owed) == sum(line.amount for line in decision.lines)


def test_a_top_up_records_only_the_shortfall_and_its_lines_add_up():
    owed = refund_owed(ending=WITHDRAWN, paid=Decimal("900.00"), ended_on=BY, cancellation_deadline=BY)
    top_up = refund_top_up(owed, Decimal("0.00"))
    assert top_up.amount == Decimal("800.00")
    later = refund_top_up(refund_owed(ending=CANCELLED_BY_SOCIETY, paid=Decimal("1000.00")), Decimal("800.00"))
    assert later.amount == Decimal("200.00") == sum(line.amount for line in later.lines)
    assert refund_top_up(owed, Decimal("800.00")) is None  # settled already: nothing new is recorded
    with pytest.raises(ValueError):
        refund_owed(ending="lost", paid=Decimal("1.00"))
