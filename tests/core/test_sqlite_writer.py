"""SQLite: a transaction reads without holding the one writer's place and takes it at its first write."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.unit.models import Unit


@pytest.fixture
def engine(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's single writer; PostgreSQL writers do not queue on one lock")
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def test_a_reader_does_not_block_a_writer_and_may_write_after_it(engine, world):
    with Session(engine) as reader, Session(engine) as writer:
        assert reader.get(Unit, world.ids["unit_a"]).contact_phone is not None  # a read snapshot is open
        writer.get(Unit, world.ids["unit_b"]).contact_phone = "13911112222"
        writer.commit()  # not kept waiting by the reader
        # The reader's snapshot is older than that commit; SQLite would refuse to upgrade it
        # ("database is locked" at once). Its first write starts over as a writer instead.
        reader.get(Unit, world.ids["unit_a"]).contact_phone = "13933334444"
        reader.commit()
    with Session(engine) as check:
        phones = dict(check.execute(sa.select(Unit.id, Unit.contact_phone)).all())
    assert phones[world.ids["unit_a"]] == "13933334444"
    assert phones[world.ids["unit_b"]] == "13911112222"


def test_the_first_write_takes_the_lock_until_commit(engine, world):
    with Session(engine) as first, Session(engine) as second:
        first.get(Unit, world.ids["unit_a"]).contact_phone = "13955556666"
        first.flush()  # written, not committed: first holds the write lock
        second.connection().exec_driver_sql("PRAGMA busy_timeout=50")
        assert second.get(Unit, world.ids["unit_b"]) is not None  # reading is still allowed
        second.get(Unit, world.ids["unit_b"]).contact_phone = "13977778888"
        with pytest.raises(OperationalError, match="locked"):
            second.flush()
        second.rollback()
        first.commit()


# The writers' queue: a file lock beside the database, taken before SQLite's write lock.

def _queue_is_free(path: str) -> bool:
    """Whether a third party could take the writers' queue now (it is let go again at once)."""
    import fcntl
    import os
    fd = os.open(path + "-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture
def db_path(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the writers' queue is for SQLite")
    return sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


def test_the_apps_connections_queue_for_the_write_lock(app, db_path):
    from server.core.sqlite import QueuedConnection
    from server.extensions import db
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            assert isinstance(raw.dbapi_connection, QueuedConnection)
        finally:
            raw.close()


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_writer_holds_its_turn_until_its_transaction_ends(app, world, db_path, end):
    from server.core.sqlite import engine_options
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **engine_options({}))
    session = Session(engine)
    try:
        session.get(Unit, world.ids["unit_a"]).contact_phone = "13955556666"
        assert _queue_is_free(db_path)  # reading takes no turn
        session.flush()
        assert not _queue_is_free(db_path)  # the first write took it
        getattr(session, end)()
        assert _queue_is_free(db_path)
    finally:
        session.close()
        engine.dispose()


def test_a_second_writer_waits_its_turn_then_writes(app, world, db_path):
    import sqlite3
    import threading
    from server.core.sqlite import QueuedConnection
    first = sqlite3.connect(db_path, factory=QueuedConnection, isolation_level=None)
    second = sqlite3.connect(db_path, factory=QueuedConnection, isolation_level=None)
    try:
        assert first.take_turn()
        first.execute("BEGIN IMMEDIATE")
        first.execute("UPDATE unit SET contact_phone = '13900000001' WHERE id = ?", (world.ids["unit_a"],))
        assert second.take_turn(timeout=0.05) is False  # gives up after its timeout, holding nothing
        got = []
        waiter = threading.Thread(target=lambda: got.append(second.take_turn(timeout=10)))
        waiter.start()
        waiter.join(0.2)
        assert waiter.is_alive() and got == []  # still waiting while the first writes
        first.commit()
        waiter.join(10)
        assert got == [True]
        second.execute("BEGIN IMMEDIATE")  # free at once: no busy wait
        second.execute("UPDATE unit SET contact_phone = '13900000002' WHERE id = ?", (world.ids["unit_b"],))
        second.commit()
        assert _queue_is_free(db_path)
    finally:
        first.close()
        second.close()
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with Session(engine) as check:
        phones = dict(check.execute(sa.select(Unit.id, Unit.contact_phone)).all())
    engine.dispose()
    assert (phones[world.ids["unit_a"]], phones[world.ids["unit_b"]]) == ("13900000001", "13900000002")
