"""Benchmark: personal calendar feed requests per second, as ratios to /healthz.

Run from the repository root:  .venv/bin/python bench/bench_feeds.py

A member enrolled in 3 series of 8 meetings (each with a second member and presenting turns)
asks for their feed:
  (a) fresh: no validator, so the feed is built (6 queries and the iCalendar output);
  (b) 304:   a matching If-None-Match, answered from the validator queries alone;
  (c) baseline: GET /healthz, which does no database work.
All three go through the same app in the same way, the werkzeug test client (no sockets), on a
temporary SQLite database, so the ratios (not the absolute rates) carry over between machines.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

ROUNDS = 5
SECONDS_PER_ROUND = 1.0


def build_app(folder: str):
    os.environ["BALINT_CONFIG"] = "testing"  # a fixed clock and no CSRF, as the tests have
    from flask_migrate import upgrade

    from balint_online import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                      "FROZEN_NOW": "2026-09-01T12:00:00+00:00"})
    with app.app_context():
        upgrade(revision="heads")
    return app


def member_in_three_series(app) -> str:
    """Creates the data through the API, as people would; returns the member's feed path."""
    from balint_online.accounts.models import ApiToken
    from balint_online.accounts.services import create_user
    from balint_online.extensions import db
    from tests.factories import apply, published_series

    with app.app_context():
        def user(role, n):
            return create_user(email=f"{role}{n}@bench.test", name=f"{role} {n}", password="bench password 1",
                               role=role, timezone="America/New_York", discipline="physician", member_until=None)

        def bearer(person):
            _, raw = ApiToken.issue(person)
            db.session.commit()
            return {"Authorization": f"Bearer {raw}"}

        leader, member = user("leader", 1), user("member", 1)
        client = app.test_client()
        as_leader = _Headers(client, bearer(leader))
        others = [user("member", n) for n in (2, 3, 4)]
        for n, other in enumerate(others):
            series = published_series(as_leader, title=f"Group {n}", first_meeting_local=f"2026-10-{19 + n}T19:00")
            for person in (member, other):
                application = apply(_Headers(client, bearer(person)), series["id"])
                as_leader.post(f"/api/v1/applications/{application['id']}/accept")
        feed = _Headers(client, bearer(member)).get("/api/v1/me/calendar").get_json()["feed_url"]
        return "/" + feed.split("/", 3)[3]


class _Headers:
    """The test client with a bearer token on every call (the shape tests.factories expects)."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path, **kw):
        return self.client.post(path, headers=self.headers, **kw)


def rate(client, path: str, headers: dict, status: int) -> float:
    """Best requests per second over a few fixed-length rounds."""
    best = 0.0
    for _ in range(ROUNDS):
        count, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < SECONDS_PER_ROUND:
            response = client.get(path, headers=headers)
            assert response.status_code == status, response.status_code
            count += 1
        best = max(best, count / elapsed)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        path = member_in_three_series(app)
        client = app.test_client()
        first = client.get(path)
        events = first.data.count(b"BEGIN:VEVENT")
        baseline = rate(client, "/healthz", {}, 200)
        fresh = rate(client, path, {}, 200)
        not_modified = rate(client, path, {"If-None-Match": first.headers["ETag"]}, 304)

    print(f"Personal feed, member in 3 series ({events} events, {len(first.data)} bytes); "
          "werkzeug test client, temporary SQLite database")
    print(f"  /healthz baseline     {baseline:9.0f} req/s   1.000")
    print(f"  feed, fresh build     {fresh:9.0f} req/s   {fresh / baseline:.3f} of baseline")
    print(f"  feed, 304             {not_modified:9.0f} req/s   {not_modified / baseline:.3f} of baseline")
    print(f"  304 / fresh           {not_modified / fresh:.1f}x")


if __name__ == "__main__":
    main()
