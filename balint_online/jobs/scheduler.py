"""The scheduler process: APScheduler calling each registered job at its interval."""

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from ..core.clock import now
from ..extensions import db
from . import builtin  # noqa: F401  (registers the jobs)
from .registry import JOBS

log = logging.getLogger(__name__)


def _runner(app: Flask, name: str):
    def run():
        with app.app_context():
            try:
                done = JOBS[name].run(now())
                if done:
                    log.info("%s: %s", name, done)
            except Exception:
                db.session.rollback()
                log.exception("Job %s failed", name)
            finally:
                db.session.remove()

    return run


def run_scheduler(app: Flask) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sched = BlockingScheduler(timezone="UTC",
                              job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    for job in JOBS.values():
        sched.add_job(_runner(app, job.name), "interval", seconds=job.every_seconds, id=job.name, name=job.name,
                      next_run_time=now())
    signal.signal(signal.SIGTERM, lambda *_: sched.shutdown(wait=True))
    log.info("Scheduler running %d jobs: %s", len(JOBS), ", ".join(JOBS))
    sched.start()
