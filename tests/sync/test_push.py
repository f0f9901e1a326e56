"""Push: each change once, whatever the network does; one result per change."""
import threading
import uuid

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection
from server.sync.models import SyncReceipt
from tests.conftest import bearer
from tests.sync.conftest import change, inspection_body


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _push(client, token, *changes):
    return client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": list(changes)})


def test_an_inspection_is_applied_once_and_replays_are_duplicates(client, world, checklist, app):
    c = change(inspection_body(world.ids["unit_a"], checklist))
    first = _push(client, world.tokens["inspector_a"], c).get_json()["results"][0]
    assert first["status"] == "applied" and first["record"]["type"] == "inspection"
    for _ in range(3):
        again = _push(client, world.tokens["inspector_a"], c).get_json()["results"][0]
        assert again["status"] == "duplicate" and again["record"] == first["record"]
    assert _count(app, Inspection) == 1


def test_lost_acknowledgement_then_retry_stores_one(client, world, checklist, app):
    # Given the server committed a push whose response the phone never received
    c = change(inspection_body(world.ids["unit_a"], checklist))
    _push(client, world.tokens["inspector_a"], c)
    # When the phone retries the whole outbox
    r = _push(client, world.tokens["inspector_a"], c, change(inspection_body(world.ids["unit_a"], checklist)))
    # Then the first is a duplicate, the new one applied, and each is stored once
    assert [x["status"] for x in r.get_json()["results"]] == ["duplicate", "applied"]
    assert _count(app, Inspection) == 2


def test_same_id_other_content_is_a_conflict_and_changes_nothing(client, world, checklist, app):
    body = inspection_body(world.ids["unit_a"], checklist)
    _push(client, world.tokens["inspector_a"], change(body))
    altered = {**body, "conclusion": "fail"}
    r = _push(client, world.tokens["inspector_a"], change(altered)).get_json()["results"][0]
    assert r["status"] == "conflict" and r["record"]["type"] == "inspection"
    with app.app_context():
        assert db.session.scalars(sa.select(Inspection.conclusion)).all() == ["pass"]


def test_one_bad_change_does_not_lose_the_batch(client, world, checklist, app):
    good1 = change(inspection_body(world.ids["unit_a"], checklist))
    bad = change({**inspection_body(world.ids["unit_a"], checklist), "conclusion": "maybe"})
    gone = change(inspection_body(world.ids["unit_b"], checklist))  # another station's unit
    good2 = change(inspection_body(world.ids["unit_a"], checklist))
    results = _push(client, world.tokens["inspector_a"], good1, bad, gone, good2).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "invalid", "gone", "applied"]
    assert results[1]["fields"]["conclusion"] == ["结论不正确"]
    assert _count(app, Inspection) == 2
    assert _count(app, SyncReceipt) == 2


def test_a_crash_between_two_changes_acknowledges_nothing_and_a_retry_applies_both(client, world, checklist, app,
                                                                                  monkeypatch):
    from server.sync import handlers, push
    a = change(inspection_body(world.ids["unit_a"], checklist))
    b = change(inspection_body(world.ids["unit_a"], checklist))
    calls = {"n": 0}
    real = handlers.HANDLERS["inspection"]

    def crashing(user, data, change_id):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # as gunicorn ends a worker past its timeout; an Exception is
        return real(user, data, change_id)     # that change's `error` (test_push_hostile.py)

    monkeypatch.setitem(push.HANDLERS, "inspection", crashing)
    with pytest.raises(SystemExit):
        _push(client, world.tokens["inspector_a"], a, b)
    assert _count(app, Inspection) == 0 and _count(app, SyncReceipt) == 0
    monkeypatch.setitem(push.HANDLERS, "inspection", real)
    results = _push(client, world.tokens["inspector_a"], a, b).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert _count(app, Inspection) == 2


