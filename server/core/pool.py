"""Pooled connections to a database server: tested before use only after they have sat idle.

A server can drop a connection (a restart, a failover, a firewall's idle timeout). Testing every
connection at checkout (SQLAlchemy's pool_pre_ping) costs a round trip on every request; a busy
connection is proved alive by the request before it. So a connection is pinged only when it has been
idle longer than `idle_seconds`; one that fails the ping is replaced before the request sees it. A
connection that dies while busy fails one request, which server.web answers with 503 "try again"
(nothing was stored), and SQLAlchemy then renews the whole pool.
"""
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

CHECKED_IN = "checked_in_at"


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection at checkout when it has been idle more than `idle_seconds`."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):
        record.info[CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy):
        since = record.info.get(CHECKED_IN)
        if since is None or time.monotonic() - since <= idle_seconds:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            if not engine.dialect.is_disconnect(err, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise DisconnectionError("idle connection lost")  # the pool connects afresh and retries
