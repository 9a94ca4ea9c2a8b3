"""The command line of the contract, and migrations that match the models."""

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from balint_online.accounts.models import ApiToken, User
from balint_online.extensions import db
from balint_online.series.models import Series

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_and_models_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_users_create_and_duplicate(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Ruth@Example.org", "--name", "Dr Ruth", "--password",
                                 "long password 1",
                                 "--role", "leader", "--timezone", "America/Chicago", "--discipline", "physician",
                                 "--member-until", "2027-06-30"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role, user.timezone) == ("ruth@example.org", "leader", "America/Chicago")
    assert str(user.memberships[0].expires_on) == "2027-06-30"
    again = runner.invoke(args=["users", "create", "ruth@example.org", "--name", "X", "--password", "long password 1"])
    assert again.exit_code != 0 and "exists already" in again.output
    bad_zone = runner.invoke(args=["users", "create", "x@example.org", "--name", "X", "--password", "long password 1",
                                   "--timezone", "Nowhere/Special"])
    assert bad_zone.exit_code != 0 and "timezone" in bad_zone.output


def test_users_token_prints_a_working_token_last(app, make_user, client):
    user = make_user("leader", email="ruth@example.org")
    result = app.test_cli_runner().invoke(args=["users", "token", "ruth@example.org"])
    token = result.output.strip().splitlines()[-1]
    assert ApiToken.find_user(token).id == user.id
    resp = client.post("/api/v1/series", json={}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 422  # authenticated, then validated
    assert app.test_cli_runner().invoke(args=["users", "token", "nobody@example.org"]).exit_code != 0


def test_demo_twice_adds_nothing(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    counts = (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Series.id))))
    assert counts[0] >= 5 and counts[1] >= 3
    assert runner.invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    assert (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Series.id)))) == counts
    open_series = [s for s in db.session.scalars(select(Series)) if s.status == "open"]
    assert len(open_series) == 3


def test_flask_command_line_from_the_repository_root(tmp_path):
    """The real `flask --app app` entry point: upgrade an empty database, create a user, get a token."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "BALINT_CONFIG": ""}
    flask = [sys.executable, "-m", "flask", "--app", "app"]

    def run(*args):
        return subprocess.run([*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert run("db", "upgrade").returncode == 0
    assert run("users", "create", "a@example.org", "--name", "A", "--password", "long password 1").returncode == 0
    token = run("users", "token", "a@example.org")
    assert token.returncode == 0 and len(token.stdout.strip().splitlines()[-1]) >= 40
    jobs = run("jobs", "run-due")
    assert jobs.returncode == 0 and "deliver-mail" in jobs.stdout


def test_every_api_route_is_in_the_openapi_document(app, client):
    import re

    documented = client.get("/api/v1/openapi.json").get_json()["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", "{id}", rule.rule.removeprefix("/api/v1"))
        path = path.replace("{id}", "{provider}") if "notifications" in path else path
        methods = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
        assert path in documented, path
        assert methods <= set(documented[path]), (path, methods)
