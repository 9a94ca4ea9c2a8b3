"""Response headers: the policy every page carries, HSTS in production, and nothing personal cached."""

import pytest

from balint_online import create_app
from tests.factories import apply, published_series


@pytest.fixture
def production(database_urls, backend, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("BALINT_CONFIG")
    monkeypatch.setenv("DATABASE_URL", database_urls[backend])
    return create_app("production")


def test_production_sends_hsts_and_a_strict_policy(production):
    resp = production.test_client().get("/sign-in", base_url="https://balint.test")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    policy = resp.headers["Content-Security-Policy"]
    for directive in ("frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "default-src 'self'"):
        assert directive in policy
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in resp.headers["Permissions-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_for_production_only(client):
    resp = client.get("/sign-in")
    assert "Strict-Transport-Security" not in resp.headers
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


def test_nothing_personal_is_cached(app, client, api, make_user, login, clock):
    clock.set("2026-09-01T12:00:00Z")
    leader, member = make_user("leader"), make_user()
    series = published_series(api(leader))
    application = apply(api(member), series["id"])
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # a visitor's catalogue
    assert "no-store" not in client.get("/static/css/site.css").headers.get("Cache-Control", "")
    login(member)
    for path in ("/", "/home", "/account", f"/applications/{application['id']}/invoice", "/account/tokens"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["Cache-Control"] == "no-store", path
    client.submit("/sign-out", page="/home")
    login(leader)
    csv = client.get(f"/lead/series/{series['id']}/roster.csv")
    assert csv.status_code == 200 and csv.headers["Cache-Control"] == "no-store"
    answer = api(member).get(f"/api/v1/applications/{application['id']}")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"


def test_the_personal_feed_may_be_revalidated_but_never_shared(app, client, make_user):
    user = make_user()
    resp = client.get(f"/calendar/{user.calendar_token}.ics")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "private, no-cache" and resp.headers["ETag"]
