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
