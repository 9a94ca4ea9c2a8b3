"""API tokens: named, listed, revocable, expiring, last use recorded; the account page and the CLI."""

import re
from datetime import timedelta

from sqlalchemy import select

from balint_online.accounts.models import ApiToken
from balint_online.core.clock import now
from balint_online.extensions import db


def _me(client, raw):
    return client.get("/api/v1/me/calendar", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_cli_issues_named_expiring_tokens_lists_and_revokes_them(app, client, make_user, clock):
    make_user(email="ruth@example.org")
    runner = app.test_cli_runner()
    start = clock.set(now())
    result = runner.invoke(args=["users", "token", "ruth@example.org", "--name", "nightly export", "--days", "2"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]  # the contract: the token is the last line
    assert _me(client, raw) == 200
    default = runner.invoke(args=["users", "token", "ruth@example.org"]).output.strip().splitlines()[-1]

    listing = runner.invoke(args=["users", "tokens", "ruth@example.org"]).output
    assert "nightly export" in listing and "command line" in listing and "live" in listing
    assert raw not in listing and default not in listing
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "nightly export"))
    assert token.expires_at - token.created_at == timedelta(days=2)
    assert token.digest != raw  # hashed at rest

    clock.set(start + timedelta(days=2, minutes=1))
    assert _me(client, raw) == 401  # expired
    assert _me(client, default) == 200  # 90 days by default

    default_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "command line"))
    revoked = runner.invoke(args=["users", "revoke-token", str(default_id)])
    assert revoked.exit_code == 0, revoked.output
    assert _me(client, default) == 401
    listing = runner.invoke(args=["users", "tokens", "ruth@example.org"]).output
    assert "revoked" in listing and "expired" in listing
    assert runner.invoke(args=["users", "revoke-token", "999999"]).exit_code != 0


def test_the_default_lifetime_is_configurable(app, make_user):
    app.config["API_TOKEN_DAYS"] = 7
    token, _ = ApiToken.issue(make_user())
    db.session.commit()
    assert token.expires_at - token.created_at == timedelta(days=7)


def test_last_use_is_recorded_at_most_once_a_minute(app, client, make_user, clock):
    user = make_user()
    token, raw = ApiToken.issue(user, name="script")
    db.session.commit()
    assert token.last_used_at is None
    start = clock.set(now())
    assert _me(client, raw) == 200
    db.session.expire_all()
    assert abs(token.last_used_at - start) < timedelta(seconds=1)
    first = token.last_used_at
    clock.set(start + timedelta(seconds=30))
    assert _me(client, raw) == 200
    db.session.expire_all()
    assert token.last_used_at == first  # no write for every request
    later = clock.set(start + timedelta(minutes=2))
    assert _me(client, raw) == 200
    db.session.expire_all()
    assert abs(token.last_used_at - later) < timedelta(seconds=1)


def test_the_account_page_creates_shows_once_lists_and_revokes(app, client, make_user, login):
    user = make_user()
    login(user)
    assert b"API tokens" in client.get("/account").data
    created = client.submit("/account/tokens", {"name": "reporting script"})
    assert created.status_code == 201 and b"shown only once" in created.data
    raw = re.search(r'<code class="secret">([^<]+)</code>', created.get_data(as_text=True)).group(1)
    assert _me(client, raw) == 200
    page = client.get("/account/tokens")
    assert b"reporting script" in page.data and raw.encode() not in page.data
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    resp = client.submit(f"/account/tokens/{token.id}/revoke", page="/account/tokens")
    assert resp.status_code == 302
    assert _me(client, raw) == 401
    assert b"revoked" in client.get("/account/tokens").data


def test_nobody_revokes_another_persons_token(app, client, make_user, login):
    owner, other = make_user(), make_user()
    token, raw = ApiToken.issue(owner, name="mine")
    db.session.commit()
    login(other)
    csrf = client.csrf_token("/account/tokens")
    assert client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert _me(client, raw) == 200


def test_a_token_needs_a_name_on_the_page(app, client, make_user, login):
    login(make_user())
    resp = client.submit("/account/tokens", {"name": ""})
    assert resp.status_code == 422
    assert db.session.scalar(select(ApiToken)) is None
