"""Pooled database connections are checked before use only when they may have gone stale.

SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip before every request, which
is a third of what a calendar poll costs. A connection handed back moments ago is alive unless
the server restarted in between, and then the first statement's disconnect error invalidates the
whole pool anyway; so only connections idle for longer than `DB_PING_AFTER_IDLE_SECONDS` are
pinged, and a dead one is replaced before anyone uses it.
"""

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just opened, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool retries with a new connection
            raise exc.DisconnectionError("stale pooled connection") from error
