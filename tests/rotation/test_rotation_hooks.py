"""The rotation follows the roster and the meetings: enrollment, withdrawal, late joins, cancellations."""

import logging
from collections import Counter

from sqlalchemy import select

from balint_online.enrollment.models import Application
from balint_online.extensions import db
from balint_online.rotation.models import RotationEvent
from balint_online.rotation.planning import has_room_for_another
from balint_online.series.models import Series
from tests.factories import apply, mails, published_series, run_jobs
from tests.rotation.conftest import DAY, meeting_ids, turns


def counts(series_id) -> Counter:
    return Counter(user for presenters in turns(series_id).values() for user in presenters)


def test_enrolling_eight_members_into_eight_meetings_gives_each_one_turn(group, enroll):
    members = enroll(group, 8)
    plan = turns(group["id"])
    assert sorted(plan) == list(range(1, 9)) and all(len(p) == 1 for p in plan.values())
    assert counts(group["id"]) == Counter({m.id: 1 for m in members})
    # In enrollment order, and every meeting has a backup who presents elsewhere.
    assert [plan[n][0] for n in range(1, 9)] == [m.id for m in members]
    backups = turns(group["id"], "backup")
    assert sorted(backups) == list(range(1, 9))
    assert all(backups[n][0] != plan[n][0] for n in range(1, 9))


def test_a_lone_member_fills_every_meeting_and_newcomers_take_turns_over(group, enroll, clock, tell):
    first, = enroll(group, 1)
    assert counts(group["id"]) == Counter({first.id: 8})
    # Turns are spread evenly: the newcomer takes over half of them, alternating.
    second, = enroll(group, 1)
    assert counts(group["id"]) == Counter({first.id: 4, second.id: 4})
    assert turns(group["id"])[1] == [first.id] and turns(group["id"])[2] == [second.id]
    # Turns still move while the group fills: nobody is told until they settle, a week before the first meeting.
    assert tell() == 0 and mails("rotation_changed") == [] and mails("rotation_announced") == []
    clock.set("2026-10-12T23:00:00Z")
    assert tell() == 2
    told = {m.user_id: m.body_text for m in mails("rotation_announced")}
    assert set(told) == {first.id, second.id} and "starts in a week" in told[second.id]
    assert "meeting 2," in told[second.id] and "meeting 1," in told[first.id]
    assert tell(after=DAY) == 0  # nothing has changed since


def test_a_withdrawal_mid_series_keeps_past_turns_and_replans_the_future(api, clock, group, enroll, tell):
    members = enroll(group, 8)
    tell()
    before = turns(group["id"])
    clock.set("2026-11-04T12:00:00Z")  # meetings 1-3 have been held
    leaving = members[5]  # presents at meeting 6
    assert before[6] == [leaving.id]
    sent_before = len(mails("rotation_changed"))
    resp = api(leaving).post(f"/api/v1/applications/{leaving.application_id}/withdraw", json={"reason": "Moved away"})
    assert resp.status_code == 200
    after = turns(group["id"])
    assert {n: after[n] for n in (1, 2, 3)} == {n: before[n] for n in (1, 2, 3)}
    assert all(len(after[n]) == 1 for n in range(4, 9))
    assert leaving.id not in [u for n in range(4, 9) for u in after[n]]
    # Only meeting 6 changed; the extra turn goes to whoever presented first.
    assert {n: after[n] for n in (4, 5, 7, 8)} == {n: before[n] for n in (4, 5, 7, 8)}
    assert after[6] == [members[0].id]
    assert tell() == 1  # the last message about turns was weeks ago
    told = mails("rotation_changed")[sent_before:]
    assert [m.user_id for m in told] == [members[0].id]
    assert "meeting 6" in told[0].body_text and "a member left the group" in told[0].body_text
    event = db.session.scalars(select(RotationEvent).order_by(RotationEvent.id.desc())).first()
    assert event.kind == "replanned" and sorted(map(tuple, event.changes)) == sorted(
        [(meeting_ids(group)[6], leaving.id, "removed"), (meeting_ids(group)[6], members[0].id, "added")])


