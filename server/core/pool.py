"""Pooled connections to a database server: tested before use only after they have sat idle.

A server can drop a connection (a restart, a failover, a firewall's idle timeout). Testing every
connection at checkout (SQLAlchemy's pool_pre_ping) costs a round trip on every request; a busy
connection is proved alive by the request before it. So a connection is pinged only when it has been
idle longer than `idle_seconds`; one that fails the ping is replaced before the request sees it. A
connection that dies while busy fails one request, which server.web answers with 503 "try again"
(nothing was stored), and SQLAlchemy then renews the whole pool.
"""
import time
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

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


RETRYABLE_PG = {"40P01", "40001", "55P03"}  # deadlock, serialization failure, lock not available


def is_retryable(err: DBAPIError) -> bool:
    """True when a database error is no fault of the request (a dropped connection, a database that cannot
    be reached, a deadlock, a busy SQLite): nothing was stored and the same request may simply be tried again.
    A connection that could not be made is an OperationalError with no statement: nothing ran."""
    code = getattr(err.orig, "sqlstate", None) or getattr(err.orig, "pgcode", None)
    unreachable = isinstance(err, OperationalError) and err.statement is None
    return bool(err.connection_invalidated or unreachable or code in RETRYABLE_PG
                or "database is locked" in str(err.orig))


HAND_RUN = "(a statement run on a raw pooled connection)"


@contextmanager
def raw_connection(engine: Engine):
    """A pooled DBAPI connection for a hand-run statement, its errors raised as SQLAlchemy's DBAPIError as
    through an engine connection: a database that cannot be reached, or a connection the server dropped
    (invalidated: the pool renews it), says so, so the request answers 503 with Retry-After rather than 500
    (server.web)."""
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        raw = engine.raw_connection()
    except dbapi_error as err:  # no connection: as engine.connect() raises it, with no statement
        raise DBAPIError.instance(None, None, err, dbapi_error, dialect=engine.dialect) from err
    try:
        yield raw
    except dbapi_error as err:
        gone = engine.dialect.is_disconnect(err, raw.dbapi_connection, None)
        if gone:
            raw.invalidate()
        raise DBAPIError.instance(HAND_RUN, None, err, dbapi_error,
                                  connection_invalidated=gone, dialect=engine.dialect) from err
    finally:
        raw.close()
