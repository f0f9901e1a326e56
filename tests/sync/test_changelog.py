"""The change log kept in the session until commit: savepoints rolled back take their rows with them."""
import sqlalchemy as sa

from server.core.changelog import ChangeLog, SyncCounter
from server.extensions import db
from server.unit.models import Unit


def _logged_after(seq: int) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(sa.select(ChangeLog.entity, ChangeLog.entity_id, ChangeLog.seq)
                                                 .where(ChangeLog.seq > seq).order_by(ChangeLog.seq))]


def test_rows_of_a_rolled_back_savepoint_and_of_savepoints_within_it_are_dropped(app, world):
    a, b = world.ids["unit_a"], world.ids["unit_b"]
    with app.app_context():
        before = db.session.scalar(sa.select(SyncCounter.value).where(SyncCounter.id == 1))
        outer = db.session.begin_nested()
        db.session.get(Unit, a).contact_phone = "13900000001"
        db.session.flush()
        inner = db.session.begin_nested()
        db.session.get(Unit, b).contact_phone = "13900000002"
        db.session.flush()
        inner.commit()  # released, but inside the savepoint rolled back next
        outer.rollback()
        kept = db.session.begin_nested()
        db.session.get(Unit, a).address = "另一个地址"
        kept.commit()
        db.session.commit()
        assert _logged_after(before) == [("unit", str(a), before + 1)]
        assert db.session.scalar(sa.select(SyncCounter.value).where(SyncCounter.id == 1)) == before + 1


def test_a_rolled_back_transaction_logs_nothing_and_moves_no_counter(app, world):
    with app.app_context():
        before = db.session.scalar(sa.select(SyncCounter.value).where(SyncCounter.id == 1))
        db.session.get(Unit, world.ids["unit_a"]).contact_phone = "13900000004"
        db.session.flush()
        db.session.rollback()
        db.session.get(Unit, world.ids["unit_b"]).address = "新地址"
        db.session.commit()
        assert _logged_after(before) == [("unit", str(world.ids["unit_b"]), before + 1)]
        assert db.session.scalar(sa.select(SyncCounter.value).where(SyncCounter.id == 1)) == before + 1