def test_a_late_join_from_the_waiting_list_gets_a_turn(app, api, clock, group, enroll, make_user, leader, tell):
    members = enroll(group, 8)
    late = make_user()
    application = apply(api(late), group["id"])
    assert api(leader).post(f"/api/v1/applications/{application['id']}/accept").get_json()["status"] == "waitlisted"
    clock.set("2026-10-28T12:00:00Z")  # meetings 1 and 2 held
    api(members[6]).post(f"/api/v1/applications/{members[6].application_id}/withdraw", json={"reason": "ill"})
    # Six meetings remain for five members still to present and the newcomer: there is room.
    run_jobs(app)
    offered = api(late).get(f"/api/v1/applications/{application['id']}").get_json()
    assert offered["status"] == "offered"
    assert api(late).post(f"/api/v1/applications/{application['id']}/accept-offer").get_json()["status"] == "enrolled"
    plan = turns(group["id"])
    future = [u for n in range(3, 9) for u in plan[n]]
    assert late.id in future
    assert sorted(future) == sorted([m.id for m in members[2:] if m is not members[6]] + [late.id])
    tell()  # the newcomer hears their turns as soon as they have a place, the rotation being announced
    assert "You now present at" in mails("rotation_changed", late)[-1].body_text


def test_there_is_no_room_when_the_meetings_left_are_all_needed(app, api, clock, leader, make_user, enroll):
    series = published_series(api(leader), capacity=4, meeting_count=4)
    members = enroll(series, 4)
    waiting = make_user()
    application = apply(api(waiting), series["id"])
    api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    clock.set("2026-10-28T12:00:00Z")  # meetings 1 and 2 held by members 0 and 1
    api(members[0]).post(f"/api/v1/applications/{members[0].application_id}/withdraw", json={"reason": "ill"})
    run_jobs(app)
    # Two meetings left for the two members still to present: no turn for anyone else.
    assert api(waiting).get(f"/api/v1/applications/{application['id']}").get_json()["status"] == "waitlisted"
    assert has_room_for_another(db.session.get(Series, series["id"]), clock.set("2026-10-28T12:00:00Z")) is False


def test_room_counts_past_turns_and_open_offers(app, api, leader, make_user, enroll, clock):
    series = published_series(api(leader), capacity=4, meeting_count=4)
    row = db.session.get(Series, series["id"])
    enroll(series, 3)
    october = clock.set("2026-10-01T12:00:00Z")
    late_october = clock.set("2026-10-28T12:00:00Z")  # meetings 1 and 2 held by the first two members
    assert has_room_for_another(row, october) is True  # 4 meetings for 3 members and a newcomer
    # Members who presented already need no further turn: 2 meetings left for 1 member and a newcomer.
    assert has_room_for_another(row, late_october) is True
    offered = make_user()
    clock.set(october)
    application = apply(api(offered), series["id"])
    db.session.execute(Application.__table__.update().where(Application.id == application["id"])
                       .values(status="offered"))
    # Someone holding an offer needs a turn too.
    assert has_room_for_another(row, october) is False
    assert has_room_for_another(row, late_october) is False
    db.session.rollback()


def test_cancelling_a_meeting_moves_its_presenter(api, clock, group, enroll, leader, tell):
    members = enroll(group, 7)  # eight slots for seven members: the first presents twice
    clock.set("2026-10-13T12:00:00Z")
    assert tell() == 7  # a week before the first meeting: announced
    before = turns(group["id"])
    assert before[8] == [members[0].id]
    cancelled = meeting_ids(group)[3]
    sent_before = len(mails("rotation_changed"))
    resp = api(leader).post(f"/api/v1/meetings/{cancelled}/cancel", json={"reason": "Holiday"})
    assert resp.status_code == 200
    after = turns(group["id"])
    assert 3 not in after
    assert counts(group["id"]) == Counter({m.id: 1 for m in members})
    assert members[2].id in [u for presenters in after.values() for u in presenters]
    assert after[8] == [members[2].id]  # took the first member's second turn: one move
    assert tell() == 0 and tell(after=DAY) == 2  # in the next day's digest
    told = {m.user_id: m for m in mails("rotation_changed")[sent_before:]}
    assert set(told) == {members[0].id, members[2].id}
    assert "meeting 3 was cancelled" in told[members[2].id].body_text
    assert "(cancelled)" in told[members[2].id].body_text