def test_two_devices_pushing_the_same_record_at_once_store_one(app, world, checklist):
    c = change(inspection_body(world.ids["unit_a"], checklist))
    other = change(inspection_body(world.ids["unit_a"], checklist))
    statuses, barrier = [], threading.Barrier(4)

    def device(token, changes):
        client = app.test_client()
        barrier.wait()
        for _ in range(20):  # as the phone does: a 503 (deadlock, busy) means retry
            r = client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": changes})
            if r.status_code != 503:
                break
        assert r.status_code == 200, r.get_json()
        statuses.extend(x["status"] for x in r.get_json()["results"])

    # One inspector's phone and tablet: receipts are per user, so another account gets a conflict instead
    # (test_push_hostile.py::test_receipts_are_per_user).
    with app.app_context():
        from server.account.models import User
        from server.account.service import issue_token
        _, tablet = issue_token(db.session.get(User, world.ids["inspector_a"]), "平板")
        db.session.commit()
    tokens = [world.tokens["inspector_a"], tablet] * 2
    threads = [threading.Thread(target=device, args=(t, [c, other] if i % 2 else [other, c]))
               for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 8 and statuses.count("applied") == 2
    assert set(statuses) <= {"applied", "duplicate"}
    assert _count(app, Inspection) == 2


def test_stale_unit_edit_is_a_conflict_with_both_versions(client, world, app):
    admin, insp = bearer(world.tokens["admin_a"]), world.tokens["inspector_a"]
    client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=admin, json={"version": 1, "address": "办公室改的地址"})
    edit = {"unit_id": world.ids["unit_a"], "base_version": 1, "changes": {"address": "手机上改的地址"}}
    r = _push(client, insp, change(edit, "unit_edit", str(uuid.uuid4()))).get_json()["results"][0]
    assert r["status"] == "conflict"
    assert r["record"]["address"] == "办公室改的地址" and r["record"]["mine"] == {"address": "手机上改的地址"}
    # Resolved on the phone: a new edit based on the current version
    edit = {**edit, "base_version": r["record"]["version"]}
    r = _push(client, insp, change(edit, "unit_edit", str(uuid.uuid4()))).get_json()["results"][0]
    assert r["status"] == "applied" and r["record"]["version"] == 3


def test_field_edits_are_limited_to_address_phone_status(client, world):
    edit = {"unit_id": world.ids["unit_a"], "base_version": 1, "changes": {"name": "改名"}}
    r = _push(client, world.tokens["inspector_a"], change(edit, "unit_edit", str(uuid.uuid4()))).get_json()
    assert r["results"][0]["status"] == "invalid"


def test_revoked_token_is_refused_and_nothing_is_stored(client, world, checklist, app):
    h = bearer(world.tokens["inspector_a"])
    token_id = client.get("/api/v1/tokens", headers=h).get_json()[0]["id"]
    client.delete(f"/api/v1/tokens/{token_id}", headers=h)
    r = _push(client, world.tokens["inspector_a"], change(inspection_body(world.ids["unit_a"], checklist)))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"
    assert _count(app, Inspection) == 0


def test_bad_batch_shape_is_422(client, world):
    r = client.post("/api/v1/sync/push", headers=bearer(world.tokens["inspector_a"]),
                    json={"changes": [{"id": "not-a-uuid", "type": "x", "data": {}}]})
    assert r.status_code == 422
    f = r.get_json()["error"]["fields"]["changes"]["0"]
    assert f["id"] == ["编号应为UUID"] and "type" not in f  # an unknown type is that change's invalid
    r = client.post("/api/v1/sync/push", headers=bearer(world.tokens["inspector_a"]),
                    json={"changes": [{"id": str(uuid.uuid4()), "type": "x", "data": {}}]})
    assert r.status_code == 200 and r.json["results"][0]["fields"] == {"type": ["变更类型不正确"]}


def test_inspection_waiting_for_photos(client, world, checklist):
    body = inspection_body(world.ids["unit_a"], checklist, photos=["b" * 64])
    r = _push(client, world.tokens["inspector_a"], change(body)).get_json()["results"][0]
    assert r["status"] == "applied" and r["missing_photos"] == sorted(["a" * 64, "b" * 64])
    got = client.get(f"/api/v1/inspections/{r['record']['id']}", headers=bearer(world.tokens["inspector_a"]))
    assert got.get_json()["missing_photos"] == sorted(["a" * 64, "b" * 64])


