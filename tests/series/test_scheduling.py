"""The pure scheduling functions: daylight saving in both hemispheres, skip dates, capacity."""

from datetime import UTC, date, datetime

import pytest

from balint_online.series.scheduling import (
    SchedulingError,
    check_capacity,
    meeting_dates,
    plan_meetings,
    series_state,
    to_utc,
)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_new_york_evening_group_keeps_seven_pm_across_november_change():
    # 2026: clocks go back on Sunday 1 November in the United States.
    planned = plan_meetings(datetime(2026, 10, 19, 19, 0), "America/New_York", count=4, interval_weeks=1,
                            duration_minutes=90)
    assert [p.starts_at for p in planned] == [
        utc(2026, 10, 19, 23, 0),  # EDT, UTC-4
        utc(2026, 10, 26, 23, 0),
        utc(2026, 11, 3, 0, 0),  # EST, UTC-5: still 19:00 local
        utc(2026, 11, 10, 0, 0),
    ]
    assert all(p.local_start.hour == 19 for p in planned)
    assert planned[2].ends_at == utc(2026, 11, 3, 1, 30)


def test_sydney_group_keeps_six_pm_across_april_change():
    # 2027: daylight saving ends in New South Wales on Sunday 4 April.
    planned = plan_meetings(datetime(2027, 3, 24, 18, 0), "Australia/Sydney", count=3, interval_weeks=1,
                            duration_minutes=90)
    assert [p.starts_at for p in planned] == [
        utc(2027, 3, 24, 7, 0),  # AEDT, UTC+11
        utc(2027, 3, 31, 7, 0),
        utc(2027, 4, 7, 8, 0),  # AEST, UTC+10
    ]


def test_sydney_group_across_october_start_of_daylight_saving():
    planned = plan_meetings(datetime(2026, 9, 30, 18, 0), "Australia/Sydney", count=2, interval_weeks=1,
                            duration_minutes=60)
    assert [p.starts_at for p in planned] == [utc(2026, 9, 30, 8, 0), utc(2026, 10, 7, 7, 0)]


def test_skip_dates_push_the_series_on_and_keep_the_count():
    dates = meeting_dates(date(2026, 11, 2), 8, 1, {date(2026, 11, 23), date(2026, 12, 28)})
    assert len(dates) == 8
    assert date(2026, 11, 23) not in dates and date(2026, 12, 28) not in dates
    assert dates[-1] == date(2027, 1, 4)


def test_fortnightly_series_with_a_skip():
    dates = meeting_dates(date(2026, 12, 2), 3, 2, {date(2026, 12, 30)})
    assert dates == [date(2026, 12, 2), date(2026, 12, 16), date(2027, 1, 13)]


def test_first_date_cannot_be_a_skip_date():
    with pytest.raises(SchedulingError) as err:
        plan_meetings(datetime(2026, 12, 2, 19), "UTC", count=2, interval_weeks=1, duration_minutes=90,
                      skip_dates=frozenset({date(2026, 12, 2)}))
    assert err.value.field == "skip_dates"


def test_local_time_in_the_spring_gap_is_refused():
    with pytest.raises(SchedulingError, match="does not exist"):
        to_utc(datetime(2027, 3, 14, 2, 30), "America/New_York")


def test_local_time_in_the_autumn_overlap_is_refused():
    with pytest.raises(SchedulingError, match="happens twice"):
        to_utc(datetime(2026, 11, 1, 1, 30), "America/New_York")
    with pytest.raises(SchedulingError, match="happens twice"):
        to_utc(datetime(2027, 4, 4, 2, 30), "Australia/Sydney")


def test_a_later_meeting_falling_in_a_gap_is_refused_naming_the_date():
    with pytest.raises(SchedulingError, match="2027-03-14 02:30") as err:
        plan_meetings(datetime(2027, 3, 7, 2, 30), "America/New_York", count=2, interval_weeks=1, duration_minutes=60)
    assert err.value.field == "skip_dates"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "EST5EDT ", "", "../etc/passwd", "america/new_york"])
def test_unknown_zones_are_refused(name):
    with pytest.raises(SchedulingError) as err:
        to_utc(datetime(2027, 1, 1, 12), name)
    assert err.value.field == "timezone"


@pytest.mark.parametrize("capacity,count,ppm,ok",
                         [(8, 8, 1, True), (9, 8, 1, False), (16, 8, 2, True), (17, 8, 2, False), (1, 1, 1, True)])
def test_capacity_cannot_exceed_presenting_turns(capacity, count, ppm, ok):
    if ok:
        check_capacity(capacity, count, ppm)
    else:
        with pytest.raises(SchedulingError, match="turn to present"):
            check_capacity(capacity, count, ppm)


def test_status_follows_clock_and_seats():
    first, last = utc(2026, 12, 1, 0), utc(2027, 1, 20, 1)
    assert series_state("draft", utc(2026, 11, 1), first, last, 3) == "draft"
    assert series_state("published", utc(2026, 11, 1), first, last, 3) == "open"
    assert series_state("published", utc(2026, 11, 1), first, last, 0) == "full"
    assert series_state("published", utc(2026, 12, 1, 0), first, last, 3) == "running"
    assert series_state("published", utc(2027, 1, 20, 1), first, last, 3) == "completed"
    assert series_state("cancelled", utc(2026, 12, 5), first, last, 3) == "cancelled"


def test_countdown_wording():
    from balint_online.core.timefmt import until

    moment = utc(2026, 10, 1, 12, 0)
    assert until(utc(2026, 10, 4, 13, 0), moment) == "in 3 days"
    assert until(utc(2026, 10, 1, 13, 0), moment) == "in 1 hour"
    assert until(utc(2026, 10, 1, 12, 10), moment) == "in 10 minutes"
    assert until(utc(2026, 10, 1, 12, 0, 30), moment) == "in less than a minute"
    assert until(moment, moment) == "now"
