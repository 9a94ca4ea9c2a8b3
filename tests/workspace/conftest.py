"""The workspace's group: a leader, a published 4-meeting series of 3 places, filled (the first member a trainee)."""

import pytest

from tests.factories import enrolled, published_series


@pytest.fixture
def group(api, make_user):
    """(leader, series JSON, members)."""
    leader = make_user("leader", name="Dr Ruth")
    series = published_series(api(leader), capacity=3, meeting_count=4)
    members = [make_user(name=f"Member {n}") for n in range(3)]
    for m in members:
        enrolled(api, leader, series, m, trainee=(m is members[0]))
    return leader, series, members
