"""Pooled connections to a database server: tested before use only after they have sat idle.

A server can drop a connection (a restart, a failover, a firewall's idle timeout). Testing every
connection at checkout (SQLAlchemy's pool_pre_ping) costs a round trip on every request; a busy
connection is proved alive by the request before it. So a connection is pinged only when it has been
idle longer than `idle_seconds`; one that fails the ping is replaced before the request sees it. A
connection that dies while busy fails one request, which server.web answers with 503 "try again"
(nothing was stored), and SQLAlchemy then renews the whole pool.
"""
import time
import weakref
from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Select, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql.compiler import Compiled
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


@dataclass(frozen=True)
class _Prepared:
    """A Core SELECT compiled once for a dialect: its SQL, how its parameters are passed, and how each column
    of a row is turned into what SQLAlchemy would give (a SQLite date string into a date, …)."""

    sql: str
    compiled: Compiled
    processors: tuple  # per column: a function, or None where the driver's value is kept
    row: type  # a named tuple of the statement's column keys
    bind_processors: dict  # parameter name: function, for the parameters whose value the driver cannot take as is

    def parameters(self, values: dict):
        params = self.compiled.construct_params(values)
        for name, process in self.bind_processors.items():
            params[name] = process(params[name])
        if self.compiled.positional:
            return [params[name] for name in self.compiled.positiontup]
        return params

    def make_row(self, values: tuple):
        return self.row._make(v if p is None else p(v) for p, v in zip(self.processors, values))


_prepared: "weakref.WeakKeyDictionary[Dialect, dict[int, _Prepared]]" = weakref.WeakKeyDictionary()


def _prepare(statement: Select, dialect: Dialect) -> _Prepared:
    by_id = _prepared.setdefault(dialect, {})
    found = by_id.get(id(statement))
    if found is None:
        compiled = statement.compile(dialect=dialect)
        columns = list(statement.selected_columns)
        binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                 for bind, name in compiled.bind_names.items()}
        found = _Prepared(
            sql=str(compiled), compiled=compiled,
            processors=tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns),
            row=namedtuple("Row", [c.key for c in columns], rename=True),
            bind_processors={name: p for name, p in binds.items() if p is not None})
        by_id[id(statement)] = found
    return found


def hand_run_one(engine: Engine, statement: Select, values: dict):
    """The first row (or None) of a Core SELECT, run straight on a pooled DBAPI connection: a named tuple
    of the statement's column keys, typed as SQLAlchemy types them (test: tests/core/test_hand_run.py).

    For the busiest read (a scan's facts, server.public.service): through an engine connection the same
    statement costs about eight times as much on SQLite (~210 µs against ~25 µs: the connection's
    BEGIN and ROLLBACK, its events and result machinery). The statement must be a module constant (it is
    compiled once per dialect, by identity) whose bind parameters are all named in `values` or fixed.
    Raises DBAPIError as raw_connection does (unreachable: 503)."""
    prepared = _prepare(statement, engine.dialect)
    with raw_connection(engine) as raw:
        cursor = raw.cursor()
        cursor.execute(prepared.sql, prepared.parameters(values))
        row = cursor.fetchone()
        cursor.close()
    return None if row is None else prepared.make_row(row)
