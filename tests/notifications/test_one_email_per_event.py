"""One email per real event (issue 16): what a member and a leader receive while a group of eight fills, its members
pay and its rotation settles, counted from the outbox with every job run as the scheduler runs them."""

import re
from collections import Counter
from datetime import timedelta

import pytest

from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.jobs import builtin  # noqa: F401  (registers every job)
from balint_online.jobs.registry import run_due
from tests.factories import apply, mails, published_series

# What a member of a group of eight gets from applying to the announcement of the turns, and nothing else:
MEMBER_MAIL = ["application_received",  # "We received your application"
               "application_accepted",  # "You have a place", carrying the calendar invitation
               "payment_received",  # the receipt
               "rotation_announced"]  # "When you present", once, when the group is full


@pytest.fixture
def scheduler(clock):
    """scheduler(after=timedelta): the clock moves on, and every job runs once, as `flask jobs run-due` does."""

    def run(after=timedelta(minutes=5)):
        results = run_due(clock.set(now() + after))
        assert all(done >= 0 for done in results.values()), results
        return results

    return run


def kinds(user) -> list[str]:
    return [m.kind for m in mails(user=user)]


def fill(api, leader, admin, members, series, scheduler, before_last=lambda: None):
    """Each member applies, is accepted and pays, with the scheduler running between steps; `before_last` runs
    before the last member is accepted (the rotation settling while the group fills)."""
    applications = []
    for member in members:
        applications.append(apply(api(member), series["id"]))
        scheduler()
    for n, application in enumerate(applications):
        if n == len(members) - 1:
            before_last()
        accepted = api(leader).post(f"/api/v1/applications/{application['id']}/accept").get_json()
        assert accepted["status"] == "enrolled", accepted
        scheduler()
        paid = api(admin).post(f"/api/v1/applications/{application['id']}/payments",
                               json={"amount": accepted["amount_due"], "method": "transfer"})
        assert paid.status_code in (200, 201), paid.get_json()
        scheduler()
    return applications


def test_a_member_gets_four_emails_while_the_group_fills_and_the_rotation_settles(
        api, leader, admin, make_user, scheduler):
    series = published_series(api(leader), capacity=8, meeting_count=8)
    meetings = {m["number"]: m["id"] for m in series["meetings"]}
    members = [make_user() for _ in range(8)]
    ann, ben, eva = members[0], members[1], members[4]

    def settle():
        # While the group fills, turns move: Ann cannot present at meetings 1 and 2, Ben and Eva swap turns.
        assert api(ann).put(f"/api/v1/series/{series['id']}/availability",
                            json={"unavailable_meeting_ids": [meetings[1], meetings[2]]}).status_code == 200
        scheduler()
        rotation = api(ben).get(f"/api/v1/series/{series['id']}/rotation").get_json()["meetings"]
        turn = {p["user_id"]: m["meeting_id"] for m in rotation for p in m["presenters"]}
        asked = api(ben).post(f"/api/v1/series/{series['id']}/swap-requests", json={
            "meeting_id": turn[ben.id], "partner_id": eva.id, "partner_meeting_id": turn[eva.id]}).get_json()
        assert api(eva).post(f"/api/v1/swap-requests/{asked['id']}/accept").get_json()["status"] == "accepted"
        scheduler()

    fill(api, leader, admin, members, series, scheduler, before_last=settle)
    # A ninth applies to the full group and withdraws.
    late = make_user()
    application = apply(api(late), series["id"])
    scheduler()
    assert (
        api(late).post(f"/api/v1/applications/{application['id']}/withdraw", json={"reason": "Too late"}).status_code
        == 200
    )
    for _ in range(3):
        scheduler(after=timedelta(hours=8))  # a day of scheduler runs: nothing more to tell

    # A swap request is a real event for the member asked (Eva); Ben, who asked, hears of the result with the
    # announcement of the turns.
    asked_and_answered = {eva.id: ["rotation_swap_request"]}
    for member in members:
        expected = sorted(MEMBER_MAIL + asked_and_answered.get(member.id, []))
        assert sorted(kinds(member)) == expected, (member.name, kinds(member))
    # Ann's turns moved twice before she had heard of any: she hears of them once, when they are settled.
    assert len(mails(user=ann)) == 4 and kinds(ann) == MEMBER_MAIL
    assert mails("application_accepted", ann)[0].calendar_ics is not None  # the invitation came with her place
    announced = mails("rotation_announced", ann)[0].body_text
    assert "Every place in Evening group is taken" in announced and "You present at:" in announced
    # Nothing about turns before "You have a place".
    assert kinds(ann).index("application_accepted") < kinds(ann).index("rotation_announced")

    # The leader: one email per application (nine) and per withdrawal (one).
    told = Counter(kinds(leader))
    assert told["leader_application"] == 9 and told["leader_withdrawal"] == 1
    assert not [k for k in told if k.startswith(("rotation_changed", "application_"))]
    withdrawal = mails("leader_withdrawal", leader)[0]
    assert late.name in withdrawal.subject and "Too late" in withdrawal.body_text

    # Every email says why it came, in its last line.
    last_lines = {m.kind: m.body_text.strip().splitlines()[-1] for u in [*members, leader] for m in mails(user=u)}
    assert last_lines["rotation_announced"] == "You get this because you have a place in Evening group."
    assert last_lines["application_received"] == "You get this because you applied to Evening group."
    assert last_lines["leader_application"] == "You get this because you lead Evening group."
    assert all(line.startswith("You get this because") for line in last_lines.values()), last_lines


