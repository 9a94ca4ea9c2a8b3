"""Presenters are reminded a week and a day before their turn, once each, by the scheduler's job."""

from balint_online.jobs.registry import JOBS
from tests.factories import mails, run_jobs
from tests.rotation.conftest import meeting_ids, turns

# Meeting 1 starts 2026-10-19T23:00:00Z, meeting 2 2026-10-26T23:00:00Z.


def reminders():
    return [m.key for m in mails("presenter_reminder")]


def test_reminders_go_out_a_week_and_a_day_before_once_each(app, clock, group, enroll):
    members = enroll(group, 8, timezone="Europe/London")
    ids = meeting_ids(group)
    first, second = members[0], members[1]
    clock.set("2026-10-12T22:59:00Z")
    run_jobs(app)
    assert "presenter-reminders" in JOBS and reminders() == []
    clock.set("2026-10-12T23:00:00Z")  # a week before meeting 1
    run_jobs(app)
    run_jobs(app)
    assert reminders() == [f"presenter-reminder-7d:meeting-{ids[1]}:user-{first.id}"]
    week, = mails("presenter_reminder")
    assert week.user_id == first.id and week.subject == "Your turn to present in Evening group comes in 7 days"
    text = " ".join(week.body_text.split())
    assert "Tue 20 Oct 2026, 00:00 BST" in text  # in the member's own zone
    assert "a few minutes" in text and "no slides" in text and "identify the patient" in text
    assert "backup presenter" in text
    clock.set("2026-10-18T22:59:00Z")
    run_jobs(app)
    assert len(reminders()) == 1
    clock.set("2026-10-18T23:00:00Z")  # a day before meeting 1, not yet a week before meeting 2
    run_jobs(app)
    assert reminders()[1:] == [f"presenter-reminder-1d:meeting-{ids[1]}:user-{first.id}"]
    assert mails("presenter_reminder")[-1].subject.endswith("comes within a day")
    clock.set("2026-10-19T23:30:00Z")  # meeting 1 under way: a week before meeting 2
    run_jobs(app)
    run_jobs(app)
    assert reminders()[2:] == [f"presenter-reminder-7d:meeting-{ids[2]}:user-{second.id}"]


def test_a_turn_given_within_the_last_day_gets_only_the_day_before_reminder(app, api, clock, group, enroll, leader):
    members = enroll(group, 8)
    ids = meeting_ids(group)
    clock.set("2026-10-19T12:00:00Z")  # meeting 1 is tonight; nobody ran the jobs all week
    api(leader).post(f"/api/v1/series/{group['id']}/rotation/swap", json={
        "meeting_id_a": ids[1], "user_id_a": members[0].id, "meeting_id_b": ids[3], "user_id_b": members[2].id})
    assert turns(group["id"])[1] == [members[2].id]
    run_jobs(app)
    assert reminders() == [f"presenter-reminder-1d:meeting-{ids[1]}:user-{members[2].id}"]


def test_no_reminder_for_a_cancelled_meeting_or_a_member_who_left(app, api, clock, group, enroll, leader):
    members = enroll(group, 7)
    ids = meeting_ids(group)
    api(leader).post(f"/api/v1/meetings/{ids[2]}/cancel", json={"reason": "Holiday"})
    api(members[0]).post(f"/api/v1/applications/{members[0].application_id}/withdraw", json={"reason": "ill"})
    clock.set("2026-10-19T00:00:00Z")
    run_jobs(app)
    plan = turns(group["id"])
    assert 2 not in plan and members[0].id not in [u for p in plan.values() for u in p]
    assert reminders() == [f"presenter-reminder-1d:meeting-{ids[1]}:user-{plan[1][0]}"]
