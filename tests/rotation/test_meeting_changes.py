"""Meetings added and restored, and the promise that every member presents at least once (issue 17)."""

from collections import Counter

import pytest

from tests.factories import mails
from tests.rotation.conftest import meeting_ids, turns


def presenting_members(series_id) -> Counter:
    return Counter(user for presenters in turns(series_id).values() for user in presenters)


@pytest.fixture
def full_group(group, enroll):
    """8 members, 8 meetings, one presenter each: every turn is someone's only turn."""
    return group, enroll(group, 8)


def test_cancelling_in_a_full_group_then_adding_a_make_up_meeting_gives_everyone_a_turn(api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    resp = api(leader).post(f"/api/v1/meetings/{ids[5]}/cancel", json={"reason": "Leader unwell"})
    assert resp.status_code == 200
    rotation = resp.get_json()["rotation"]
    assert rotation["kept"] is False and [p["name"] for p in rotation["without_turn"]] == [members[4].name]
    assert "add a make-up meeting" in rotation["remedies"]
    assert "No rotation gives every member" in rotation["explanation"]
    assert members[4].id not in presenting_members(series["id"])
    told = mails("rotation_infeasible", leader)[-1].body_text
    assert f"/lead/series/{series['id']}/meetings/new" in told and "let two members present" in told

    resp = api(leader).post(f"/api/v1/series/{series['id']}/meetings", json={"starts_at_local": "2026-12-14T19:00"})
    assert resp.status_code == 201, resp.get_json()
    added = resp.get_json()
    assert added["number"] == 9 and added["starts_at"] == "2026-12-15T00:00:00Z" and added["status"] == "scheduled"
    assert added["rotation"]["kept"] is True and added["rotation"]["without_turn"] == []
    assert presenting_members(series["id"]) == Counter({m.id: 1 for m in members})
    # Everyone is told of the new meeting, with a calendar invitation.
    invites = mails("meeting_added")
    # The members' invitations are updated; the organizing leader's own copy is a PUBLISH.
    assert sorted(m.calendar_method for m in invites) == ["PUBLISH"] + ["REQUEST"] * 8
    assert "has a new meeting, number 9" in invites[-1].body_text
    detail = api(leader).get(f"/api/v1/series/{series['id']}").get_json()
    assert detail["meeting_count"] == 9 and [m["number"] for m in detail["meetings"]] == list(range(1, 10))


def test_restoring_the_cancelled_meeting_gives_the_turn_back(api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    api(leader).post(f"/api/v1/meetings/{ids[3]}/cancel", json={"reason": "Holiday"})
    resp = api(leader).post(f"/api/v1/meetings/{ids[3]}/restore")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "scheduled" and body["sequence"] == 2 and body["rotation"]["kept"] is True
    assert presenting_members(series["id"]) == Counter({m.id: 1 for m in members})
    assert "is no longer cancelled" in mails("meeting_restored")[-1].body_text
    again = api(leader).post(f"/api/v1/meetings/{ids[3]}/restore")
    assert again.status_code == 409 and again.get_json()["error"] == "meeting_not_cancelled"


def test_added_meetings_keep_the_rules_of_local_time(api, leader, group, make_user):
    path = f"/api/v1/series/{group['id']}/meetings"
    gap = api(leader).post(path, json={"starts_at_local": "2027-03-14T02:30"})
    assert gap.status_code == 422 and "does not exist" in gap.get_json()["fields"]["starts_at_local"]
    twice = api(leader).post(path, json={"starts_at_local": "2026-11-01T01:30"})
    assert twice.status_code == 422 and "happens twice" in twice.get_json()["fields"]["starts_at_local"]
    clash = api(leader).post(path, json={"starts_at_local": "2026-10-19T20:00"})
    assert clash.status_code == 409 and clash.get_json()["error"] == "meeting_overlap"
    past = api(leader).post(path, json={"starts_at_local": "2026-09-01T19:00"})
    assert past.status_code == 422
    assert api(leader).post(path, json={"starts_at_local": "soon"}).status_code == 422
    assert api(make_user("leader")).post(path, json={"starts_at_local": "2026-12-14T19:00"}).status_code == 403


def test_a_past_or_clashing_cancelled_meeting_cannot_be_restored(api, leader, clock, group):
    ids = meeting_ids(group)
    api(leader).post(f"/api/v1/meetings/{ids[2]}/cancel", json={})
    api(leader).post(f"/api/v1/meetings/{ids[4]}/cancel", json={})
    # Something else now takes meeting 4's evening.
    api(leader).post(f"/api/v1/series/{group['id']}/meetings", json={"starts_at_local": "2026-11-09T19:30"})
    clash = api(leader).post(f"/api/v1/meetings/{ids[4]}/restore")
    assert clash.status_code == 409 and clash.get_json()["error"] == "meeting_overlap"
    clock.set("2026-10-27T12:00:00Z")
    late = api(leader).post(f"/api/v1/meetings/{ids[2]}/restore")
    assert late.status_code == 409 and late.get_json()["error"] == "meeting_past"


def test_two_presenters_at_one_meeting_keep_the_promise_after_a_cancellation(api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    api(leader).post(f"/api/v1/meetings/{ids[5]}/cancel", json={"reason": "Leader unwell"})
    resp = api(leader).put(f"/api/v1/meetings/{ids[8]}/presenters", json={"count": 2})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["guarantee"]["kept"] is True
    last = next(m for m in body["meetings"] if m["number"] == 8)
    assert last["presenter_count"] == 2 and len(last["presenters"]) == 2
    assert presenting_members(series["id"]) == Counter({m.id: 1 for m in members})
    # Back to one presenter would take someone's only turn away: refused, nothing saved.
    back = api(leader).put(f"/api/v1/meetings/{ids[8]}/presenters", json={"count": 1})
    assert back.status_code == 409 and back.get_json()["error"] == "rotation_infeasible"
    assert len(turns(series["id"])[8]) == 2
    assert api(members[0]).put(f"/api/v1/meetings/{ids[8]}/presenters", json={"count": 3}).status_code == 403


# -- the same through the leader's workspace pages -----------------------------------------------------------

def test_the_leader_is_warned_before_cancelling_and_a_make_up_from_the_page_restores_every_turn(
        client, login, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    login(leader)
    change = f"/lead/meetings/{ids[5]}/change"
    page = client.get(change).get_data(as_text=True)
    assert "Before you cancel:" in page and "Cancelling meeting 5 would leave a member without a turn" in page
    assert "Add a make-up meeting" in page and "let two members present at another meeting" in page
    # A meeting whose loss leaves everyone a turn is not flagged: none here, every turn is someone's only one.
    resp = client.submit(f"/lead/meetings/{ids[5]}/cancel", {"cancel-reason": "Leader unwell"}, page=change)
    assert resp.status_code == 302
    hub = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "The promise of a turn for everyone is not kept." in hub and members[4].name in hub

    add = f"/lead/series/{series['id']}/meetings/new"
    bad = client.submit(add, {"new_date": "2027-03-14", "new_time": "02:30"})
    assert bad.status_code == 422 and "does not exist" in bad.get_data(as_text=True)
    resp = client.submit(add, {"new_date": "2026-12-14", "new_time": "19:00"})
    assert resp.status_code == 302
    hub = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Meeting 9 added" in hub and "Every one of the 8 members has a presenting turn." in hub
    assert presenting_members(series["id"]) == Counter({m.id: 1 for m in members})


def test_restore_from_the_page(client, login, api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    api(leader).post(f"/api/v1/meetings/{ids[2]}/cancel", json={"reason": "Holiday"})
    login(leader)
    hub = f"/lead/series/{series['id']}"
    assert "Restore meeting 2" in client.get(hub).get_data(as_text=True)
    resp = client.submit(f"/lead/meetings/{ids[2]}/restore", page=hub)
    assert resp.status_code == 302
    page = client.get(hub).get_data(as_text=True)
    assert "Meeting 2 takes place after all" in page and "Every one of the 8 members has a presenting turn." in page
    assert presenting_members(series["id"]) == Counter({m.id: 1 for m in members})


def test_two_presenters_from_the_page(client, login, api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    login(leader)
    change = f"/lead/meetings/{ids[8]}/change"
    resp = client.submit(f"/lead/meetings/{ids[8]}/presenters", {"presenters-count": "2"}, page=change)
    assert resp.status_code == 302
    assert len(turns(series["id"])[8]) == 2
    # With two at meeting 8, cancelling meeting 5 no longer costs anyone their turn: no warning.
    assert "Before you cancel:" not in client.get(f"/lead/meetings/{ids[5]}/change").get_data(as_text=True)


# -- placing a member at a meeting they marked unavailable, after asking them ------------------------------------

def test_a_member_is_placed_on_a_date_they_marked_unavailable_only_once_they_agree(api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    ann, ben = members[0], members[1]  # present at meetings 1 and 2
    # Ann cannot present at meeting 3 (Cleo's turn): the rotation leaves her at meeting 1.
    assert api(ann).put(f"/api/v1/series/{series['id']}/availability",
                        json={"unavailable_meeting_ids": [ids[3]]}).status_code == 200
    path = f"/api/v1/series/{series['id']}/rotation/placements"
    available = api(leader).post(path, json={"meeting_id": ids[2], "user_id": ann.id})
    assert available.status_code == 422 and "move the turn instead" in available.get_json()["message"]
    resp = api(leader).post(path, json={"meeting_id": ids[3], "user_id": ann.id, "message": "Cleo is away."})
    assert resp.status_code == 201, resp.get_json()
    asked = resp.get_json()
    assert asked["status"] == "pending" and "marked meeting 3 unavailable" in asked["warning"]
    assert turns(series["id"])[3] == [members[2].id]  # nothing moves before she agrees
    assert "Could you present at meeting 3" in mails("rotation_placement_request", ann)[-1].subject
    assert api(ben).post(f"/api/v1/placements/{asked['id']}/accept").status_code == 403
    assert api(leader).post(path, json={"meeting_id": ids[3], "user_id": ann.id}).status_code == 409

    agreed = api(ann).post(f"/api/v1/placements/{asked['id']}/accept")
    assert agreed.status_code == 200 and agreed.get_json()["status"] == "accepted"
    plan = turns(series["id"])
    assert plan[3] == [ann.id] and plan[1] == [members[2].id]  # Cleo takes Ann's old turn
    assert presenting_members(series["id"]) == Counter({m.id: 1 for m in members})
    availability = api(ann).get(f"/api/v1/series/{series['id']}/availability").get_json()
    assert availability["unavailable_meeting_ids"] == []
    assert "agreed to present" in mails("rotation_placement_answer", leader)[-1].subject


def test_a_declined_placement_changes_nothing(api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    ann = members[0]
    api(ann).put(f"/api/v1/series/{series['id']}/availability", json={"unavailable_meeting_ids": [ids[5]]})
    before = turns(series["id"])
    asked = api(leader).post(f"/api/v1/series/{series['id']}/rotation/placements",
                             json={"meeting_id": ids[5], "user_id": ann.id}).get_json()
    resp = api(ann).post(f"/api/v1/placements/{asked['id']}/decline")
    assert resp.status_code == 200 and resp.get_json()["status"] == "declined"
    assert turns(series["id"]) == before
    assert api(ann).post(f"/api/v1/placements/{asked['id']}/accept").get_json()["error"] == "not_pending"


def test_placement_through_the_pages(client, login, api, leader, full_group):
    series, members = full_group
    ids = meeting_ids(series)
    ann = members[0]
    api(ann).put(f"/api/v1/series/{series['id']}/availability", json={"unavailable_meeting_ids": [ids[4]]})
    requests_page = f"/series/{series['id']}/rotation/requests"
    login(leader)
    page = client.get(requests_page).get_data(as_text=True)
    assert "These members said they cannot present at these meetings" in page and f"{ann.name}: " in page
    resp = client.submit(f"/series/{series['id']}/rotation/placements",
                         {"place-blockout": f"{ids[4]}:{ann.id}"}, page=requests_page)
    assert resp.status_code == 303
    assert "Waiting for the member" in client.get(requests_page).get_data(as_text=True)
    login(ann)
    mine = client.get(requests_page).get_data(as_text=True)
    assert "Agree to present then" in mine
    request_id = api(leader).get(f"/api/v1/series/{series['id']}/rotation/placements").get_json()[
        "placement_requests"][0]["id"]
    resp = client.submit(f"/rotation/placements/{request_id}/accept", page=requests_page)
    assert resp.status_code == 303 and turns(series["id"])[4] == [ann.id]
