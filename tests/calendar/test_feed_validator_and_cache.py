"""A poll that finds nothing new costs one statement; a change is built once and served to every process.

The validator is the owner's feed version (calendar.versions), so each kind of change a personal
feed shows must move it: these tests make every such change and check that the next poll gets
the new feed, and that nothing else does.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import update

from balint_online.calendar import services
from balint_online.core import zonerules
from balint_online.extensions import db
from balint_online.series.models import Meeting
from tests.conftest import make_app
from tests.statements import statements_of

pytestmark = pytest.mark.now("2026-09-01T12:00:00Z")

BASE = "http://balint.test"


def feed_path(api, user) -> str:
    return api(user).get("/api/v1/me/calendar").get_json()["feed_url"].removeprefix(BASE)


@pytest.fixture
def builds(monkeypatch):
    """How many times a feed body was built."""
    made = []
    real = services.personal_feed
    monkeypatch.setattr(services, "personal_feed", lambda *a, **k: made.append(1) or real(*a, **k))
    return made


def test_a_304_costs_one_statement_whatever_the_feed_holds(api, group, leader, member, make_user, client):
    for n in range(3):
        group(leader, [member, make_user()], title=f"Group {n}", first_meeting_local=f"2026-10-{19 + n}T19:00")
    path = feed_path(api, member)
    etag = client.get(path).headers["ETag"]
    answers = []
    assert len(statements_of(lambda: answers.append(client.get(path, headers={"If-None-Match": etag})))) == 1
    assert answers[0].status_code == 304


def test_polls_build_the_feed_once_per_version(api, group, leader, member, client, builds, clock):
    series = group(leader, [member])
    path = feed_path(api, member)
    first = client.get(path)
    for _ in range(5):
        again = client.get(path)  # clients that send no validator at all still get the kept bytes
        assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert builds == [1]

    clock.set("2026-09-02T09:00:00Z")
    meeting = series["meetings"][2]
    assert api(leader).post(f"/api/v1/meetings/{meeting['id']}/cancel").status_code == 200
    changed = [client.get(path) for _ in range(3)]
    assert {r.headers["ETag"] for r in changed} != {first.headers["ETag"]}
    assert changed[0].data != first.data and changed[0].data == changed[2].data
    assert builds == [1, 1]


def _change_everything(api, leader, member, other_leader, series, other_series, clock):
    """Each change a personal feed shows, one after another (name, action)."""
    meetings = series["meetings"]
    yield "meeting moved", lambda: api(leader).post(f"/api/v1/meetings/{meetings[4]['id']}/reschedule",
                                                      json={"starts_at_local": "2026-11-18T20:00"})
    yield "meeting cancelled", lambda: api(leader).post(f"/api/v1/meetings/{meetings[5]['id']}/cancel")
    rotation = api(leader).get(f"/api/v1/series/{series['id']}/rotation").get_json()["meetings"]
    mine = next(m for m in rotation if any(p["user_id"] == member.id for p in m["presenters"]))
    theirs = next(m for m in rotation if m["presenters"] and all(p["user_id"] != member.id for p in m["presenters"]))
    yield "turn swapped", lambda: api(leader).post(f"/api/v1/series/{series['id']}/rotation/swap", json={
        "meeting_id_a": mine["meeting_id"], "user_id_a": member.id,
        "meeting_id_b": theirs["meeting_id"], "user_id_b": theirs["presenters"][0]["user_id"]})

    def video_room():
        # Provisioning writes the room with a bulk UPDATE, outside the ORM's unit of work.
        db.session.execute(update(Meeting).where(Meeting.id == meetings[0]["id"]).values(video_room={"url": "x"}))
        db.session.commit()

    yield "video room ready", video_room
    from tests.factories import apply

    def enrol_elsewhere():
        application = apply(api(member), other_series["id"])
        return api(other_leader).post(f"/api/v1/applications/{application['id']}/accept")

    yield "enrolled in another group", enrol_elsewhere

    def withdraw():
        roster = api(other_leader).get(f"/api/v1/series/{other_series['id']}/roster").get_json()["applications"]
        mine = next(a for a in roster if a["user_id"] == member.id)
        return api(member).post(f"/api/v1/applications/{mine['id']}/withdraw", json={"reason": "Too much"})

    yield "withdrew from it", withdraw
    yield "series cancelled by the society", lambda: api(leader).post(f"/api/v1/series/{series['id']}/cancel",
                                                                       json={"reason": "Leader unwell"})


def test_every_change_the_feed_shows_moves_the_validator(api, group, leader, member, make_user, client, clock):
    other_leader = make_user("leader")
    series = group(leader, [member, make_user(), make_user()])
    other_series = group(other_leader, [], title="Another group", first_meeting_local="2026-10-22T19:00")
    path = feed_path(api, member)
    seen = {client.get(path).headers["ETag"]}
    for n, (name, change) in enumerate(_change_everything(api, leader, member, other_leader, series, other_series,
                                                         clock)):
        clock.set(f"2026-09-{2 + n:02d}T09:00:00Z")
        result = change()
        assert result is None or result.status_code in (200, 201), (name, result.get_json())
        etag = client.get(path).headers["ETag"]
        assert etag not in seen, f"the feed's validator did not move when: {name}"
        seen.add(etag)
        # Nothing moves without a change.
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304, name


def test_a_change_moves_only_the_feeds_that_show_it(api, group, leader, member, make_user, client, clock):
    other_leader, elsewhere = make_user("leader"), make_user()
    series = group(leader, [member])
    group(other_leader, [elsewhere], title="Another group", first_meeting_local="2026-10-22T19:00")
    paths = {who: feed_path(api, who) for who in (member, leader, elsewhere, other_leader)}
    before = {who: client.get(path).headers["ETag"] for who, path in paths.items()}
    clock.set("2026-09-02T09:00:00Z")
    assert api(leader).post(f"/api/v1/meetings/{series['meetings'][3]['id']}/cancel").status_code == 200
    after = {who: client.get(path).headers["ETag"] for who, path in paths.items()}
    assert {who for who in paths if after[who] != before[who]} == {member, leader}


def test_settings_and_zone_rules_are_part_of_the_validator(app, api, group, leader, member, client, monkeypatch):
    group(leader, [member])
    path = feed_path(api, member)
    etag = client.get(path).headers["ETag"]
    previous = zonerules.install(zonerules.ZoneRules("2099z"))  # what a tzdata upgrade changes
    try:
        after_rules = client.get(path).headers["ETag"]
    finally:
        zonerules.install(previous)
    monkeypatch.setitem(app.config, "SOCIETY_NAME", "Another Society")
    after_name = client.get(path).headers["ETag"]
    assert len({etag, after_rules, after_name}) == 3


def test_every_process_serves_the_bytes_built_once(backend, database_urls, api, group, leader, member, builds):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL names no Redis")
    group(leader, [member])
    path = feed_path(api, member)
    db.session.commit()
    shared = {"FEED_CACHE_URL": redis_url, "FROZEN_NOW": "2026-09-01T12:00:00+00:00"}
    # Two apps stand for two processes; a fresh SOCIETY_NAME keeps keys from earlier runs apart.
    shared["SOCIETY_NAME"] = f"Society {uuid.uuid4().hex}"
    first, second = (make_app(database_urls[backend], **shared) for _ in range(2))
    with first.app_context():
        one = first.test_client().get(path)
    with second.app_context():
        two = second.test_client().get(path)
    assert one.status_code == two.status_code == 200 and one.data == two.data
    assert builds == [1]


def test_a_cache_that_is_down_costs_a_build_never_an_error(backend, database_urls, api, group, leader, member,
                                                         builds):
    group(leader, [member])
    path = feed_path(api, member)
    db.session.commit()
    down = make_app(database_urls[backend], FEED_CACHE_URL="redis://127.0.0.1:9/0",
                    FROZEN_NOW="2026-09-01T12:00:00+00:00")
    with down.app_context():
        answers = [down.test_client().get(path) for _ in range(2)]
    assert [r.status_code for r in answers] == [200, 200] and answers[0].data == answers[1].data
    assert builds == [1, 1]
