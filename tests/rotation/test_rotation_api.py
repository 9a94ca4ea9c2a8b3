"""The rotation's JSON API: who may see and change what, availability, swaps, moves, requests, case titles."""

import pytest
from sqlalchemy import select

from balint_online.extensions import db
from balint_online.rotation.models import RotationEvent
from tests.factories import mails, published_series
from tests.rotation.conftest import DAY, meeting_ids, turns


@pytest.fixture
def eight(group, enroll, tell):
    """Eight members enrolled in the eight-meeting group: member i presents at meeting i + 1. The group is full, so
    the rotation is announced."""
    members = enroll(group, 8)
    assert tell() == 8 and len(mails("rotation_announced")) == 8
    return members


def presenters(body) -> dict[int, list[int]]:
    return {m["number"]: [p["user_id"] for p in m["presenters"]] for m in body["meetings"]}


# -- access -----------------------------------------------------------------------------------------------

def test_who_may_see_the_rotation(api, group, eight, leader, make_user):
    url = f"/api/v1/series/{group['id']}/rotation"
    for user in (leader, eight[3], make_user("admin")):
        resp = api(user).get(url)
        assert resp.status_code == 200, resp.get_json()
    body = api(eight[3]).get(url).get_json()
    first = body["meetings"][0]
    assert set(first) >= {"meeting_id", "number", "starts_at", "presenters", "backup"}
    assert first["number"] == 1 and first["starts_at"] == "2026-10-19T23:00:00Z"
    assert first["presenters"][0]["user_id"] == eight[0].id and first["presenters"][0]["name"] == "Dr Ann Avery"
    assert set(first["backup"]) >= {"user_id", "name"}
    other_leader = make_user("leader")
    published_series(api(other_leader), title="Another group")
    assert api(other_leader).get(url).status_code == 403
    assert api(make_user()).get(url).status_code == 403  # signed in, not enrolled
    resp = api(None).get(url)
    assert resp.status_code == 401 and resp.get_json()["error"] == "unauthorized"
    assert api(leader).get("/api/v1/series/999/rotation").status_code == 404


def test_who_may_change_it(api, group, eight, leader, make_user):
    ids = meeting_ids(group)
    swap = {"meeting_id_a": ids[1], "user_id_a": eight[0].id, "meeting_id_b": ids[2], "user_id_b": eight[1].id}
    other_leader = make_user("leader")
    for user, status in ((eight[0], 403), (other_leader, 403), (make_user(), 403), (None, 401)):
        assert api(user).post(f"/api/v1/series/{group['id']}/rotation/swap", json=swap).status_code == status
        assert api(user).post(f"/api/v1/series/{group['id']}/rotation/move",
                              json={"meeting_id": ids[1], "user_id": eight[0].id,
                                    "to_meeting_id": ids[2]}).status_code == status
    availability = {"unavailable_meeting_ids": [ids[2]]}
    for user, status in ((leader, 403), (other_leader, 403), (make_user(), 403), (None, 401)):
        assert api(user).put(f"/api/v1/series/{group['id']}/availability", json=availability).status_code == status
    assert turns(group["id"]) == {n: [eight[n - 1].id] for n in range(1, 9)}


# -- availability -----------------------------------------------------------------------------------------

