"""Fixtures for the rotation's integration tests: a leader, a published series and enrolled members."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from balint_online.calendar.jobs import rotation_announcements, rotation_digests
from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.rotation.models import PresenterTurn
from balint_online.series.models import Meeting
from tests import snapshots
from tests.factories import enrolled, published_series

# The default series of tests/factories.py: 8 weekly meetings from Monday 19 October 2026, 19:00 in
# New York (23:00 UTC while daylight saving lasts, then 00:00 UTC the next day).


DAY = timedelta(days=1)


@pytest.fixture
def tell(clock):
    """tell(after=DAY): move the clock on by `after` and run the rotation's mail jobs as the scheduler would
    (the announcement of settled turns, then the digests of what changed, at most one a day per member)."""

    @snapshots.step
    def run(after=timedelta(0)):
        moment = clock.set(now() + after)
        return rotation_announcements(moment) + rotation_digests(moment)

    return run


@pytest.fixture
def group(api, leader):
    return published_series(api(leader), capacity=8, meeting_count=8)


NAMES = ["Dr Ann Avery", "Ben Brook, NP", "Dr Cleo Cruz", "Dev Dane, LCSW", "Dr Eva Eng", "Finn Ford, PsyD",
         "Dr Gia Gold", "Hal Hart, RN", "Dr Ida Ito", "Jo Jung, PA"]


@pytest.fixture
def enroll(api, leader, make_user):
    """enroll(series, n) -> n new members, applied and accepted in order (named from NAMES)."""

    @snapshots.kept
    def add(series, n=1, **user_options):
        people = []
        for _ in range(n):
            options = dict(user_options)
            if "name" not in options:
                number = snapshots.next_number("rotation member")
                suffix = "" if number <= len(NAMES) else f" {number}"
                options["name"] = NAMES[(number - 1) % len(NAMES)] + suffix
            member = make_user(**options)
            member.application_id = enrolled(api, leader, series, member)["id"]
            people.append(member)
        return people

    return add


def turns(series_id, role="presenter") -> dict[int, list[int]]:
    """meeting number -> user ids with that role, as stored."""
    rows = db.session.execute(
        select(Meeting.number, PresenterTurn.user_id).join(PresenterTurn, PresenterTurn.meeting_id == Meeting.id)
        .where(Meeting.series_id == series_id, PresenterTurn.role == role).order_by(Meeting.number, PresenterTurn.id)
    ).all()
    found: dict[int, list[int]] = {}
    for number, user_id in rows:
        found.setdefault(number, []).append(user_id)
    return found


def meeting_ids(series) -> dict[int, int]:
    """meeting number -> id."""
    return {m["number"]: m["id"] for m in series["meetings"]}
