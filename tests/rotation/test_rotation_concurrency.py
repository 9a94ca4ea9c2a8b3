"""Simultaneous changes to one series' rotation are applied one after another and leave a valid plan."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import requests

from balint_online.accounts.models import ApiToken
from balint_online.extensions import db
from balint_online.rotation.engine import check_plan
from balint_online.rotation.state import stored_plan, take_snapshot
from balint_online.series.models import Series
from tests.live import live_server
from tests.rotation.conftest import meeting_ids


def token_for(user) -> str:
    _, raw = ApiToken.issue(user)
    db.session.commit()
    return raw


def test_simultaneous_availability_changes_and_swaps_leave_a_valid_plan(app, api, group, enroll, leader):
    members = enroll(group, 8)
    ids = meeting_ids(group)
    # Six members each rule out their own meeting and the next; the leaders swap two turns meanwhile.
    calls = [("put", f"/api/v1/series/{group['id']}/availability", token_for(m),
              {"unavailable_meeting_ids": [ids[n + 1], ids[min(n + 2, 8)]]}) for n, m in enumerate(members[:6])]
    calls.append(("post", f"/api/v1/series/{group['id']}/rotation/swap", token_for(leader),
                  {"meeting_id_a": ids[7], "user_id_a": members[6].id, "meeting_id_b": ids[8],
                   "user_id_b": members[7].id}))
    with live_server(app) as base:
        barrier = Barrier(len(calls))

        def call(spec):
            method, path, token, body = spec
            barrier.wait()
            return getattr(requests, method)(base + path, json=body, headers={"Authorization": f"Bearer {token}"},
                                             timeout=60).status_code

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            codes = list(pool.map(call, calls))
    assert all(code in (200, 409) for code in codes), codes
    assert codes[:6].count(200) >= 5
    db.session.expire_all()
    snap = take_snapshot(db.session.get(Series, group["id"]))
    plan = stored_plan(snap)
    assert check_plan(snap.inp, plan.presenters) == []
    assert all(b is not None for b in plan.backups.values())
    db.session.rollback()
