"""The way into a meeting's room, on the page and through the API: who, when, and what they are told."""

import base64
import html
import json

import pytest
from sqlalchemy import select

from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from balint_online.video.models import Attendance
from tests import snapshots

from .conftest import FIRST_END, WINDOW_OPENS, run_video_job

BEFORE = "2026-10-19T22:44:59Z"
DURING = "2026-10-19T23:30:00Z"
MOMENTS = {"before": BEFORE, "opening": WINDOW_OPENS, "during": DURING, "after": FIRST_END}
PEOPLE = ("outsider", "waitlisted", "withdrawn", "enrolled", "leader", "admin")


def expected(who: str, when: str):
    """(HTTP status, API error or role) by the rules: leaders host, enrolled members take part, in the window."""
    if who not in ("enrolled", "leader"):
        return 403, "not_enrolled"
    if when == "before":
        return 403, "too_early"
    if when == "after":
        return 403, "ended"
    return 200, "host" if who == "leader" else "participant"


@pytest.fixture
def group(make_group):
    return provisioned(make_group)


@snapshots.kept
def provisioned(make_group):
    """The group with its rooms made, once a worker: on Jitsi, making them calls no one."""
    group = make_group()
    assert run_video_job() == 8  # this group's meetings and the other group's
    return group


def person(group, who):
    return group.leader if who == "leader" else group.people[who]


def entries(meeting_id):
    return db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id,
                                                       Attendance.first_entered_at.is_not(None))).all()


@pytest.mark.parametrize("when", list(MOMENTS))
@pytest.mark.parametrize("who", PEOPLE)
def test_access_matrix_on_page_and_api(client, api, login, clock, group, who, when):
    meeting = group.meetings[0]
    room_url = meeting.video_room["join_url"]
    user = person(group, who)
    moment = clock.set(MOMENTS[when])
    status, outcome = expected(who, when)

    login(user)
    page = client.get(f"/meetings/{meeting.id}/join")
    answer = api(user).get(f"/api/v1/meetings/{meeting.id}/join")

    assert page.status_code == (302 if status == 200 else status)
    assert answer.status_code == status
    body = answer.get_json()
    if status == 200:
        assert page.headers["Location"].startswith(room_url)
        assert page.headers["Cache-Control"] == "no-store"
        assert body["url"].startswith(room_url) and body["role"] == outcome
        assert [(e.user_id, e.first_entered_at) for e in entries(meeting.id)] == [(user.id, moment)]
    else:
        assert body["error"] == outcome
        assert ("opens_at" in body) == (outcome == "too_early")
        assert room_url not in page.get_data(as_text=True) and room_url not in answer.get_data(as_text=True)
        assert entries(meeting.id) == []


def test_anonymous_people_are_sent_to_sign_in_and_api_clients_need_a_token(client, api, clock, group):
    meeting = group.meetings[0]
    clock.set(DURING)
    page = client.get(f"/meetings/{meeting.id}/join")
    assert page.status_code == 302
    assert page.headers["Location"] == f"/sign-in?next=%2Fmeetings%2F{meeting.id}%2Fjoin"
    assert api(None).get(f"/api/v1/meetings/{meeting.id}/join").status_code == 401
    assert entries(meeting.id) == []


def test_too_early_says_when_the_room_opens_in_the_members_own_zone(client, api, login, clock, group):
    meeting = group.meetings[0]
    clock.set(BEFORE)
    login(group.people["enrolled"])  # in Budapest: 22:45 UTC is 00:45 the next day, summer time
    page = client.get(f"/meetings/{meeting.id}/join").get_data(as_text=True)
    assert "The room is not open yet" in page
    assert "The room opens at Tue 20 Oct 2026, 00:45 CEST, 15 minutes before the start." in page
    body = api(group.people["enrolled"]).get(f"/api/v1/meetings/{meeting.id}/join").get_json()
    assert body["opens_at"] == WINDOW_OPENS and "00:45 CEST" in body["message"]


@pytest.mark.parametrize("who, says", [
    ("admin", "Administrators look after the group but are not in it"),
    ("waitlisted", "You are on the waiting list for this group"),
    ("withdrawn", "Only this group's enrolled members and its leaders join its meetings."),
    ("outsider", "Only this group's enrolled members and its leaders join its meetings."),
])
def test_people_kept_out_are_told_why(client, login, clock, group, who, says):
    clock.set(DURING)
    login(group.people[who])
    page = client.get(f"/meetings/{group.meetings[0].id}/join")
    assert page.status_code == 403
    assert says in html.unescape(page.get_data(as_text=True))


