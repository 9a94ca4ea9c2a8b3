"""Scheduled jobs: each is a plain function of "now", safe to run from several processes at once.

Every job claims its work in the database (conditional updates, unique keys), so a second
scheduler or a restart after a crash neither repeats nor skips anything.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], int]  # returns how many things it did
    every_seconds: int


JOBS: dict[str, Job] = {}


def job(name: str, every_seconds: int = 60):
    def register(fn):
        JOBS[name] = Job(name, fn, every_seconds)
        return fn

    return register


def run_due(moment: datetime) -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    results = {}
    for name in JOBS:
        try:
            results[name] = JOBS[name].run(moment)
        except Exception:
            db.session.rollback()
            log.exception("Job %s failed", name)
            results[name] = -1
    return results
