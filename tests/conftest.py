"""Shared fixtures: an app on each database (SQLite always, PostgreSQL when TEST_DATABASE_URL names one).

The schema is built once per database by running the migrations (so every test also proves
them), and every test starts from empty tables.
"""

import copy
import gc
import os
from datetime import UTC, datetime

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.routing import Rule

from balint_online import create_app
from balint_online.extensions import db as _db
from balint_online.extensions import limiter
from tests import snapshots
from tests.browser import BrowserClient
from tests.factories import SUITE_NOW

# What the suite proves must not depend on the developer's environment: every setting a test
# relies on comes from config/testing.py or the test itself, and every server process the tests
# start inherits this cleaned environment.
for _name in [n for n in os.environ if n.startswith("BALINT_")] + ["DATABASE_URL", "SECRET_KEY", "PYTHONTZPATH", "TZ"]:
    os.environ.pop(_name, None)
os.environ["BALINT_CONFIG"] = "testing"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _pg_url() -> str:
    """TEST_DATABASE_URL's database; under pytest-xdist each worker has its own beside it (test_gw0, ...)."""
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        server = create_engine(url, isolation_level="AUTOCOMMIT")
        url = url.set(database=f"{url.database}_{worker}")
        with server.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}):
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        server.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """Migrate each database once for the whole run (once per worker under pytest-xdist)."""
    from flask_migrate import upgrade

    # tmp_path_factory's folder is the worker's own under pytest-xdist, so is the SQLite file.
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'balint-test.db'}"}
    if "postgresql" in BACKENDS:
        urls["postgresql"] = _pg_url()
        engine = create_engine(urls["postgresql"])
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    for url in urls.values():
        app = make_app(url)
        with app.app_context():
            upgrade(revision="heads")
            _db.engine.dispose()
    return urls


class SharedTemplates(BytecodeCache):
    """Templates compiled once per test process instead of once for every test's new app.

    Jinja checks each entry against its template's source before using it.
    """

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedTemplates()


class BuildersCompiledOnce(Rule):
    """A route whose URL builders are compiled once per test process instead of once for every test's new app.

    Werkzeug compiles two Python functions for every route of every app (170 routes): nine tenths of
    building an app. A builder's code depends only on the rule's text, parts and defaults; the rule
    it serves is its argument, so routes alike share one.
    """

    compiled: dict = {}

    def _compile_builder(self, append_unknown=True):
        key = (self.rule, self.subdomain, self.host, self.merge_slashes, repr(sorted((self.defaults or {}).items())),
               tuple(self._trace), append_unknown)
        if key not in self.compiled:
            self.compiled[key] = super()._compile_builder(append_unknown)
        return self.compiled[key]


Flask.url_rule_class = BuildersCompiledOnce


def make_app(url: str, **overrides):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **overrides})
    app.test_client_class = BrowserClient
    app.jinja_env.bytecode_cache = TEMPLATES
    return app


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


# What a test may leave in an app's extensions that the next test must not find: clients built from
# settings the test changed, feed bodies cached under ids that the next test numbers from 1 again, the
# API's document built with the test's BASE_URL, pages kept under the test's settings.
PER_TEST_EXTENSIONS = ("video_providers", "balint_feed_cache", "balint_openapi", "balint_page_cache")


@pytest.fixture(scope="session")
def shared_apps(database_urls):
    """One app per database for a test process, each with its settings as built.

    Building an app costs tens of milliseconds (its 170 routes above all) and a new database pool;
    every test using the same one, its settings put back after each, keeps the tests apart as well.
    A test needing other settings at start-up (a profile, proxy hops) builds its own with make_app.
    """
    built: dict[str, tuple[Flask, dict]] = {}

    def get(backend: str) -> tuple[Flask, dict]:
        if backend not in built:
            app = make_app(database_urls[backend])
            built[backend] = (app, copy.deepcopy(dict(app.config)))
        return built[backend]

    yield get
    for app, _ in built.values():
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture
def app(request, backend, shared_apps):
    """The worker's app on `backend`, its tables empty, its clock at the factories' SUITE_NOW unless the
    module says otherwise with `pytestmark = pytest.mark.now(...)` (the `clock` fixture moves it)."""
    app, settings = shared_apps(backend)
    app.config.clear()
    app.config.update(copy.deepcopy(settings))
    for name in PER_TEST_EXTENSIONS:
        app.extensions.pop(name, None)
    marker = request.node.get_closest_marker("now")
    set_now(app, marker.args[0] if marker else SUITE_NOW)
    with app.app_context():
        snapshots.new_test()
        limiter.reset()  # fresh throttling counters: throttling stays on, tests do not share a budget
        yield app
        _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def set_now(app, value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    app.config["FROZEN_NOW"] = value.astimezone(UTC).isoformat()
    return value


@pytest.fixture
def clock(app):
    """Move the app's notion of now: clock.set(datetime) or clock.set('2026-11-02T12:00:00Z')."""

    class Clock:
        def set(self, value):
            return set_now(app, value)

    return Clock()


@pytest.fixture
def make_user(app):
    from balint_online.accounts.services import create_user

    @snapshots.step
    def make(role="member", *, email=None, name=None, timezone="America/New_York", discipline="physician",
             member_until=None, password="correct horse battery"):
        n = snapshots.next_number("user")
        user = create_user(
            email=email or f"{role}{n}@example.org",
            name=name or f"{role.title()} {n}",
            password=password,
            role=role,
            timezone=timezone,
            discipline=discipline,
            member_until=member_until,
        )
        _db.session.commit()  # the test's own unit of work: what it sets up stands
        return user

    return make


class ApiClient:
    """A test client that sends a user's bearer token with every request.

    The token is issued at the first request, so that a client only handed to the factories
    (tests/factories.py), which act as `user` through the services, costs nothing.
    """

    def __init__(self, client, token: str | None = None, *, user=None):
        self.client = client
        self.user = user
        self._token = token

    @property
    def headers(self) -> dict:
        if self._token is None and self.user is not None:
            from balint_online.accounts.models import ApiToken

            _, self._token = ApiToken.issue(self.user)
            _db.session.commit()
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def __getattr__(self, method):
        def call(path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(path, headers=headers, **kwargs)

        return call


@pytest.fixture
def leader(make_user):
    """A series' leader."""
    return make_user("leader", name="Dr Ruth", email="ruth@example.org")


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def api(client):
    """api(user) -> a client authenticated as user; api(None) -> anonymous."""
    return lambda user: ApiClient(client, user=user)


@pytest.fixture
def login(client):
    """Sign a user in to the browser-facing pages of `client`."""

    def sign_in(user, password="correct horse battery"):
        resp = client.submit("/sign-in", {"email": user.email, "password": password})
        assert resp.status_code == 302, resp.data
        return client

    return sign_in


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than the cores. A quarter of a test's time is spent waiting (on
    Chromium, PostgreSQL, a served app, a command's process), which a spare worker fills: measured
    on 2 cores, 3 workers ran the whole suite in 10% less time than 2."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_finish(session):
    """Leave what collection imported out of the garbage collector's full passes.

    Every module, route and model built so far lives for the whole run; without this each full
    collection walks all of it again, a tenth of a test's time.
    """
    gc.collect()
    gc.freeze()


# The few tests that take tens of seconds each (the browser walks, the schemathesis fuzz, the served
# production walk, the command line): run first, so that under pytest-xdist a worker takes them while
# the others share the short ones, and the run never ends waiting on one long test begun late.
LONG_FIRST = ("tests/e2e/", "tests/api/test_fuzz.py", "tests/core/test_cli_and_schema.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))  # stable: the rest keep their order
