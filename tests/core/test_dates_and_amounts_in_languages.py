"""Dates, times, countdowns and amounts as a reader of each language writes them (issue 16): German in
German style, English exactly as the site has always written it. Pure functions, no app, no database."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from balint_online.core.money import amount_text
from balint_online.core.timefmt import human, human_date, human_span, until


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_english_dates_are_the_sites_own_style_every_day_of_the_year():
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert human_date(day) == human_date(day, "en") == day.strftime("%a %-d %b %Y")
        day += timedelta(days=1)


def test_german_dates_and_times():
    assert human_date(date(2026, 11, 3), "de") == "Di., 3. Nov. 2026"
    assert human_date(date(2026, 3, 14), "de") == "Sa., 14. März 2026"
    assert human(utc(2026, 11, 4, 0, 0), "America/New_York", locale="de") == "Di., 3. Nov. 2026, 19:00 EST"
    assert human(utc(2026, 11, 4, 0, 0), "America/New_York") == "Tue 3 Nov 2026, 19:00 EST"
    assert human(utc(2026, 11, 4, 0, 0), "Europe/Berlin", with_date=False, locale="de") == "01:00 CET"


def test_a_meeting_that_ends_the_next_day_says_so_in_each_language():
    start, end = utc(2026, 11, 4, 4, 30), utc(2026, 11, 4, 6, 0)
    assert human_span(start, end, "America/New_York") == "Tue 3 Nov 2026, 23:30 – 01:00 EST (next day)"
    assert human_span(start, end, "America/New_York", "de") == "Di., 3. Nov. 2026, 23:30 – 01:00 EST (am nächsten Tag)"
    assert human_span(utc(2026, 11, 4, 0), utc(2026, 11, 4, 1, 30), "America/New_York", "de") == (
        "Di., 3. Nov. 2026, 19:00 – 20:30 EST")


def test_countdowns_have_each_languages_plurals():
    moment = utc(2026, 10, 1, 12, 0)
    ahead = [timedelta(days=1), timedelta(days=3, hours=5), timedelta(hours=1), timedelta(minutes=10),
             timedelta(seconds=30), timedelta(0)]
    assert [until(moment + a, moment) for a in ahead] == [
        "in 1 day", "in 3 days", "in 1 hour", "in 10 minutes", "in less than a minute", "now"]
    assert [until(moment + a, moment, "de") for a in ahead] == [
        "in 1 Tag", "in 3 Tagen", "in 1 Stunde", "in 10 Minuten", "in weniger als einer Minute", "jetzt"]
    assert until(moment + timedelta(days=45, hours=23), moment, "de") == "in 45 Tagen"  # whole days, no months


def test_amounts_group_and_separate_as_the_language_does():
    assert amount_text(Decimal("1234.50"), "USD") == "1,234.50 USD"
    assert amount_text(Decimal("1234.50"), "EUR", "de") == "1.234,50 EUR"
    assert amount_text(Decimal("-750.00"), "EUR", "de") == "-750,00 EUR"
    assert amount_text(Decimal("3"), locale="de") == "3,00"
    assert amount_text("800.00", "USD") == "800.00 USD"


def test_a_remembered_amount_answers_only_for_the_same_text():
    # Decimal("-0.00") == Decimal("0.00"), so a cache keyed by value would show one for the other.
    assert amount_text(Decimal("-0.00"), "USD") == "-0.00 USD"
    assert amount_text(Decimal("0.00"), "USD") == "0.00 USD"
