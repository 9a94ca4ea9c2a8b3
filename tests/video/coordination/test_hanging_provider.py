"""A provider that hangs: joins fail fast with a clear answer, and nothing else waits on it."""

import time
from concurrent.futures import ThreadPoolExecutor

import requests

from balint_online.accounts.models import ApiToken, User
from balint_online.extensions import db
from tests.live import live_server

from .conftest import run_video_job

DURING = "2026-10-19T23:30:00Z"
# Far longer than a join may wait (VIDEO_JOIN_TIMEOUT below), so any join that waited it out shows.
HANG = 4.0


def token(user) -> str:
    _, raw = ApiToken.issue(user)
    db.session.commit()
    return raw


def timed_get(url: str, raw: str | None = None):
    started = time.monotonic()
    answer = requests.get(url, headers={"Authorization": f"Bearer {raw}"} if raw else {}, timeout=30)
    return answer, started, time.monotonic()


def creates(bbb_server) -> int:
    return sum("/create" in r.path for r in bbb_server.requests)


def test_a_hanging_bigbluebutton_fails_joins_fast_while_health_and_pages_answer(
        app, client, login, clock, make_group, bbb_server, bbb_settings):
    # The scheduler's calls keep production's long budget; only the way in must not wait.
    app.config.update(bbb_settings, VIDEO_HTTP_TIMEOUT=10, VIDEO_JOIN_TIMEOUT=0.3)
    group = make_group("bigbluebutton")
    assert run_video_job() == 8  # rooms made ahead by the scheduler, as in production
    clock.set(DURING)
    meeting_id, member_id = group.meetings[0].id, group.people["enrolled"].id
    people = [token(group.people["enrolled"]) for _ in range(4)] + [token(group.leader) for _ in range(4)]
    bbb_server.script("/create", delay=HANG, times=1000)  # BigBlueButton stops answering
    join_url = f"/api/v1/meetings/{meeting_id}/join"

    with live_server(app) as base:
        hang_started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            joins = [pool.submit(timed_get, base + join_url, raw) for raw in people]
            health = [pool.submit(timed_get, base + "/healthz") for _ in range(4)]
            pages = [pool.submit(timed_get, base + f"/series/{group.series['id']}") for _ in range(4)]
            joins, health, pages = ([f.result() for f in fs] for fs in (joins, health, pages))
        hang_ends = hang_started + HANG
        for answer, _, finished in joins:
            assert answer.status_code == 503 and answer.json()["error"] == "provider_unavailable"
            assert "not answering, try again in a minute" in answer.json()["message"]
            assert finished < hang_ends  # answered before the provider's hang was over
        for answer, _, finished in health + pages:
            assert answer.status_code == 200 and finished < hang_ends

        # The circuit is open for every process: later joins do not even ask the provider.
        asked = creates(bbb_server)
        with ThreadPoolExecutor(max_workers=8) as pool:
            again = list(pool.map(lambda raw: timed_get(base + join_url, raw), people))
        assert {a.status_code for a, _, _ in again} == {503}
        assert creates(bbb_server) == asked

    login(db.session.get(User, member_id))
    page = client.get(f"/meetings/{meeting_id}/join")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "The video service is not answering, try again in a minute" in page.get_data(as_text=True)


def test_the_circuit_closes_once_the_provider_answers_again(app, api, clock, make_group, bbb_server, bbb_settings):
    app.config.update(bbb_settings, VIDEO_JOIN_TIMEOUT=0.3)
    group = make_group("bigbluebutton")
    run_video_job()
    clock.set(DURING)
    member = api(group.people["enrolled"])
    join_url = f"/api/v1/meetings/{group.meetings[0].id}/join"
    bbb_server.script("/create", delay=1.0, times=3)
    assert [member.get(join_url).status_code for _ in range(4)] == [503] * 4
    assert creates(bbb_server) == 4 + 3  # the scheduler's four rooms, then three tries before the circuit opened
    clock.set("2026-10-19T23:31:01Z")  # a minute on: one try goes through, and the provider answers
    assert member.get(join_url).status_code == 200
    assert member.get(join_url).status_code == 200
