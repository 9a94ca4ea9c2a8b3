"""A group with people in every state, and the video job, for the platform's video features."""

from dataclasses import dataclass

import pytest

from balint_online.accounts.models import User
from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.series.models import Meeting
from tests import snapshots
from tests.factories import accept, apply, published_series, withdraw

# Meeting 1 of every group below: Mon 19 Oct 2026, 19:00-20:30 in New York (EDT), so 23:00-00:30 UTC.
WINDOW_OPENS = "2026-10-19T22:45:00Z"
FIRST_END = "2026-10-20T00:30:00Z"


@dataclass
class Group:
    series: dict
    leader: User
    people: dict  # "enrolled", "withdrawn", "waitlisted", "outsider", "admin" -> User

    @property
    def meetings(self) -> list[Meeting]:
        return db.session.query(Meeting).filter_by(series_id=self.series["id"]).order_by(Meeting.number).all()


@snapshots.step
def run_video_job() -> int:
    from balint_online.jobs import builtin  # noqa: F401  (registers the jobs)
    from balint_online.jobs.registry import JOBS

    return JOBS["video-rooms"].run(now())


@pytest.fixture
def make_group(api, make_user):
    """A published 4-meeting group of 2 places: one member enrolled (in Budapest), one enrolled then withdrawn,
    one on the waiting list; an outsider enrolled in another group; an administrator who leads nothing."""

    @snapshots.kept
    def make(provider="jitsi"):
        leader = make_user("leader", name="Dr Ruth Leader", email="ruth@example.org")
        series = published_series(api(leader), capacity=2, meeting_count=4, video_provider=provider)
        people = {
            "enrolled": make_user(name="Jo Member", email="jo@example.org", timezone="Europe/Budapest"),
            "withdrawn": make_user(name="Priya Gone", email="priya@example.org"),
            "waitlisted": make_user(name="Tom Waiting", email="tom@example.org"),
            "outsider": make_user(name="Lee Elsewhere", email="lee@example.org"),
            "admin": make_user("admin", name="Ada Admin", email="ada@example.org"),
        }
        applications = {key: apply(api(people[key]), series["id"])["id"]
                        for key in ("enrolled", "withdrawn", "waitlisted")}
        for key in ("enrolled", "withdrawn", "waitlisted"):
            accept(leader, applications[key])
        withdraw(people["withdrawn"], applications["withdrawn"], "A new job.")
        other_leader = make_user("leader", name="Dr Sam Other")
        other = published_series(api(other_leader), title="Morning group", capacity=2, meeting_count=4)
        accept(other_leader, apply(api(people["outsider"]), other["id"])["id"])
        return Group(series, leader, people)

    return make
