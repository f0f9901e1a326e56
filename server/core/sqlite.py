"""SQLite as the embedded default: WAL, deferred write locks, and a queue for the one writer.

SQLite lets one transaction write at a time. A writer that finds the lock taken waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between tries, whenever the lock came free:
with a few gunicorn workers pushing at once, most of a push's time went on those sleeps. So each
connection first takes its turn on a file lock next to the database (flock: handed on the moment
its holder commits or rolls back, across processes and threads alike) and only then asks SQLite
for the write lock, which is then free. The queue only orders writers; SQLite's own locking still
decides, so a connection made without it (a script, another tool) stays correct, only slower.
"""
import fcntl
import os
import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10_000
# Statements that need SQLite's write lock.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that waits for the writers' queue (take_turn) before taking the write
    lock, and leaves the queue when its transaction ends (commit, rollback or close)."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._queue = None
        self._holding = False
        path = os.fsdecode(database) if isinstance(database, (str, bytes, os.PathLike)) else ""
        if path and path != ":memory:" and not path.startswith("file:"):
            self._queue = os.open(path + "-writers", os.O_RDWR | os.O_CREAT, 0o600)

    def take_turn(self, timeout: float = BUSY_TIMEOUT_MS / 1000) -> bool:
        """Wait until no other connection of this database is writing; False if that took longer than
        `timeout` (SQLite's own busy wait then takes over, and fails in the end as it would anyway)."""
        if self._queue is not None and not self._holding:
            self._holding = _wait(self._queue, timeout)
        return self._holding

    def _leave(self) -> None:
        if self._holding:
            self._holding = False
            fcntl.flock(self._queue, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            self._leave()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._leave()

    def close(self):
        try:
            super().close()
        finally:
            self._leave()
            if self._queue is not None:
                os.close(self._queue)
                self._queue = None


def _wait(fd: int, timeout: float) -> bool:
    """Take the lock, trying again every 0.1 ms, backing off to every 1 ms, until it is ours or `timeout`
    has passed (a blocking flock cannot be bounded without a signal, and only the main thread may take
    signals)."""
    deadline = time.monotonic() + timeout
    pause = 0.0001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.001)


def engine_options(options: dict) -> dict:
    """Engine options for a SQLite file: connections made as QueuedConnection."""
    connect_args = {"factory": QueuedConnection, **options.get("connect_args", {})}
    return {**options, "connect_args": connect_args}


@event.listens_for(Engine, "connect")
def _pragmas(dbapi_connection, connection_record):
    """SQLite: WAL for concurrent readers, foreign keys on, wait rather than fail on a lock.

    pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented workaround
    turns it off here and emits BEGIN itself (see _begin).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()


@event.listens_for(Engine, "begin")
def _begin(conn):
    """SQLite: a transaction starts as a reader and takes the write lock at its first write (below),
    so the reading and checking a request does first never hold the one writer's place."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
        conn.info["sqlite_reader"] = True


@event.listens_for(Engine, "before_cursor_execute")
def _write_lock(conn, cursor, statement, parameters, context, executemany):
    """SQLite cannot turn a read snapshot into a writer once another writer has committed after it
    (it fails at once, SQLITE_BUSY_SNAPSHOT). So at the first write the read snapshot ends and the
    transaction begins again with the write lock (BEGIN IMMEDIATE, after its turn in the queue): what
    follows reads the latest data, as each statement does under PostgreSQL's READ COMMITTED."""
    if conn.info.get("sqlite_reader") and statement.lstrip()[:9].upper().startswith(WRITES):
        conn.info["sqlite_reader"] = False
        cursor.execute("COMMIT")
        if isinstance(cursor.connection, QueuedConnection):
            cursor.connection.take_turn()
        cursor.execute("BEGIN IMMEDIATE")
