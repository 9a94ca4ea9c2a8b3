"""Pooled connections are pinged before use only after sitting idle, and a dead one is replaced unseen;
a unit of work opens a transaction on the server at its first write or lock, so one that only reads
costs no BEGIN and COMMIT and keeps the statements prepared on its connection."""

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import bindparam, create_engine, select, text, update

from balint_online.accounts.models import User
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


def asked_six_times() -> set[str]:
    """The statements prepared after one is asked six times, each time in a unit of work ended by a rollback."""
    asked = select(User.id).where(User.email == bindparam("email"))
    for _ in range(6):  # psycopg prepares a statement the fifth time a connection runs it
        db.session.execute(asked, {"email": "nobody@example.org"}).all()
        db.session.rollback()
    prepared = {s for s in db.session.scalars(text("SELECT statement FROM pg_prepared_statements"))
                if "WHERE users.email = $1" in s}
    db.session.rollback()
    db.engine.dispose()
    return prepared


def test_a_page_asked_for_again_is_not_planned_again(postgres):
    """Every request ends its unit of work with a rollback, which made psycopg forget what it prepared:
    a unit of work that only reads opens no transaction, so the statements stay prepared."""
    with make_app(postgres).app_context():
        assert asked_six_times()


def test_preparing_can_be_turned_off_for_a_pooler_that_cannot_keep_them(postgres):
    with make_app(postgres, POSTGRES_PREPARE_AFTER=None).app_context():
        assert not asked_six_times()


def on_the_server() -> TransactionStatus:
    """Whether the session's connection has a transaction open on the server."""
    return db.session.connection().connection.driver_connection.info.transaction_status


def test_reading_opens_no_transaction_on_the_server(postgres):
    """No BEGIN and COMMIT round trips for a request that only reads, and no transaction left open on the
    server while it renders."""
    with make_app(postgres).app_context():
        db.session.scalars(select(User.id)).all()
        assert on_the_server() == TransactionStatus.IDLE
        db.session.rollback()
        db.engine.dispose()


def test_an_advisory_lock_of_the_transaction_is_held_until_the_unit_of_work_ends(postgres):
    with make_app(postgres).app_context():
        db.session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
        assert on_the_server() == TransactionStatus.INTRANS
        db.session.rollback()
        db.engine.dispose()


def test_a_write_or_a_lock_opens_the_transaction_the_rest_of_the_unit_of_work_runs_in(postgres):
    with make_app(postgres).app_context():
        person = User(email="locked@example.org", name="Locked", password_hash="-")
        db.session.add(person)
        db.session.commit()
        db.session.scalars(select(User.id)).all()
        db.session.scalars(select(User).where(User.id == person.id).with_for_update()).one()
        assert on_the_server() == TransactionStatus.INTRANS  # the row stays locked until the unit of work ends
        db.session.scalars(select(User.id)).all()
        assert on_the_server() == TransactionStatus.INTRANS
        db.session.delete(db.session.get(User, person.id))
        db.session.commit()
        assert on_the_server() == TransactionStatus.IDLE
        db.session.rollback()
        db.engine.dispose()


def test_what_a_transaction_wrote_is_still_undone(postgres):
    app = make_app(postgres)
    with app.app_context():
        person = User(email="kept@example.org", name="Kept", password_hash="-")
        db.session.add(person)
        db.session.commit()
        db.session.scalars(select(User.id)).all()  # a read first: the transaction still wrote after it
        db.session.execute(update(User).where(User.id == person.id).values(name="Changed, never committed"))
        db.session.rollback()
        assert db.session.scalar(select(User.name).where(User.id == person.id)) != "Changed, never committed"
        db.session.delete(db.session.get(User, person.id))
        db.session.commit()
        db.engine.dispose()
