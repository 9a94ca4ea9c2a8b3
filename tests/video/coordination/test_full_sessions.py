"""Zoom's leave events decide whether a meeting counts for credit: a member who left early at one
meeting gets no certificate, and their home page says where; the leaders' word overrides."""

from html import unescape

import pytest
from sqlalchemy import select

from balint_online.certificates.models import Certificate
from balint_online.extensions import db
from balint_online.jobs import builtin  # noqa: F401  (registers the jobs)
from balint_online.jobs.registry import JOBS

from .conftest import run_video_job
from .test_webhook import SECRET, event, post


def z(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def group(app, clock, zoom_server, zoom_settings, make_group):
    app.config.update(zoom_settings, ZOOM_WEBHOOK_SECRET=SECRET)
    group = make_group("zoom")
    run_video_job()
    return group


def attend(client, clock, meeting, *, leave_at=None):
    """Jo joins on time and leaves at `leave_at` (default: when the meeting ends), as Zoom reports it."""
    joined, left = z(meeting.starts_at), z(leave_at or meeting.ends_at)
    clock.set(joined)
    assert post(client, event(meeting, at=joined), at=joined).get_json() == {"status": "recorded"}
    clock.set(left)
    assert post(client, event(meeting, "left", at=left), at=left).get_json() == {"status": "recorded"}


def test_leaving_early_at_one_meeting_loses_the_certificate_with_the_reason_at_home(app, client, clock, login, group):
    from datetime import timedelta

    login(group.leader)
    page = f"/lead/series/{group.series['id']}/credit"
    assert client.submit(page, {"minutes_per_meeting": "90", "min_meetings": "4", "grace_minutes": "10",
                                "statements": "Approved for 6 hours of CE credit."}).status_code == 302
    client.post("/sign-out")
    meetings = group.meetings
    for meeting in meetings:
        attend(client, clock, meeting,
               leave_at=meeting.starts_at + timedelta(minutes=40) if meeting.number == 3 else None)
    clock.set(z(meetings[-1].ends_at + timedelta(days=1)))
    JOBS["issue-certificates"].run(meetings[-1].ends_at + timedelta(days=1))
    db.session.commit()
    assert db.session.scalars(select(Certificate)).all() == []

    jo = group.people["enrolled"]
    login(jo)
    home = unescape(client.get("/home").get_data(as_text=True))
    assert f"No certificate for {group.series['title']}: left early at meeting 3." in home
    client.post("/sign-out")

    # The leaders know she was there to the end (her connection dropped): their word counts.
    login(group.leader)
    grid = f"/lead/series/{group.series['id']}/attendance"
    cell = f"m{meetings[2].id}_u{jo.id}"
    assert client.submit(grid, {cell: "present"}).status_code == 302
    JOBS["issue-certificates"].run(meetings[-1].ends_at + timedelta(days=1))
    db.session.commit()
    [certificate] = db.session.scalars(select(Certificate)).all()
    assert certificate.user_id == jo.id and certificate.facts["meetings_attended"] == 4


def test_the_grid_leaves_a_partial_attendance_to_the_leaders(client, clock, login, group):
    from datetime import timedelta

    from .test_attendance import selected

    first, second = group.meetings[:2]
    attend(client, clock, first)
    attend(client, clock, second, leave_at=second.starts_at + timedelta(minutes=30))
    clock.set(z(second.ends_at + timedelta(hours=1)))
    login(group.leader)
    jo = group.people["enrolled"]
    page = client.get(f"/lead/series/{group.series['id']}/attendance").get_data(as_text=True)
    assert selected(page, f"m{first.id}_u{jo.id}") == "present"
    assert selected(page, f"m{second.id}_u{jo.id}") == ""
    assert "left early" in page
