"""The series lock: a change waits for the one before it, and a stuck holder gives a clear "try again"."""

import pytest
from sqlalchemy import create_engine, text

from balint_online.extensions import db
from balint_online.series import locking
from tests.factories import published_series


def test_a_series_held_too_long_by_someone_else_answers_busy_and_changes_nothing(app, api, make_user, backend,
                                                                                 monkeypatch):
    if backend != "postgresql":
        pytest.skip("SQLite has no row locks; its writers queue on the database lock instead")
    leader = make_user("leader")
    series = published_series(api(leader))
    meeting = series["meetings"][1]
    monkeypatch.setattr(locking, "LOCK_TIMEOUT_SECONDS", 0.2)
    other = create_engine(db.engine.url)
    with other.connect() as held:
        held.execute(text("SELECT id FROM series WHERE id = :id FOR UPDATE"), {"id": series["id"]})
        answer = api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule",
                                  json={"starts_at_local": "2026-10-27T19:00"})
        held.rollback()
    other.dispose()
    assert answer.status_code == 409 and answer.get_json()["error"] == "busy"
    after = api(leader).get(f"/api/v1/series/{series['id']}").get_json()["meetings"][1]
    assert (after["starts_at"], after["sequence"]) == (meeting["starts_at"], 0)