def test_a_feasible_availability_change_moves_only_what_it_must(api, group, eight, tell):
    ids = meeting_ids(group)
    ann = eight[0]
    resp = api(ann).put(f"/api/v1/series/{group['id']}/availability",
                        json={"unavailable_meeting_ids": [ids[1], ids[2]]})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert sorted(body["unavailable_meeting_ids"]) == sorted([ids[1], ids[2]])
    assert len(body["meetings"]) == 8  # every meeting is still to come
    plan = presenters(body)
    assert ann.id not in plan[1] + plan[2]
    assert sorted(u for p in plan.values() for u in p) == sorted(m.id for m in eight)
    assert plan == turns(group["id"])
    # Ann changed places with one other member (four changes, the fewest), and both were told.
    before = {n: [eight[n - 1].id] for n in range(1, 9)}
    moved = {u for n in plan for u in plan[n] + before[n] if plan[n] != before[n]}
    assert len(moved) == 2 and ann.id in moved
    assert tell() == 0  # gathered into the day's digest
    assert tell(after=DAY) == 2 and {m.user_id for m in mails("rotation_changed")} == moved
    assert api(ann).get(f"/api/v1/series/{group['id']}/availability").get_json()["unavailable_meeting_ids"] == [
        ids[1],
        ids[2],
    ]
    # Clearing it is a PUT of an empty list; the plan then stays as it is (fewest changes).
    resp = api(ann).put(f"/api/v1/series/{group['id']}/availability", json={"unavailable_meeting_ids": []})
    assert resp.status_code == 200 and resp.get_json()["unavailable_meeting_ids"] == []
    assert presenters(resp.get_json()) == plan


def test_an_infeasible_availability_change_is_a_409_naming_the_members_and_saves_nothing(api, group, eight):
    ids = meeting_ids(group)
    all_but_8 = [ids[n] for n in range(1, 8)]
    first = api(eight[0]).put(f"/api/v1/series/{group['id']}/availability", json={"unavailable_meeting_ids": all_but_8})
    assert first.status_code == 200
    before = turns(group["id"])
    assert before[8] == [eight[0].id]
    events = db.session.scalar(select(db.func.count(RotationEvent.id)))
    resp = api(eight[1]).put(f"/api/v1/series/{group['id']}/availability", json={"unavailable_meeting_ids": all_but_8})
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["error"] == "rotation_infeasible"
    assert "Dr Ann Avery" in body["message"] and "Ben Brook, NP" in body["message"]
    assert "meeting 8, which has 1 presenting slot for 2 members" in body["message"]
    assert {p["user_id"] for p in body["unplaceable"]} == {eight[0].id, eight[1].id}
    assert all(p["name"] and p["reason"] for p in body["unplaceable"])
    # Nothing saved: neither the availability nor the plan.
    assert turns(group["id"]) == before
    assert api(eight[1]).get(f"/api/v1/series/{group['id']}/availability").get_json()["unavailable_meeting_ids"] == []
    assert db.session.scalar(select(db.func.count(RotationEvent.id))) == events


def test_availability_input_is_checked(api, group, eight, leader, make_user):
    url = f"/api/v1/series/{group['id']}/availability"
    assert api(eight[0]).put(url, json={}).status_code == 422
    assert api(eight[0]).put(url, json={"unavailable_meeting_ids": "all"}).status_code == 422
    resp = api(eight[0]).put(url, json={"unavailable_meeting_ids": [123456]})
    assert resp.status_code == 422 and "unavailable_meeting_ids" in resp.get_json()["fields"]
    other = published_series(api(leader), title="Other")
    assert api(eight[0]).put(url, json={"unavailable_meeting_ids": [other["meetings"][0]["id"]]}).status_code == 422
    assert api(eight[0]).put(url, data="nope", headers={"Content-Type": "application/json"}).status_code == 400
    # A leader may set it for a member; not for someone who is not enrolled.
    ids = meeting_ids(group)
    resp = api(leader).put(url, json={"unavailable_meeting_ids": [ids[5]], "user_id": eight[4].id})
    assert resp.status_code == 200 and resp.get_json()["user_id"] == eight[4].id
    assert eight[4].id not in turns(group["id"])[5]
    assert api(leader).put(url, json={"unavailable_meeting_ids": [], "user_id": make_user().id}).status_code == 422
    assert api(eight[0]).put(url, json={"unavailable_meeting_ids": [], "user_id": eight[1].id}).status_code == 403