def test_after_the_announcement_members_hear_only_of_their_own_changes_at_most_once_a_day(
        api, leader, admin, make_user, scheduler, clock):
    series = published_series(api(leader), capacity=8, meeting_count=8)
    members = [make_user() for _ in range(8)]
    fill(api, leader, admin, members, series, scheduler)
    assert all(len(mails("rotation_announced", m)) == 1 for m in members)
    ann = members[0]
    meetings = {m["number"]: m["id"] for m in series["meetings"]}
    # Ann cannot present at her meeting (1), then not at 2 either: two re-plans, one digest for each member moved.
    for unavailable in ([meetings[1]], [meetings[1], meetings[2]]):
        assert api(ann).put(f"/api/v1/series/{series['id']}/availability",
                            json={"unavailable_meeting_ids": unavailable}).status_code == 200
        scheduler()
    assert mails("rotation_changed", ann) == []  # the announcement was less than a day ago
    scheduler(after=timedelta(days=1))
    moved = [m for m in members if mails("rotation_changed", m)]
    assert ann in moved and all(len(mails("rotation_changed", m)) == 1 for m in moved)
    assert len(moved) < len(members)  # those whose turns stayed hear nothing
    digest = mails("rotation_changed", ann)[0].body_text
    assert "one email a day at most" in digest and "a member's availability changed" in digest
    # Within a day of a meeting, a change to the reader's turn there goes out at once, and says so.
    rotation = api(ann).get(f"/api/v1/series/{series['id']}/rotation").get_json()["meetings"]
    first = rotation[0]
    presenter = first["presenters"][0]["user_id"]
    other = next(m for m in members if m.id == presenter)
    clock.set("2026-10-19T12:00:00Z")  # meeting 1 is at 23:00 UTC today
    assert api(other).put(f"/api/v1/series/{series['id']}/availability",
                          json={"unavailable_meeting_ids": [first["meeting_id"]]}).status_code == 200
    scheduler(after=timedelta(minutes=1))
    urgent = mails("rotation_changed", other)[-1].body_text
    assert "less than a day away" in urgent and "You no longer present at" in urgent
    # A second scheduler finds nothing left to send: every message was claimed once.
    assert run_due(now())["rotation-digests"] == 0 and run_due(now())["rotation-announcements"] == 0


def test_a_leader_who_chose_a_daily_summary_gets_one_a_day(api, client, login, leader, make_user, scheduler):
    series = published_series(api(leader), capacity=8, meeting_count=8)
    login(leader)
    resp = client.submit("/account/leader-mail", {"leader_mail": "daily"}, page="/account")
    assert resp.status_code == 303 and db.session.get(type(leader), leader.id).leader_mail == "daily"
    page = client.get("/account").get_data(as_text=True)
    assert re.search(r'<input checked[^>]* value="daily"', page)  # the account page shows the choice
    applicants = [make_user() for _ in range(5)]
    applications = [apply(api(a), series["id"]) for a in applicants[:3]]
    assert mails("leader_application", leader) == []
    scheduler()
    summary, = mails("daily_summary", leader)
    assert summary.subject.endswith("3 updates")
    assert all(a.name in summary.body_text for a in applicants[:3])
    assert summary.body_text.strip().splitlines()[-1] == (
        "You get this because you lead Evening group and chose one summary a day on your account page.")
    # Later the same day: kept for tomorrow's summary.
    for a in applicants[3:]:
        apply(api(a), series["id"])
    api(applicants[0]).post(f"/api/v1/applications/{applications[0]['id']}/withdraw", json={"reason": "Moved"})
    scheduler(after=timedelta(hours=6))
    assert len(mails("daily_summary", leader)) == 1
    scheduler(after=timedelta(hours=18))
    second = mails("daily_summary", leader)[-1]
    assert len(mails("daily_summary", leader)) == 2 and second.subject.endswith("3 updates")
    assert "withdrew from Evening group" in second.body_text
    assert mails("leader_application", leader) == [] and mails("leader_withdrawal", leader) == []
