"""Sign-up that tells nobody who has an account; links built from BASE_URL only; the development outbox."""

import re

from sqlalchemy import select

from balint_online import create_app
from balint_online.accounts.models import User
from balint_online.extensions import db
from tests.conftest import make_app
from tests.factories import mails

SIGN_UP = {"name": "Dr Jo Alvarez", "email": "Jo.Alvarez@Example.org", "discipline": "physician",
           "timezone": "America/Los_Angeles"}


def _path(message):
    return re.search(r"http://balint\.test(/\S+)", message.body_text).group(1)


def test_sign_up_confirms_the_address_before_the_account_exists(client):
    resp = client.submit("/sign-up", SIGN_UP)
    assert resp.status_code == 200 and b"Check your inbox" in resp.data
    assert db.session.scalar(select(User)) is None
    (message,) = mails("sign_up_confirm")
    assert message.recipient == "jo.alvarez@example.org"
    link = _path(message)
    resp = client.submit(link, {"password": "a long enough pw", "confirm": "a long enough pw"})
    assert resp.status_code == 302
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.timezone) == ("jo.alvarez@example.org", "Dr Jo Alvarez", "America/Los_Angeles")
    assert client.get("/home").status_code == 200
    assert client.get(link).status_code == 404  # one account per link


def test_sign_up_answers_the_same_whether_or_not_the_email_has_an_account(client, make_user):
    fresh = client.submit("/sign-up", SIGN_UP)
    owner = make_user(email="ruth@example.org", name="Dr Ruth")
    taken = client.submit("/sign-up", {**SIGN_UP, "email": "RUTH@example.org"})

    def shown(resp):
        return re.sub(r"<strong>[^<]*</strong>|value=\"[^\"]*\"", "", resp.get_data(as_text=True))

    assert (taken.status_code, shown(taken)) == (fresh.status_code, shown(fresh))
    assert b"exists" not in taken.data
    (told,) = mails("sign_up_existing")
    assert told.recipient == owner.email and "You already have" in told.subject
    assert "http://balint.test/sign-in" in told.body_text and "http://balint.test/password/forgot" in told.body_text
    assert db.session.query(User).count() == 1


def test_sign_up_keeps_what_was_typed_when_a_field_is_wrong(client):
    resp = client.submit("/sign-up", {**SIGN_UP, "email": "not an address"})
    assert resp.status_code == 422
    assert b'value="Dr Jo Alvarez"' in resp.data


def test_the_reset_link_comes_from_base_url_whatever_the_host_header(client, make_user):
    make_user(email="ruth@example.org")
    hostile = {"Host": "evil.example"}
    form = client.get("/password/forgot", headers=hostile).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    resp = client.post("/password/forgot", data={"email": "ruth@example.org", "csrf_token": token}, headers=hostile)
    assert resp.status_code == 302
    (message,) = mails("password_reset")
    links = re.findall(r"https?://\S+", message.body_text)
    assert links and all(link.startswith("http://balint.test/password/reset/") for link in links)
    assert "evil.example" not in message.body_html


def test_links_follow_base_url_with_a_path_and_need_no_request(app):
    from balint_online.core.urls import absolute_url

    app.config["BASE_URL"] = "https://groups.example.org/society/"
    assert absolute_url("accounts.reset_password", token="abc") == "https://groups.example.org/society/password/reset/abc"
    assert absolute_url("rotation.page", series_id=3) == "https://groups.example.org/society/series/3/rotation"


def test_trusted_hosts_refuse_other_hosts_when_configured(database_urls, backend, monkeypatch):
    monkeypatch.setenv("BALINT_TRUSTED_HOSTS", "balint.example.org, www.balint.example.org")
    app = make_app(database_urls[backend])
    assert app.config["TRUSTED_HOSTS"] == ["balint.example.org", "www.balint.example.org"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "balint.example.org"}).status_code == 200
    assert client.get("/sign-in", headers={"Host": "evil.example"}).status_code == 400


def test_no_outbox_page_in_the_testing_profile_even_for_an_admin(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/dev/outbox").status_code == 404


def test_no_outbox_page_in_production_even_in_debug(database_urls, backend, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("BALINT_CONFIG")
    monkeypatch.setenv("DATABASE_URL", database_urls[backend])
    production = create_app("production")
    production.debug = True
    assert production.test_client().get("/dev/outbox").status_code == 404


def test_the_outbox_page_in_development(database_urls, backend, make_user):
    email = make_user("admin").email
    db.session.remove()
    development = make_app(database_urls[backend], TESTING=False, DEV_OUTBOX=None)
    development.debug = True  # what `make run` (flask run --debug) gives
    browser = development.test_client()
    with development.app_context():
        assert browser.get("/dev/outbox").status_code == 302  # signed-in people only
        resp = browser.submit("/sign-in", {"email": email, "password": "correct horse battery"})
        assert resp.status_code == 302
        assert browser.get("/dev/outbox").status_code == 200
        development.debug = False
        assert browser.get("/dev/outbox").status_code == 404  # the embedded defaults without debug
        db.session.remove()