def test_held_meetings_keep_their_presenters_and_availability(api, clock, group, eight):
    ids = meeting_ids(group)
    clock.set("2026-10-21T12:00:00Z")  # meeting 1 held
    resp = api(eight[0]).put(f"/api/v1/series/{group['id']}/availability",
                             json={"unavailable_meeting_ids": [ids[1], ids[4]]})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["unavailable_meeting_ids"] == [ids[4]]  # a held meeting is ignored
    assert [m["number"] for m in body["meetings"]] == list(range(2, 9))  # the future only
    rotation = api(eight[0]).get(f"/api/v1/series/{group['id']}/rotation").get_json()
    assert rotation["meetings"][0]["held"] is True and presenters(rotation)[1] == [eight[0].id]


# -- swaps and moves by the leaders -------------------------------------------------------------------------

def test_leaders_swap_two_turns(api, group, eight, leader, tell):
    ids = meeting_ids(group)
    resp = api(leader).post(f"/api/v1/series/{group['id']}/rotation/swap", json={
        "meeting_id_a": ids[2], "user_id_a": eight[1].id, "meeting_id_b": ids[6], "user_id_b": eight[5].id})
    assert resp.status_code == 200, resp.get_json()
    plan = presenters(resp.get_json())
    assert plan[2] == [eight[5].id] and plan[6] == [eight[1].id]
    assert turns(group["id"]) == plan
    tell(after=DAY)
    told = {m.user_id: m.body_text for m in mails("rotation_changed")}
    assert set(told) == {eight[1].id, eight[5].id}
    assert "the leaders swapped two presenting turns" in told[eight[1].id]
    event = db.session.scalars(select(RotationEvent).order_by(RotationEvent.id.desc())).first()
    assert event.kind == "swapped" and event.actor_id == leader.id


def test_a_swap_that_breaks_a_guarantee_is_refused_with_the_reason(api, group, eight, leader, clock):
    ids = meeting_ids(group)
    api(eight[5]).put(f"/api/v1/series/{group['id']}/availability", json={"unavailable_meeting_ids": [ids[2]]})
    before = turns(group["id"])
    url = f"/api/v1/series/{group['id']}/rotation/swap"
    resp = api(leader).post(url, json={"meeting_id_a": ids[2], "user_id_a": eight[1].id,
                                       "meeting_id_b": ids[6], "user_id_b": eight[5].id})
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["error"] == "swap_refused"
    assert "Finn Ford, PsyD is unavailable at meeting 2" in body["message"]
    # A member who does not present there, and the same meeting twice.
    resp = api(leader).post(url, json={"meeting_id_a": ids[2], "user_id_a": eight[0].id,
                                       "meeting_id_b": ids[6], "user_id_b": eight[5].id})
    assert resp.status_code == 409 and "Dr Ann Avery does not present at meeting 2" in resp.get_json()["message"]
    # Malformed or foreign input.
    assert api(leader).post(url, json={"meeting_id_a": ids[2]}).status_code == 422
    resp = api(leader).post(url, json={"meeting_id_a": 99999, "user_id_a": 1, "meeting_id_b": ids[6], "user_id_b": 2})
    assert resp.status_code == 422 and "meeting_id_a" in resp.get_json()["fields"]
    # A held meeting cannot change.
    clock.set("2026-10-21T12:00:00Z")
    resp = api(leader).post(url, json={"meeting_id_a": ids[1], "user_id_a": eight[0].id,
                                       "meeting_id_b": ids[6], "user_id_b": eight[5].id})
    assert resp.status_code == 409 and "already been held" in resp.get_json()["message"]
    assert turns(group["id"]) == before


