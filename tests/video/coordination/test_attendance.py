"""The leaders' attendance grid: preselected from what the platform saw, saved with one post, commitment shown."""

import html
import re

import pytest
from sqlalchemy import select

from balint_online.extensions import db
from balint_online.video.models import Attendance

from .conftest import run_video_job


@pytest.fixture
def group(api, clock, make_group):
    """Jo is enrolled and entered meeting 1 through the platform; meetings 1 and 2 have taken place."""
    group = make_group()
    run_video_job()
    clock.set("2026-10-19T23:05:00Z")
    assert api(group.people["enrolled"]).get(f"/api/v1/meetings/{group.meetings[0].id}/join").status_code == 200
    clock.set("2026-10-27T12:00:00Z")
    return group


def selected(page: str, name: str) -> str:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option selected value="([^"]*)"', select_html)
    return chosen.group(1) if chosen else ""


def grid(client, series_id):
    return client.get(f"/lead/series/{series_id}/attendance")


def test_the_grid_preselects_who_entered_and_saves_in_one_post(client, login, group):
    m1, m2, m3 = (m.id for m in group.meetings[:3])
    jo = group.people["enrolled"]
    login(group.leader)
    page = grid(client, group.series["id"]).get_data(as_text=True)
    members = page.split("<tbody>")[1]
    assert "Jo Member" in members
    assert not any(name in members for name in ("Ruth", "Tom Waiting", "Priya Gone"))  # enrolled members only
    assert selected(page, f"m{m1}_u{jo.id}") == "present"  # the platform saw Jo enter
    assert f'name="m{m3}_u{jo.id}"' not in page and "to come" in page
    assert f'for="m{m1}_u{jo.id}"' in page  # every select has its label

    resp = client.submit(f"/lead/series/{group.series['id']}/attendance", {
        f"m{m1}_u{jo.id}": "present", f"m{m2}_u{jo.id}": "excused"})
    assert resp.status_code == 302
    records = {(r.meeting_id, r.user_id): r for r in db.session.scalars(select(Attendance))}
    assert records[(m1, jo.id)].status == "present" and records[(m1, jo.id)].confirmed_by_id == group.leader.id
    assert records[(m2, jo.id)].status == "excused"

    page = html.unescape(grid(client, group.series["id"]).get_data(as_text=True))
    assert selected(page, f"m{m2}_u{jo.id}") == "excused"
    assert "excused: 2" in page


def test_commitment_shows_who_missed_what(client, login, group):
    m1, m2 = (m.id for m in group.meetings[:2])
    jo = group.people["enrolled"]
    login(group.leader)
    client.submit(f"/lead/series/{group.series['id']}/attendance",
                  {f"m{m1}_u{jo.id}": "absent", f"m{m2}_u{jo.id}": "absent"})
    page = grid(client, group.series["id"]).get_data(as_text=True)
    row = re.search(r"Jo Member</th>(.*?)</tr>", page, re.S).group(1)
    assert "2 (meetings 1, 2)" in row

    login(jo)
    home = client.get("/home").get_data(as_text=True)
    assert "Your attendance so far: present at 0 of 2 meetings; absent from meetings 1, 2." in " ".join(home.split())


def test_a_member_sees_their_own_attendance_at_home(client, login, group):
    m1 = group.meetings[0].id
    jo = group.people["enrolled"]
    login(group.leader)
    client.submit(f"/lead/series/{group.series['id']}/attendance", {f"m{m1}_u{jo.id}": "present"})
    login(jo)
    home = " ".join(client.get("/home").get_data(as_text=True).split())
    assert "present at 1 of 2 meetings (the leaders have not recorded every meeting yet)." in home
    # Six days ahead: the way in is announced, and the button comes when the join window opens.
    assert (
        "Meeting 3 of 4" in home
        and "The way in opens here at 00:45 CET" in home
        and "Join the video meeting" not in home
    )


def test_only_the_leaders_and_administrators_keep_attendance(client, login, group):
    login(group.people["enrolled"])
    assert grid(client, group.series["id"]).status_code == 403
    # Hand-built: the grid that holds the form is closed to a member.
    forged = client.post(f"/lead/series/{group.series['id']}/attendance",
                         data={"csrf_token": client.csrf_token("/home")})
    assert forged.status_code == 403
    login(group.people["admin"])
    assert grid(client, group.series["id"]).status_code == 200


def test_a_choice_not_offered_is_refused(client, login, group):
    m1, jo = group.meetings[0].id, group.people["enrolled"]
    login(group.leader)
    resp = client.submit(f"/lead/series/{group.series['id']}/attendance", {f"m{m1}_u{jo.id}": "asleep"})
    assert resp.status_code == 422 and "Please check" in resp.get_data(as_text=True)
    assert db.session.scalars(select(Attendance.status).where(Attendance.status.is_not(None))).all() == []


def test_the_grid_needs_its_csrf_token(client, login, group):
    login(group.leader)
    m1, jo = group.meetings[0].id, group.people["enrolled"]
    refused = client.post(f"/lead/series/{group.series['id']}/attendance", data={f"m{m1}_u{jo.id}": "absent"})
    assert refused.status_code == 400
    assert db.session.scalars(select(Attendance.status).where(Attendance.status.is_not(None))).all() == []


def test_who_left_after_coming_stays_on_the_grid_marked(client, login, group):
    """Jo entered meeting 1 and then left the group: the record stays on the grid, named, and in the export."""
    from balint_online.enrollment.models import Application

    jo = group.people["enrolled"]
    db.session.scalar(select(Application).where(Application.user_id == jo.id)).status = "withdrawn"
    db.session.commit()
    login(group.leader)
    page = grid(client, group.series["id"]).get_data(as_text=True)
    assert re.search(r"Jo Member\s*<span class=\"muted\">\(no longer enrolled\)</span>", page)
    assert selected(page, f"m{group.meetings[0].id}_u{jo.id}") == "present"
    assert "Jo Member" in client.get(f"/lead/series/{group.series['id']}/attendance.csv").get_data(as_text=True)
