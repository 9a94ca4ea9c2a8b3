"""The suite meets the app as its users do: CSRF on every web form, the API on bearer tokens only,
sign-in throttling on, and nothing from the developer's environment deciding what a test sees."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from balint_online.accounts.services import create_user
from balint_online.extensions import db
from balint_online.pricing import providers
from balint_online.series.models import Series
from tests.conftest import ApiClient, make_app
from tests.factories import series_payload
from tests.series.test_series_pages import FORM

ROOT = Path(__file__).resolve().parents[2]


def series_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Series.id)))


def test_a_web_form_without_its_token_is_refused_and_changes_nothing(app, client, login, make_user, api):
    assert app.config["WTF_CSRF_ENABLED"] is True
    leader = make_user("leader")
    login(leader)
    missing = client.post("/lead/series/new", data=FORM)
    assert missing.status_code == 400 and "CSRF token is missing" in missing.get_data(as_text=True)
    # Another browser's token (what a forging site could obtain for itself) is no better.
    stranger = app.test_client()
    assert stranger.get("/home").status_code == 302  # a second browser is not signed in by the first
    foreign = client.post("/lead/series/new", data={**FORM, "csrf_token": stranger.csrf_token("/sign-in")})
    assert foreign.status_code == 400
    # A bearer token does not excuse a web form: only paths under /api/v1 are exempt.
    assert client.post("/lead/series/new", data=FORM, headers=api(leader).headers).status_code == 400
    assert series_count() == 0

    sent = client.submit("/lead/series/new", FORM)
    assert sent.status_code == 302 and series_count() == 1


@pytest.fixture(params=["testing", "production"])
def served(request, app, backend, database_urls, monkeypatch):
    """The app under the suite's profile, and under production's (secure cookies, a real SECRET_KEY)."""
    if request.param == "testing":
        yield app
        return
    monkeypatch.setenv("BALINT_CONFIG", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret-" + "k" * 32)
    production = make_app(database_urls[backend])
    assert production.config["PRODUCTION"] and production.config["SESSION_COOKIE_SECURE"]
    with production.app_context():
        yield production
        db.session.remove()
        db.engine.dispose()


def bearer_client(served_app, role="leader") -> ApiClient:
    from balint_online.accounts.models import ApiToken

    user = create_user(email=f"{role}@example.org", name=f"A {role}", password="correct horse battery", role=role,
                       timezone="America/New_York", discipline="physician")
    _, raw = ApiToken.issue(user)
    db.session.commit()
    return ApiClient(served_app.test_client(), raw)


def test_an_api_write_needs_only_its_bearer_token(served):
    """POST /api/v1/series is served by a feature blueprint nested in the api blueprint."""
    assert served.config["WTF_CSRF_ENABLED"] is True
    leader = bearer_client(served)
    # Dated from the real clock: the production profile keeps no frozen "now".
    created = leader.post("/api/v1/series", json=series_payload(first_meeting_local="2031-10-20T19:00",
                                                                early_bird_deadline=None, cancellation_deadline=None))
    assert created.status_code == 201, created.get_json()
    published = leader.post(f"/api/v1/series/{created.get_json()['id']}/publish")
    assert published.status_code == 200 and published.get_json()["status"] == "open"
    # The same app still refuses a web form without its token.
    assert served.test_client().post("/sign-in", data={"email": "x@example.org", "password": "x"}).status_code == 400


class AcknowledgingProvider(providers.PaymentProvider):
    """A provider that accepts every notification and reports nothing paid: the view was reached."""

    name = "acknowledging"

    def handle_notification(self, request):
        return []


def test_payment_provider_notifications_are_not_refused_for_csrf(client, monkeypatch):
    # Providers' servers post JSON with a signature and no form token, and no bearer token either.
    monkeypatch.setitem(providers.PROVIDERS, AcknowledgingProvider.name, AcknowledgingProvider)
    heard = client.post("/api/v1/payments/notifications/acknowledging", json={"event": "paid"})
    assert heard.status_code == 200 and heard.get_json() == {"recorded": []}
    # The built-in provider's own refusal, not a CSRF one.
    refused = client.post("/api/v1/payments/notifications/invoice", json={"paid": True})
    assert refused.status_code == 400 and refused.get_json()["error"] == "notification_rejected"


def test_the_api_never_takes_the_session_cookie(client, login, make_user):
    member = login(make_user("leader"))
    assert member.get("/home").status_code == 200  # signed in, as a browser is
    token = member.csrf_token("/home")
    write = member.post("/api/v1/series", json=series_payload(), headers={"X-CSRFToken": token})
    assert write.status_code == 401 and write.get_json()["error"] == "unauthorized"
    read = member.get("/api/v1/me/calendar")
    assert read.status_code == 401 and read.get_json()["error"] == "unauthorized"
    assert series_count() == 0


@pytest.mark.parametrize("turn", ["first", "second"])
def test_sign_in_throttling_is_on_and_each_test_has_its_own_budget(client, turn):
    """Run twice: were the budget shared with earlier tests (this one's first turn among them), the
    first attempts here would already be refused."""
    codes = [client.submit("/sign-in", {"email": "a@example.org", "password": "wrong"}).status_code for _ in range(6)]
    assert codes == [422] * 5 + [429]  # the per-account limit, the first to bite on one address


DEVELOPER_ENV_PROBE = """
import os, subprocess, sys

from tests.conftest import make_app


def test_the_suite_sets_its_own_environment():
    assert not [name for name in os.environ if name.startswith("BALINT_") and name != "BALINT_CONFIG"]
    assert os.environ["BALINT_CONFIG"] == "testing"
    assert "DATABASE_URL" not in os.environ and "TZ" not in os.environ and "SECRET_KEY" not in os.environ
    app = make_app("sqlite://")
    assert app.config["BASE_URL"] == "http://balint.test" and app.config["TESTING"]
    assert app.config["MAIL_URL"] == "outbox" and app.config["SECRET_KEY"] == "testing-secret"
    # Servers the tests start inherit the cleaned environment too.
    seen = subprocess.run([sys.executable, "-c", "import os; print(os.environ.get('BALINT_BASE_URL'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert seen == "None"
"""


def test_a_developers_environment_cannot_change_what_the_suite_sees(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(DEVELOPER_ENV_PROBE)
    developer = {**os.environ, "BALINT_BASE_URL": "http://elsewhere", "BALINT_MAIL_URL": "smtp://127.0.0.1:1",
                 "BALINT_CONFIG": "production", "SECRET_KEY": "developer-secret", "TZ": "Pacific/Kiritimati",
                 "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
                          str(ROOT / "pytest.ini"),
                          "--rootdir", str(ROOT), "-p", "tests.conftest", str(probe)],
                         cwd=ROOT, env=developer, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 passed" in run.stdout