def test_leaders_move_a_turn_when_it_keeps_every_guarantee(api, group, enroll, leader):
    members = enroll(group, 7)  # the first member presents at meetings 1 and 8
    ids = meeting_ids(group)
    url = f"/api/v1/series/{group['id']}/rotation/move"
    # Taking someone's only turn away is refused, naming them.
    resp = api(leader).post(url, json={"meeting_id": ids[3], "user_id": members[2].id, "to_user_id": members[4].id})
    assert resp.status_code == 409 and resp.get_json()["error"] == "move_refused"
    assert "Dr Cleo Cruz has no presenting turn" in resp.get_json()["message"]
    # Handing the first member's second turn to another member is fine.
    resp = api(leader).post(url, json={"meeting_id": ids[8], "user_id": members[0].id, "to_user_id": members[4].id})
    assert resp.status_code == 200, resp.get_json()
    plan = presenters(resp.get_json())
    assert plan[8] == [members[4].id] and plan[1] == [members[0].id]
    assert resp.get_json()["meetings"][7]["backup"]["user_id"] != members[4].id
    # Moving a turn onto a full meeting is refused.
    resp = api(leader).post(url, json={"meeting_id": ids[8], "user_id": members[4].id, "to_meeting_id": ids[2]})
    assert resp.status_code == 409 and "at most 1" in resp.get_json()["message"]
    assert api(leader).post(url, json={"meeting_id": ids[8], "user_id": members[4].id}).status_code == 422


# -- members asking each other ---------------------------------------------------------------------------------

def test_a_member_asks_another_to_swap_and_the_other_accepts(api, group, eight, tell):
    ids = meeting_ids(group)
    ann, eva = eight[0], eight[4]
    resp = api(ann).post(f"/api/v1/series/{group['id']}/swap-requests", json={
        "meeting_id": ids[1], "partner_id": eva.id, "partner_meeting_id": ids[5], "message": "A family wedding"})
    assert resp.status_code == 201, resp.get_json()
    request = resp.get_json()
    assert request["status"] == "pending" and request["partner"]["user_id"] == eva.id
    asked, = mails("rotation_swap_request")
    assert asked.user_id == eva.id and "Dr Ann Avery" in asked.subject and "A family wedding" in asked.body_text
    # Only the member asked may answer; the requester may see it.
    assert api(ann).post(f"/api/v1/swap-requests/{request['id']}/accept").status_code == 403
    assert api(eight[2]).get(f"/api/v1/swap-requests/{request['id']}").status_code == 403
    assert api(ann).get(f"/api/v1/swap-requests/{request['id']}").status_code == 200
    resp = api(eva).post(f"/api/v1/swap-requests/{request['id']}/accept")
    assert resp.status_code == 200 and resp.get_json()["status"] == "accepted"
    plan = turns(group["id"])
    assert plan[1] == [eva.id] and plan[5] == [ann.id]
    tell(after=DAY)
    assert {m.user_id for m in mails("rotation_changed")} == {ann.id, eva.id}
    assert api(eva).post(f"/api/v1/swap-requests/{request['id']}/accept").status_code == 409
    listed = api(ann).get(f"/api/v1/series/{group['id']}/swap-requests").get_json()["swap_requests"]
    assert [r["status"] for r in listed] == ["accepted"]


