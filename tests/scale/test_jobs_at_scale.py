"""The scheduler's jobs cost the same queries in a society twice the size, once they have caught up.

Each job runs twice in the benchmark's society at two sizes: the first run does what the society's
data leaves due (announcements, reminders, rooms), the second finds what a minute or an hour later
would: the cost a society pays around the clock, which must not grow with its members or its years.
Both sizes are large enough for every job to find candidates (a group just over, turns to remind).
"""

from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import select

from balint_online.extensions import db
from balint_online.jobs import builtin  # noqa: F401  (registers the jobs)
from balint_online.jobs.registry import JOBS
from balint_online.pagecache.models import DataVersion
from bench.dataset import build
from tests.scale.test_query_counts import LARGER, documents, help_given
from tests.snapshots import new_test
from tests.statements import statements_of

pytestmark = pytest.mark.now("2026-12-01T12:00:00Z")
MOMENT = datetime.fromisoformat("2026-12-01T12:00:00+00:00")
LARGEST = replace(LARGER, members=LARGER.members * 2, series=LARGER.series * 2)

CATCHING_UP = 20


def data_version() -> int:
    return db.session.scalar(select(DataVersion.value))


def second_runs(app, scale, saved: list[str] | None = None) -> dict[str, int]:
    """Each job's statements once caught up; the jobs whose caught-up run saved something, in `saved`."""
    db.session.remove()
    new_test()
    build(scale, date(2026, 12, 1))
    documents()
    help_given()
    counts = {}
    for name, job in JOBS.items():
        for _ in range(CATCHING_UP):  # the rooms of every meeting to come are made a batch a run
            done = job.run(MOMENT)
            db.session.commit()
            if not done:
                break
        before = data_version()
        counts[name] = len(statements_of(lambda job=job: job.run(MOMENT)))
        db.session.commit()
        if saved is not None and data_version() != before:
            saved.append(name)
    return counts


def test_every_job_caught_up_costs_the_same_queries_at_both_sizes_and_saves_nothing(app):
    saved: list[str] = []
    small, larger = second_runs(app, LARGER, saved), second_runs(app, LARGEST)
    # A run with nothing to do saves nothing, so the scheduler never throws away the pages kept (pagecache).
    assert not saved, saved
    grew = [f"{name}: {small[name]} queries, {larger[name]}" for name in JOBS if larger[name] != small[name]]
    assert not grew, "\n".join(grew)
