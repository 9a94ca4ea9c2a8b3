"""Sessions that end: sign-out, resets, password changes, sign out everywhere, idle and absolute limits."""

import re
from datetime import timedelta

from sqlalchemy import select

from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage

PASSWORD = "correct horse battery"


def _sign_in(client, user, *, remember=False, password=PASSWORD):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    resp = client.submit("/sign-in", data)
    assert resp.status_code == 302, resp.data
    return client


def _copy(client, app, *names):
    """A second browser holding copies of `client`'s cookies, as a thief would."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/home").status_code == 200


def _reset_links():
    bodies = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.kind == "password_reset")
                                .order_by(OutboxMessage.id)).all()
    return [re.search(r"http://balint\.test(/\S+)", body).group(1) for body in bodies]


def test_a_session_cookie_copied_before_sign_out_no_longer_opens_home(app, client, make_user):
    user = make_user()
    _sign_in(client, user)
    thief = _copy(client, app, "session")
    assert _signed_in(thief)
    client.submit("/sign-out", page="/home")
    assert not _signed_in(client)
    assert not _signed_in(thief)


def test_the_remember_me_cookie_dies_with_sign_out(app, client, make_user):
    user = make_user()
    _sign_in(client, user, remember=True)
    thief = _copy(client, app, "remember_token")
    assert _signed_in(thief)  # the cookie alone opens a new session...
    client.submit("/sign-out", page="/home")
    assert not _signed_in(_copy(thief, app, "remember_token"))  # ...until the sign-in it belongs to ends


def test_signing_out_ends_only_that_browser(app, make_user):
    user = make_user()
    laptop, phone = _sign_in(app.test_client(), user), _sign_in(app.test_client(), user)
    laptop.submit("/sign-out", page="/home")
    assert not _signed_in(laptop) and _signed_in(phone)


def test_a_password_reset_ends_every_session_remember_me_and_older_link(app, client, make_user):
    user = make_user(email="ruth@example.org")
    laptop = _sign_in(app.test_client(), user, remember=True)
    remembered = _copy(laptop, app, "remember_token")
    client.submit("/password/forgot", {"email": "ruth@example.org"})
    client.submit("/password/forgot", {"email": "ruth@example.org"})
    older, newer = _reset_links()
    assert client.get(older).status_code == 404  # asking again retires the link before
    resp = client.submit(newer, {"password": "brand new password", "confirm": "brand new password"})
    assert resp.status_code == 302
    assert _signed_in(client)  # the person who reset is signed in afresh...
    assert not _signed_in(laptop) and not _signed_in(remembered)  # ...and nobody else is
    assert client.get(newer).status_code == 404


def test_finishing_a_reset_retires_every_other_outstanding_link(app, client, make_user):
    from balint_online.accounts.services import complete_password_reset, start_password_reset

    user = make_user(email="ruth@example.org")
    start_password_reset("ruth@example.org")
    first = _reset_links()[0].rsplit("/", 1)[1]
    # A second link made by hand alongside the first (as two requests racing would).
    import secrets

    from balint_online.accounts.models import PasswordReset, token_digest

    raw = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user=user, digest=token_digest(raw), expires_at=now() + timedelta(hours=1)))
    db.session.commit()
    complete_password_reset(first, "brand new password")
    db.session.commit()
    assert client.get(f"/password/reset/{raw}").status_code == 404


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(app, client, make_user):
    user = make_user()
    other = _sign_in(app.test_client(), user)
    _sign_in(client, user)
    wrong = client.submit("/account/password", {"current_password": "not my password", "password": "a new password!",
                                                "confirm": "a new password!"}, page="/account")
    assert wrong.status_code == 422 and b"not your current password" in wrong.data
    assert _signed_in(other)
    ok = client.submit("/account/password", {"current_password": PASSWORD, "password": "a new password!",
                                             "confirm": "a new password!"}, page="/account")
    assert ok.status_code == 302
    assert _signed_in(client) and not _signed_in(other)
    client.submit("/sign-out", page="/home")
    assert client.submit("/sign-in", {"email": user.email, "password": PASSWORD}).status_code == 422
    _sign_in(client, user, password="a new password!")


def test_sign_out_everywhere_from_the_account_page(app, client, make_user):
    user = make_user()
    phone = _sign_in(app.test_client(), user, remember=True)
    remembered = _copy(phone, app, "remember_token")
    _sign_in(client, user)
    page = client.get("/account")
    assert b"Where you are signed in" in page.data and b"this browser" in page.data
    resp = client.submit("/account/sign-out-everywhere", page="/account")
    assert resp.status_code == 302
    assert not _signed_in(client) and not _signed_in(phone) and not _signed_in(remembered)


def test_an_idle_session_ends(app, client, clock, make_user):
    user = make_user()
    start = clock.set(now())
    _sign_in(client, user)
    for minutes in (100, 200, 300):  # active every 100 minutes: the idle limit (120) is never reached
        clock.set(start + timedelta(minutes=minutes))
        assert _signed_in(client)
    clock.set(start + timedelta(minutes=300 + 121))
    assert not _signed_in(client)


def test_a_session_ends_after_its_absolute_lifetime_however_active(app, client, clock, make_user):
    user = make_user()
    start = clock.set(now())
    _sign_in(client, user)
    for hours in range(1, 12):
        clock.set(start + timedelta(hours=hours))
        assert _signed_in(client), hours
    clock.set(start + timedelta(hours=12, minutes=1))
    assert not _signed_in(client)


def test_keep_me_signed_in_outlasts_idleness_but_not_its_lifetime(app, client, clock, make_user):
    user = make_user()
    start = clock.set(now())
    _sign_in(client, user, remember=True)
    clock.set(start + timedelta(days=10))
    assert _signed_in(client)
    clock.set(start + timedelta(days=31))
    assert not _signed_in(client)


def test_limits_are_configurable(app, client, clock, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 5
    user = make_user()
    start = clock.set(now())
    _sign_in(client, user)
    clock.set(start + timedelta(minutes=6))
    assert not _signed_in(client)


def test_sign_in_is_throttled_per_account_as_well_as_per_ip(app, make_user):
    """Guesses spread over many addresses still meet the account's limit (5 a minute by default)."""
    user = make_user()
    codes = []
    for n in range(7):
        browser = app.test_client()
        data = {"email": user.email, "password": f"guess {n}"}
        codes.append(browser.submit("/sign-in", data, environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"}).status_code)
    assert codes == [422] * 5 + [429] * 2
    other = make_user()
    assert _sign_in(app.test_client(), other)  # another account is not held up


def test_ended_sign_ins_are_forgotten_by_the_scheduler(app, client, clock, make_user):
    from balint_online.accounts.models import SignIn

    user = make_user()
    start = clock.set(now())
    _sign_in(client, user)
    client.submit("/sign-out", page="/home")
    _sign_in(client, user, remember=True)  # still live a day later
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert "forget-ended-sign-ins: 0" in result.output
    clock.set(start + timedelta(days=1, minutes=1))
    assert _signed_in(client)
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert "forget-ended-sign-ins: 1" in result.output
    assert db.session.query(SignIn).count() == 1 and _signed_in(client)
