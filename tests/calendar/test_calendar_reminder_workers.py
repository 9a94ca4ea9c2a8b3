"""Two scheduler processes at once, one killed mid-run: every reminder still arrives exactly once.

PostgreSQL only. The test pauses both workers inside the queueing phase by holding, in its own
transaction, the unique key of the last reminder they will queue: both wait on that row lock, so
the kill lands at a known point. SQLite has no such point to stop at: it admits one writer to the
whole file at a time, so the workers would wait at their very first transaction, in whatever job.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from balint_online.calendar.services import REMINDERS
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage

pytestmark = pytest.mark.now("2026-09-01T12:00:00Z")

ROOT = Path(__file__).resolve().parents[2]


def start_worker(name: str, loops: str, moment: datetime, mail_url: str) -> subprocess.Popen:
    """A shell running `flask jobs run-due` (forever, or a number of times), in its own process group."""
    url = db.engine.url.set(query={"application_name": name}).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "BALINT_MAIL_URL": mail_url, "BALINT_FROZEN_NOW": moment.isoformat()}
    command = f'{loops} "{sys.executable}" -m flask --app app jobs run-due >/dev/null 2>&1; done'
    return subprocess.Popen(["sh", "-c", command], cwd=ROOT, env=env, start_new_session=True)


def wait_until(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.1)


def waiting_on_a_lock(conn, names) -> bool:
    rows = conn.execute(text("SELECT application_name FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))
    return set(names) <= {row[0] for row in rows}


def test_two_schedulers_one_killed_mid_run_deliver_each_reminder_once(app, backend, api, group, make_user, clock,
                                                                      smtp_server):
    if backend != "postgresql":
        pytest.skip("needs row locks to pause a worker mid-queueing (see the module docstring)")
    leader = make_user("leader")
    members = [make_user() for _ in range(7)]
    series = group(leader, members)
    first = series["meetings"][0]
    # Both reminders of the first meeting are due: 16 messages for 8 people.
    moment = datetime.fromisoformat(first["starts_at"].replace("Z", "+00:00")).astimezone(UTC) - timedelta(minutes=30)
    people = [leader, *members]
    keys = [f"reminder-{kind}:meeting-{first['id']}:user-{p.id}" for kind in REMINDERS for p in people]
    emails = sorted(p.email for p in people)
    db.session.commit()
    db.session.remove()

    with db.engine.connect() as holder, db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        paused = holder.begin()
        holder.execute(insert(OutboxMessage).values(
            key=keys[-1], kind="meeting_reminder", recipient="hold@example.org", subject="held",
            body_text="", body_html=""))

        doomed = start_worker("worker-a", "while true; do", moment, smtp_server.url)
        survivor = start_worker("worker-b", "for i in 1 2; do", moment, smtp_server.url)
        try:
            wait_until(lambda: waiting_on_a_lock(watcher, ["worker-a", "worker-b"]),
                       "both workers to reach the held reminder")
            os.killpg(doomed.pid, signal.SIGKILL)
            doomed.wait()
            paused.rollback()
            survivor.wait(timeout=300)
        finally:
            for process in (doomed, survivor):
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)

    reminders = {m.id: m for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "meeting_reminder"))}
    assert sorted(m.key for m in reminders.values()) == sorted(keys)
    assert all(m.sent_at is not None for m in reminders.values())
    delivered = [int(re.search(r"outbox-(\d+)@", m["Message-ID"]).group(1)) for m in smtp_server.messages()]
    assert sorted(i for i in delivered if i in reminders) == sorted(reminders)
    by_recipient = sorted(m["To"] for m in smtp_server.messages() if m["Subject"].startswith("Reminder"))
    assert by_recipient == sorted(emails * 2)
