"""Accounts in the browser-facing pages: sign-up, sign-in, resets, CSRF, throttling."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from balint_online import create_app
from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.conftest import make_app

# Sign-up (confirmed by an emailed link, the same answer for a taken address) is in test_sign_up_and_links.py.


def test_sign_in_with_any_case_and_wrong_password(client, make_user):
    user = make_user(email="ruth@example.org")
    bad = client.submit("/sign-in", {"email": "ruth@example.org", "password": "wrong password"})
    assert bad.status_code == 422 and b"do not match" in bad.data
    ok = client.submit("/sign-in", {"email": "RUTH@example.org", "password": "correct horse battery"})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200
    client.submit("/sign-out", page="/account")
    assert client.get("/account").status_code == 302
    assert user.id


def test_sign_in_refuses_open_redirects(client, make_user):
    make_user(email="ruth@example.org")
    resp = client.submit("/sign-in?next=https://evil.example/",
                         {"email": "ruth@example.org", "password": "correct horse battery"})
    assert resp.headers["Location"] == "/home"


def _reset_link() -> str:
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).one()
    assert "<a href=" in message.body_html
    return re.search(r"http://\S+", message.body_text).group(0).replace("http://balint.test", "")


def test_password_reset_link_is_single_use(client, make_user):
    make_user(email="ruth@example.org")
    client.submit("/password/forgot", {"email": "Ruth@example.org"})
    link = _reset_link()
    assert client.get(link).status_code == 200
    resp = client.submit(link, {"password": "brand new password", "confirm": "brand new password"})
    assert resp.status_code == 302
    assert client.get(link).status_code == 404
    client.submit("/sign-out", page="/account")
    assert client.submit("/sign-in", {"email": "ruth@example.org", "password": "brand new password"}).status_code == 302


def test_password_reset_link_expires(client, make_user, clock):
    make_user(email="ruth@example.org")
    clock.set(now())
    client.submit("/password/forgot", {"email": "ruth@example.org"})
    link = _reset_link()
    clock.set(now() + timedelta(hours=3))
    assert client.get(link).status_code == 404


def test_reset_request_for_unknown_email_reveals_nothing(client):
    resp = client.submit("/password/forgot", {"email": "nobody@example.org"}, follow_redirects=True)
    assert b"If that address has an account" in resp.data
    assert db.session.query(OutboxMessage).count() == 0


def test_forms_need_a_csrf_token(client):
    resp = client.post("/sign-in", data={"email": "a@example.org", "password": "whatever"})
    assert resp.status_code == 400
    resp = client.post("/sign-in", data={"email": "a@example.org", "password": "whatever",
                                         "csrf_token": client.csrf_token("/sign-in")})
    assert resp.status_code == 422


def test_sign_in_is_throttled_per_address_and_per_account(client):
    """The ordinary configuration's limits hold: 10 a minute from one address, 5 for one account."""
    codes = [client.submit("/sign-in", {"email": f"a{n}@example.org", "password": "x"}).status_code for n in range(11)]
    assert codes == [422] * 10 + [429]


def test_one_account_is_throttled_whatever_the_address(app):
    guesses = [app.test_client().submit("/sign-in", {"email": "a@example.org", "password": "x"},
                                        environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(6)]
    assert guesses == [422] * 5 + [429]


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_environment_variables_override_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("BALINT_BASE_URL", "https://groups.example.org")
    monkeypatch.setenv("BALINT_MAIL_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("BALINT_VIDEO_PROVIDER", "bigbluebutton")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app()
    assert app.config["BASE_URL"] == "https://groups.example.org"
    assert app.config["MAIL_URL"] == "smtp://127.0.0.1:2525"
    assert app.config["VIDEO_PROVIDER"] == "bigbluebutton"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/x.db")


def test_forwarded_headers_are_honoured_only_when_configured(database_urls, backend):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "groups.example.org", "X-Forwarded-For": "203.0.113.9"}
    seen = {}
    for hops in (0, 1):
        app = make_app(database_urls[backend], PROXY_HOPS=hops)

        @app.get("/_probe")
        def probe():
            from flask import request

            return {"url": request.url, "remote": request.remote_addr}

        seen[hops] = app.test_client().get("/_probe", headers=headers).get_json()
    assert seen[0] == {"url": "http://localhost/_probe", "remote": "127.0.0.1"}
    assert seen[1] == {"url": "https://groups.example.org/_probe", "remote": "203.0.113.9"}


def test_health_and_readiness(client, database_urls, tmp_path):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json() == {"status": "ready"}
    unmigrated = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.db"}).test_client()
    assert unmigrated.get("/readyz").status_code == 503
    unreachable = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"}).test_client()
    assert unreachable.get("/readyz").status_code == 503
    assert unreachable.get("/healthz").status_code == 200


def test_pages_render_for_visitors(client):
    for path in ("/", "/sign-in", "/sign-up", "/password/forgot"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert b'<html lang="en">' in resp.data and b"<h1>" in resp.data
    assert client.get("/static/css/site.css").status_code == 200
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and b"Page not found" in missing.data


SIGN_IN_TWICE = """
import json, sys
from balint_online import create_app
from tests.browser import BrowserClient
app = create_app(json.loads(sys.argv[1]))
app.test_client_class = BrowserClient
with app.app_context():
    client = app.test_client()
    print([client.submit("/sign-in", {"email": "a@example.org", "password": "x"}).status_code for _ in range(2)])
"""


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_throttling_is_shared_between_processes_only_through_redis(database_urls, storage, tmp_path):
    """Two processes, as two gunicorn workers would be: Redis counts their attempts together, memory does not."""
    import json
    import os
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    if storage == "redis" and not os.environ.get("TEST_REDIS_URL"):
        pytest.skip("TEST_REDIS_URL names no Redis")
    uri = os.environ["TEST_REDIS_URL"] if storage == "redis" else "memory://"
    # A fresh key prefix per run, so counts left by an earlier run never leak in.
    settings = json.dumps({"LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_STORAGE_URI": uri,
                           "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
                           "SQLALCHEMY_DATABASE_URI": database_urls["sqlite"]})
    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.run([sys.executable, "-c", SIGN_IN_TWICE, settings], cwd=root, capture_output=True, text=True,
                           timeout=60, env={**os.environ, "BALINT_CONFIG": "testing"}) for _ in range(2)]
    codes = [run.stdout.strip().splitlines()[-1] for run in runs]
    assert codes == (["[422, 422]", "[422, 429]"] if storage == "redis" else ["[422, 422]", "[422, 422]"])
