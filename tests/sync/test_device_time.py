"""Time and place as they happened (issue 18, item 7): a synced change keeps the device time it was made
(the server keeps both), and a vague or distant GPS fix is put before staff in the daily patrol."""
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from server.account.models import User
from server.core.clock import today, utcnow
from server.extensions import db
from server.inspection.models import Inspection
from server.inspection.service import distance_m
from server.rhythm import patrol
from server.sync.models import SyncReceipt
from server.unit.models import Unit, UnitChange
from tests.conftest import bearer
from tests.sync.conftest import change, checklist, inspection_body  # noqa: F401


def _push(client, token, *changes):
    return client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": list(changes)}).get_json()["results"]


def test_a_unit_edit_keeps_the_time_it_was_made_and_the_time_it_arrived(client, world, app):
    made = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
    cid = str(uuid.uuid4())
    c = {"id": cid, "type": "unit_edit", "happened_at": made.isoformat() + "Z",
         "data": {"unit_id": world.ids["unit_a"], "base_version": 1, "changes": {"contact_phone": "0578-3121234"}}}
    [r] = _push(client, world.tokens["inspector_a"], c)
    assert r["status"] == "applied", r
    with app.app_context():
        ch = db.session.scalars(sa.select(UnitChange).where(UnitChange.field == "contact_phone")).one()
        receipt = db.session.get(SyncReceipt, (world.ids["inspector_a"], cid))
        assert ch.at == made and receipt.happened_at == made
        assert receipt.created_at - made > timedelta(hours=2)  # the server's own time is kept beside


def test_a_device_time_in_the_future_is_not_believed(client, world, app):
    cid = str(uuid.uuid4())
    c = {"id": cid, "type": "unit_edit", "happened_at": (utcnow() + timedelta(days=2)).isoformat() + "Z",
         "data": {"unit_id": world.ids["unit_a"], "base_version": 1, "changes": {"contact_phone": "0578-3121235"}}}
    assert _push(client, world.tokens["inspector_a"], c)[0]["status"] == "applied"
    with app.app_context():
        ch = db.session.scalars(sa.select(UnitChange).where(UnitChange.field == "contact_phone")).one()
        assert abs(ch.at - utcnow()) < timedelta(minutes=1) and db.session.get(SyncReceipt, (world.ids["inspector_a"], cid)).happened_at is None


def test_distance_is_the_great_circle_in_metres():
    assert distance_m(28.659, 120.078, 28.659, 120.078) == 0
    assert 5500 < distance_m(28.659, 120.078, 28.659, 120.135) < 5600  # 0.057° of longitude at 28.7° N
    assert distance_m(None, 1, 2, 3) is None


def test_a_vague_fix_far_from_the_shop_is_in_the_daily_patrol(client, world, checklist, app):
    with app.app_context():
        db.session.get(Unit, world.ids["unit_a"]).lat, db.session.get(Unit, world.ids["unit_a"]).lng = 28.659, 120.078
        db.session.commit()
    now = datetime.utcnow().replace(microsecond=0)
    far = inspection_body(world.ids["unit_a"], checklist, started=now - timedelta(minutes=30))
    far.update(lat=28.659, lng=120.135, accuracy_m=3000)
    near = inspection_body(world.ids["unit_a"], checklist, started=now - timedelta(minutes=20))
    assert [r["status"] for r in _push(client, world.tokens["inspector_a"], change(far), change(near))] == ["applied"] * 2
    with app.app_context():
        stored = {i.client_id: i for i in db.session.scalars(sa.select(Inspection))}
        assert 5500 < stored[far["client_id"]].distance_m < 5600 and stored[near["client_id"]].distance_m < 1000
        items = patrol.daily_list(db.session.get(User, world.ids["admin_a"]), world.ids["a"], today())["items"]
        doubt = [i for i in items if i["kind"] == "定位存疑"]
        assert [i["key"] for i in doubt] == [f"location:{stored[far['client_id']].id}"]
        assert "定位精度约3000米" in doubt[0]["title"] and "公里" in doubt[0]["title"]