def test_ended_meeting(client, login, clock, group):
    clock.set("2026-10-20T03:00:00Z")
    login(group.leader)
    page = client.get(f"/meetings/{group.meetings[0].id}/join")
    assert page.status_code == 403 and "This meeting has ended" in page.get_data(as_text=True)


def test_cancelled_meeting_is_closed_to_everyone_and_its_room_removed(client, api, login, clock, group):
    second = group.meetings[1]
    resp = api(group.leader).post(f"/api/v1/meetings/{second.id}/cancel", json={"reason": "Holiday"})
    assert resp.status_code == 200
    assert run_video_job() == 1
    db.session.expire_all()
    assert group.meetings[1].video_room is None
    clock.set("2026-10-26T23:10:00Z")
    for user in (group.people["enrolled"], group.leader):
        answer = api(user).get(f"/api/v1/meetings/{second.id}/join")
        assert answer.status_code == 403 and answer.get_json()["error"] == "cancelled"
    login(group.people["enrolled"])
    page = client.get(f"/meetings/{second.id}/join")
    assert page.status_code == 403 and "This meeting was cancelled" in page.get_data(as_text=True)


def test_room_not_ready_says_the_leaders_were_told(client, api, login, clock, make_group, app, zoom_server,
                                                   zoom_settings):
    app.config.update(zoom_settings)
    group = make_group("zoom")
    zoom_server.script("/meetings", status=503, body={"code": 503, "message": "Service unavailable"}, times=50)
    clock.set(DURING)
    meeting = group.meetings[0]
    login(group.people["enrolled"])
    page = client.get(f"/meetings/{meeting.id}/join")
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "The video room is not ready" in text and "leaders have been told" in text
    creates = [r for r in zoom_server.requests if r.method == "POST" and r.path.endswith("/meetings")]
    assert creates == []  # the way in never waits on the provider: rooms are the scheduler's to make

    answer = api(group.people["enrolled"]).get(f"/api/v1/meetings/{meeting.id}/join")
    assert answer.status_code == 503 and answer.get_json()["error"] == "room_not_ready"
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "video_trouble")).all()
    assert [m.recipient for m in told] == [group.leader.email]  # once, however many knock
    assert "meeting 1" in told[0].subject
    assert entries(meeting.id) == []


def test_leaders_host_and_members_take_part_with_jitsi_tokens(api, clock, app, group):
    app.config.update(JITSI_APP_ID="balint-app", JITSI_APP_SECRET="jitsi-secret-not-shown")
    clock.set(DURING)
    meeting = group.meetings[0]

    def claims(user):
        url = api(user).get(f"/api/v1/meetings/{meeting.id}/join").get_json()["url"]
        payload = url.split("?jwt=")[1].split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    leader, member = claims(group.leader), claims(group.people["enrolled"])
    assert leader["context"]["user"]["moderator"] is True
    assert member["context"]["user"]["moderator"] is False
    assert member["room"] == meeting.video_room["external_id"]


def test_the_room_link_appears_nowhere_but_at_the_door(client, api, login, clock, group):
    meeting = group.meetings[0]
    secret_parts = [meeting.video_room["join_url"], meeting.video_room["external_id"]]
    clock.set(DURING)
    assert api(group.people["enrolled"]).get(f"/api/v1/meetings/{meeting.id}/join").status_code == 200
    seen = [
        api(group.people["enrolled"]).get(f"/api/v1/series/{group.series['id']}").get_data(as_text=True),
        client.get(f"/series/{group.series['id']}").get_data(as_text=True),
    ]
    for user in (group.people["enrolled"], group.leader):
        login(user)
        seen.append(client.get("/home").get_data(as_text=True))
        seen.append(client.get(f"/lead/series/{group.series['id']}/attendance").get_data(as_text=True))
    seen += [m.body_text + m.body_html for m in db.session.scalars(select(OutboxMessage))]
    assert f"/meetings/{meeting.id}/join" in seen[2]  # the guarded way in is on the member's page
    for text in seen:
        for part in secret_parts:
            assert part not in text


def test_the_openapi_document_describes_the_way_in(api):
    document = api(None).get("/api/v1/openapi.json").get_json()
    join = document["paths"]["/meetings/{id}/join"]["get"]
    schema = join["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/JoinLink"}
    assert {"403", "503"} <= set(join["responses"])
    refusal = document["components"]["schemas"]["JoinRefusal"]["allOf"][1]["properties"]
    assert refusal["error"]["enum"] == ["not_enrolled", "too_early", "ended", "cancelled"] and "opens_at" in refusal
