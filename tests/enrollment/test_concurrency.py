"""Capacity and one-live-application hold under simultaneous requests to a running server."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import requests
from sqlalchemy import func, select

from balint_online.accounts.models import ApiToken
from balint_online.enrollment.models import Application
from balint_online.extensions import db
from balint_online.series.models import Series
from tests.factories import ATTESTATION, apply, published_series
from tests.live import live_server


def token_for(user) -> str:
    _, raw = ApiToken.issue(user)
    db.session.commit()
    return raw


def fire(url: str, calls: list[tuple[str, dict]]) -> list[int]:
    """POST every call at the same moment from its own thread; returns the status codes."""
    barrier = Barrier(len(calls))

    def one(call):
        token, body = call
        barrier.wait()
        return requests.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_simultaneous_accepts_never_oversell(app, api, make_user):
    leader = make_user("leader")
    series = published_series(api(leader), capacity=3, meeting_count=8)
    members = [make_user() for _ in range(12)]
    apps = [apply(api(m), series["id"]) for m in members]
    # A second leader token per request, so requests share nothing but the database.
    tokens = [token_for(leader) for _ in apps]
    with live_server(app) as base:
        codes = []
        barrier = Barrier(len(apps))

        def accept(pair):
            application, token = pair
            barrier.wait()
            resp = requests.post(f"{base}/api/v1/applications/{application['id']}/accept",
                                 headers={"Authorization": f"Bearer {token}"}, timeout=60)
            return resp.status_code, resp.json()["status"]

        with ThreadPoolExecutor(max_workers=len(apps)) as pool:
            codes = list(pool.map(accept, zip(apps, tokens, strict=True)))
    assert {code for code, _ in codes} == {200}
    statuses = sorted(status for _, status in codes)
    assert statuses.count("enrolled") == 3 and statuses.count("waitlisted") == 9
    db.session.expire_all()
    assert db.session.get(Series, series["id"]).seats_taken == 3
    enrolled = db.session.scalar(select(func.count()).where(Application.status == "enrolled"))
    assert enrolled == 3
    positions = [api(leader).get(f"/api/v1/applications/{a['id']}").get_json()["waitlist_position"] for a in apps]
    assert sorted(p for p in positions if p) == list(range(1, 10))


def test_simultaneous_applications_by_one_person_create_one(app, api, make_user):
    leader = make_user("leader")
    series = published_series(api(leader))
    member = make_user()
    tokens = [token_for(member) for _ in range(10)]
    with live_server(app) as base:
        codes = fire(f"{base}/api/v1/series/{series['id']}/applications",
                     [(t, {"trainee": False, "attestation": ATTESTATION}) for t in tokens])
    assert sorted(codes) == [201] + [409] * 9
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_simultaneous_withdrawals_and_offers_keep_the_count(app, api, make_user):
    """Members withdraw while the waiting-list job runs in other threads: seats never go wrong."""
    from balint_online.applications.jobs import make_offers
    from balint_online.core.clock import now

    leader = make_user("leader")
    series = published_series(api(leader), capacity=4, meeting_count=8)
    members = [make_user() for _ in range(10)]
    apps = [apply(api(m), series["id"]) for m in members]
    for a in apps:
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    tokens = [token_for(m) for m in members[:4]]

    def offer_round():
        with app.app_context():
            return make_offers(now())

    with live_server(app) as base:
        barrier = Barrier(8)

        def withdraw(pair):
            application, token = pair
            barrier.wait()
            return requests.post(f"{base}/api/v1/applications/{application['id']}/withdraw", json={"reason": "x"},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=60).status_code

        def offers(_):
            barrier.wait()
            return offer_round()

        with ThreadPoolExecutor(max_workers=8) as pool:
            withdrawals = [pool.submit(withdraw, pair) for pair in zip(apps[:4], tokens, strict=True)]
            rounds = [pool.submit(offers, n) for n in range(4)]
            withdrawn = [w.result() for w in withdrawals]
            assert all(r.result() >= 0 for r in rounds)
    assert withdrawn == [200] * 4
    offer_round()
    db.session.expire_all()
    seated = db.session.scalar(select(func.count()).where(Application.status.in_(("offered", "enrolled"))))
    assert seated == db.session.get(Series, series["id"]).seats_taken == 4