def test_swap_requests_declined_withdrawn_and_refused_when_no_longer_valid(api, group, eight, leader):
    ids = meeting_ids(group)
    ann, ben, eva = eight[0], eight[1], eight[4]
    url = f"/api/v1/series/{group['id']}/swap-requests"
    first = api(ann).post(url,
                          json={"meeting_id": ids[1], "partner_id": eva.id, "partner_meeting_id": ids[5]}).get_json()
    assert api(eva).post(f"/api/v1/swap-requests/{first['id']}/decline").get_json()["status"] == "declined"
    assert "declined" in mails("rotation_swap_answer", ann)[-1].body_text
    second = api(ann).post(url,
                           json={"meeting_id": ids[1], "partner_id": eva.id, "partner_meeting_id": ids[5]}).get_json()
    assert api(ann).post(url, json={"meeting_id": ids[1], "partner_id": eva.id,
                                    "partner_meeting_id": ids[5]}).status_code == 409  # asked already
    assert api(ann).post(f"/api/v1/swap-requests/{second['id']}/withdraw").get_json()["status"] == "withdrawn"
    # Asking for a swap that breaks a guarantee is refused at once.
    api(eva).put(f"/api/v1/series/{group['id']}/availability", json={"unavailable_meeting_ids": [ids[2]]})
    eva_at = next(n for n, p in turns(group["id"]).items() if eva.id in p)
    resp = api(ben).post(url, json={"meeting_id": ids[2], "partner_id": eva.id, "partner_meeting_id": ids[eva_at]})
    assert resp.status_code == 409 and "unavailable at meeting 2" in resp.get_json()["message"]
    # A request that was valid when made but is not any more is closed as refused.
    third = api(ann).post(url, json={"meeting_id": ids[1], "partner_id": eva.id,
                                     "partner_meeting_id": ids[eva_at]}).get_json()
    api(leader).post(f"/api/v1/series/{group['id']}/rotation/swap", json={
        "meeting_id_a": ids[1], "user_id_a": ann.id, "meeting_id_b": ids[3], "user_id_b": eight[2].id})
    resp = api(eva).post(f"/api/v1/swap-requests/{third['id']}/accept")
    assert resp.status_code == 409 and resp.get_json()["error"] == "swap_refused"
    assert api(ann).get(f"/api/v1/swap-requests/{third['id']}").get_json()["status"] == "refused"
    assert "could no longer be made" in mails("rotation_swap_answer", ann)[-1].body_text
    # Not enrolled, or asking oneself.
    outsider = api(leader).post(url, json={"meeting_id": ids[1], "partner_id": eva.id, "partner_meeting_id": ids[5]})
    assert outsider.status_code == 403
    assert api(ann).post(url, json={"meeting_id": ids[3], "partner_id": ann.id,
                                    "partner_meeting_id": ids[5]}).status_code == 422


# -- case titles -------------------------------------------------------------------------------------------------

def test_a_presenter_names_their_case_and_the_title_follows_a_swap(api, group, eight, leader):
    ids = meeting_ids(group)
    url = f"/api/v1/meetings/{ids[3]}/case-title"
    resp = api(eight[2]).put(url, json={"case_title": "The patient who always brings a gift"})
    assert resp.status_code == 200 and resp.get_json()["case_title"] == "The patient who always brings a gift"
    assert api(eight[2]).put(url, json={"case_title": "x" * 81}).status_code == 422
    assert api(eight[3]).put(url, json={"case_title": "Not mine"}).status_code == 403
    assert api(None).put(url, json={"case_title": "x"}).status_code == 401
    rotation = api(eight[0]).get(f"/api/v1/series/{group['id']}/rotation").get_json()
    assert rotation["meetings"][2]["presenters"][0]["case_title"] == "The patient who always brings a gift"
    api(leader).post(f"/api/v1/series/{group['id']}/rotation/swap", json={
        "meeting_id_a": ids[3], "user_id_a": eight[2].id, "meeting_id_b": ids[7], "user_id_b": eight[6].id})
    rotation = api(eight[0]).get(f"/api/v1/series/{group['id']}/rotation").get_json()
    assert rotation["meetings"][6]["presenters"][0] == {
        "user_id": eight[2].id, "name": "Dr Cleo Cruz", "case_title": "The patient who always brings a gift"}
    assert rotation["meetings"][2]["presenters"][0]["case_title"] is None


def test_the_openapi_document_describes_the_rotation(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/series/{id}/rotation"])
    availability = paths["/series/{id}/availability"]
    assert "put" in availability and "409" in availability["put"]["responses"]
    assert "post" in paths["/series/{id}/rotation/swap"] and "post" in paths["/series/{id}/rotation/move"]
    assert "/series/{id}/swap-requests" in paths and "/meetings/{id}/case-title" in paths