@pytest.mark.parametrize("batch", [1, 2], ids=["alone", "in a batch"])
def test_a_change_refused_after_its_first_writes_leaves_no_trace(client, world, checklist, app, monkeypatch, batch):
    """A change that fails after its inspection row was written (alone: the request's transaction is
    undone; in a batch: its savepoint) leaves no inspection, answer, change-log or audit row behind."""
    from server.core.audit import AuditLog
    from server.core.changelog import ChangeLog
    from server.core.errors import Invalid
    from server.inspection import service as inspections
    from server.inspection.models import InspectionAnswer
    before = {ChangeLog: _count(app, ChangeLog)}

    def refuse(*args, **kwargs):
        raise Invalid("检查结果处理失败")
    # _effects runs after the inspection row and its answers are written.
    monkeypatch.setattr(inspections, "_effects", refuse)
    bad = change(inspection_body(world.ids["unit_a"], checklist))
    results = _push(client, world.tokens["inspector_a"], bad).get_json()["results"]
    assert [r["status"] for r in results] == ["invalid"]
    if batch == 2:
        monkeypatch.undo()
        good = change(inspection_body(world.ids["unit_a"], checklist))
        effects = inspections._effects
        monkeypatch.setattr(inspections, "_effects", lambda user, record, *rest: (
            refuse() if record.client_id == bad["id"] else effects(user, record, *rest)))
        results = _push(client, world.tokens["inspector_a"], bad, good).get_json()["results"]
        assert [r["status"] for r in results] == ["invalid", "applied"]
    stored = _count(app, Inspection)
    assert stored == batch - 1 and _count(app, SyncReceipt) == stored
    assert _count(app, InspectionAnswer) == 16 * stored
    assert _count(app, ChangeLog) - before[ChangeLog] == stored
    assert _count(app, AuditLog, AuditLog.entity == "inspection") == stored
    assert _count(app, Inspection, Inspection.client_id == bad["id"]) == 0


def test_a_batch_is_numbered_in_order_without_gaps_after_a_refused_change(client, world, checklist, app):
    """The change log of a batch (one refused change between good ones) is numbered at commit: every row
    a number, in the order written, following on from the counter with no gap, the counter at the top."""
    from server.core.changelog import ChangeLog, SyncCounter
    with app.app_context():
        start = db.session.get(SyncCounter, 1).value
    good = [change(inspection_body(world.ids["unit_a"], checklist)) for _ in range(3)]
    bad = change({**inspection_body(world.ids["unit_a"], checklist), "conclusion": "maybe"})
    results = _push(client, world.tokens["inspector_a"], good[0], bad, good[1], good[2]).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "invalid", "applied", "applied"]
    with app.app_context():
        rows = db.session.execute(sa.select(ChangeLog.id, ChangeLog.seq, ChangeLog.entity_id)
                                  .where(ChangeLog.entity == "inspection").order_by(ChangeLog.id)).all()
        assert [r.seq for r in rows] == list(range(start + 1, start + 4))
        assert [r.entity_id for r in rows] == [str(r["record"]["id"]) for r in results if r["status"] == "applied"]
        assert db.session.get(SyncCounter, 1).value == start + 3
        assert db.session.scalar(sa.select(sa.func.count()).where(ChangeLog.seq.is_(None))) == 0


def test_a_pushed_inspection_is_audited_and_logged_for_its_inspector(client, world, checklist, app):
    """The inspection row goes in without the unit of work; its audit entry (who, which device, every
    field) and its change-log row (the inspector's scope) must still be written, once each."""
    from server.account.models import DeviceToken
    from server.core.audit import AuditLog
    from server.core.changelog import ChangeLog
    c = change(inspection_body(world.ids["unit_a"], checklist))
    r = _push(client, world.tokens["inspector_a"], c).get_json()["results"][0]
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "inspection")).all()
        token = db.session.scalar(sa.select(DeviceToken).where(DeviceToken.user_id == world.ids["inspector_a"]))
        logged = db.session.execute(sa.select(ChangeLog.op, ChangeLog.county_id, ChangeLog.station_id,
                                              ChangeLog.user_id, ChangeLog.seq)
                                    .where(ChangeLog.entity == "inspection")).all()
        insp = db.session.get(Inspection, r["record"]["id"])
        [entry] = entries
        assert (entry.action, entry.entity_id, entry.user_id) == ("insert", str(insp.id), world.ids["inspector_a"])
        assert entry.device == f"token:{token.id}"
        assert entry.changes["client_id"] == c["id"] and entry.changes["conclusion"] == "pass"
        assert entry.changes["submitted_at"] == insp.submitted_at.isoformat()
        [(op, county, station, user, seq)] = logged
        assert (op, county, station, user) == ("upsert", insp.county_id, insp.station_id, world.ids["inspector_a"])
        assert seq is not None
    pulled = client.get("/api/v1/sync/pull?cursor=0", headers=bearer(world.tokens["inspector_a"])).get_json()
    assert [i["id"] for i in pulled["records"].get("inspection", [])] == [r["record"]["id"]]