def test_cancelling_a_meeting_no_rotation_can_absorb_keeps_the_plan_and_tells_the_leaders(
        api, group, enroll, leader, caplog, tell):
    members = enroll(group, 8)
    tell()
    before = turns(group["id"])
    cancelled = meeting_ids(group)[3]
    with caplog.at_level(logging.WARNING, logger="balint_online.rotation.services"):
        resp = api(leader).post(f"/api/v1/meetings/{cancelled}/cancel", json={"reason": "Holiday"})
    assert resp.status_code == 200  # the meeting is cancelled all the same
    after = turns(group["id"])
    assert after == {n: p for n, p in before.items() if n != 3}
    assert "cannot be placed" in caplog.text or "no meetings remain" in caplog.text or "not presented" in caplog.text
    warning, = mails("rotation_infeasible")
    assert warning.user_id == leader.id
    assert "meeting 3 was cancelled" in warning.body_text
    # Every member is named, once, in one sentence about the shortage.
    body = " ".join(warning.body_text.split())
    assert all(body.count(m.name) == 1 for m in members), body
    assert "7 presenting slots for 8 members, so 1 of them cannot be placed" in body
    tell(after=DAY)
    assert "You no longer present at" in mails("rotation_changed", members[2])[-1].body_text


def test_rescheduling_keeps_the_plan(api, group, enroll, leader):
    enroll(group, 8)
    before = turns(group["id"])
    resp = api(leader).post(f"/api/v1/meetings/{meeting_ids(group)[4]}/reschedule",
                            json={"starts_at_local": "2026-11-10T19:00"})
    assert resp.status_code == 200, resp.get_json()
    assert turns(group["id"]) == before


def test_cancelling_the_series_drops_every_future_turn_without_rotation_emails(api, clock, group, enroll, leader):
    enroll(group, 8)
    clock.set("2026-10-21T12:00:00Z")
    before = turns(group["id"])
    sent_before = len(mails("rotation_changed"))
    resp = api(leader).post(f"/api/v1/series/{group['id']}/cancel", json={"reason": "The leaders are unwell."})
    assert resp.status_code == 200
    assert turns(group["id"]) == {1: before[1]}
    assert len(mails("rotation_changed")) == sent_before


def test_a_rotation_fault_undoes_the_change_that_triggered_it_and_is_logged(
        api, group, enroll, leader, make_user, monkeypatch, caplog):
    from balint_online.rotation import services

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    member = make_user()
    application = apply(api(member), group["id"])
    monkeypatch.setattr(services, "refresh", broken)
    with caplog.at_level(logging.ERROR):
        resp = api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    # Not swallowed: the leader sees the failure, it is logged, and no member is enrolled without a turn.
    assert resp.status_code == 500 and "boom" in caplog.text
    assert api(member).get(f"/api/v1/applications/{application['id']}").get_json()["status"] == "pending"
    assert turns(group["id"]) == {}
    monkeypatch.undo()
    assert api(leader).post(f"/api/v1/applications/{application['id']}/accept").get_json()["status"] == "enrolled"
    assert counts(group["id"]) == Counter({member.id: 8})


def test_an_overfull_rotation_drops_leavers_and_recovers_when_there_is_room_again(api, group, enroll, leader):
    members = enroll(group, 8)
    ids = meeting_ids(group)
    for n in (3, 4):  # seven members still to present, six meetings left: not every turn can be kept
        assert api(leader).post(f"/api/v1/meetings/{ids[n]}/cancel", json={"reason": "Holiday"}).status_code == 200
    assert len(mails("rotation_infeasible")) == 2
    leaving = members[5]  # presents at meeting 6
    api(leaving).post(f"/api/v1/applications/{leaving.application_id}/withdraw", json={"reason": "ill"})
    plan = turns(group["id"])
    assert leaving.id not in [u for p in plan.values() for u in p]  # even though still infeasible
    assert leaving.id not in [u for p in turns(group["id"], "backup").values() for u in p]
    assert len(mails("rotation_infeasible")) == 3
    api(members[6]).post(f"/api/v1/applications/{members[6].application_id}/withdraw", json={"reason": "moved"})
    # Six members for six meetings: a full rotation again, with as few moves as possible.
    assert counts(group["id"]) == Counter({m.id: 1 for m in members if m not in (leaving, members[6])})
    assert len(mails("rotation_infeasible")) == 3
