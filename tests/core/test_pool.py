"""Pooled connections are pinged before use only after sitting idle, and a dead one is replaced unseen."""

import pytest
from sqlalchemy import create_engine, text

from balint_online.extensions import db
from tests.conftest import make_app


@pytest.fixture
def postgres(database_urls):
    if "postgresql" not in database_urls:
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL")
    return database_urls["postgresql"]


def backend_pid() -> int:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_just_used_is_not_pinged(postgres, monkeypatch):
    app = make_app(postgres, DB_PING_AFTER_IDLE_SECONDS=3600)
    with app.app_context():
        pings = []
        real = db.engine.dialect.do_ping
        monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(1) or real(conn))
        first = backend_pid()
        assert [backend_pid() for _ in range(3)] == [first] * 3
        assert pings == []
        db.engine.dispose()


def test_a_connection_that_died_while_idle_is_replaced_before_use(postgres):
    app = make_app(postgres, DB_PING_AFTER_IDLE_SECONDS=0)
    with app.app_context():
        dead = backend_pid()
        # What a database restart or an idle timeout does to a pooled connection.
        killer = create_engine(postgres, isolation_level="AUTOCOMMIT")
        with killer.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}).scalar_one()
        killer.dispose()
        assert backend_pid() != dead  # no error reached the caller
        db.engine.dispose()
