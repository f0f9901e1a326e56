"""A push is never poisoned, and POST /api/v1/inspections and push share one idempotency rule with
receipts kept per user (issue 16)."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection
from server.sync import handlers
from server.sync.models import SyncReceipt
from tests.conftest import bearer
from tests.sync.conftest import change, checklist, inspection_body  # noqa: F401

BIG = 2**31


def push(client, token, changes):
    return client.post("/api/v1/sync/push", json={"changes": changes}, headers=bearer(token))


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Inspection.id)))


def test_one_hostile_change_is_its_own_result_and_the_others_apply(app, client, world, checklist):
    good = inspection_body(world.ids["unit_a"], checklist)
    big = inspection_body(world.ids["unit_a"], checklist)
    big["task_id"] = BIG
    nul = inspection_body(world.ids["unit_a"], checklist)
    nul["summary"] = "现场\u0000正常"
    edit = {"unit_id": world.ids["unit_a"], "base_version": 1, "changes": {"address": "新地址\u0000"}}
    strange = {"id": "0b0b0b0b-0000-4000-8000-000000000000", "type": "teleport", "data": {}}
    r = push(client, world.tokens["inspector_a"], [change(big), change(nul), change(edit, "unit_edit"), strange,
                                                   change(good)])
    assert r.status_code == 200, r.json
    statuses = [x["status"] for x in r.json["results"]]
    assert statuses == ["invalid", "invalid", "invalid", "invalid", "applied"], r.json
    assert r.json["results"][0]["fields"]["task_id"] == ["数值超出范围"]
    assert "U+0000" in r.json["results"][1]["fields"]["summary"][0]
    assert stored(app) == 1


def test_an_unexpected_failure_is_that_changes_error(app, client, world, checklist, monkeypatch):
    original = handlers.HANDLERS["inspection"]

    def flaky(user, data, change_id):
        if data.get("summary") == "boom":
            raise RuntimeError("a bug")
        return original(user, data, change_id)
    monkeypatch.setitem(handlers.HANDLERS, "inspection", flaky)
    bad = inspection_body(world.ids["unit_a"], checklist)
    bad["summary"] = "boom"
    good = inspection_body(world.ids["unit_a"], checklist)
    r = push(client, world.tokens["inspector_a"], [change(bad), change(good)])
    assert [x["status"] for x in r.json["results"]] == ["error", "applied"]
    assert "其余不受影响" in r.json["results"][0]["message"]
    again = push(client, world.tokens["inspector_a"], [change(bad), change(good)])
    assert [x["status"] for x in again.json["results"]] == ["error", "duplicate"]
    assert stored(app) == 1


def test_post_twice_and_post_then_push_share_the_rule(app, client, world, checklist):
    h = bearer(world.tokens["inspector_a"])
    body = inspection_body(world.ids["unit_a"], checklist)
    first = client.post("/api/v1/inspections", json=body, headers=h)
    assert first.status_code == 201, first.json
    again = client.post("/api/v1/inspections", json=body, headers=h)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    r = push(client, world.tokens["inspector_a"], [change(body)])
    assert r.json["results"][0]["status"] == "duplicate"
    assert r.json["results"][0]["record"]["id"] == first.json["id"]
    other = {**body, "summary": "改过的内容"}
    assert client.post("/api/v1/inspections", json=other, headers=h).status_code == 409
    assert push(client, world.tokens["inspector_a"], [change(other)]).json["results"][0]["status"] == "conflict"
    # and the other way round: pushed first, then posted
    pushed = inspection_body(world.ids["unit_a"], checklist)
    assert push(client, world.tokens["inspector_a"], [change(pushed)]).json["results"][0]["status"] == "applied"
    assert client.post("/api/v1/inspections", json=pushed, headers=h).status_code == 200
    assert stored(app) == 2


def test_receipts_are_per_user(app, client, world, checklist):
    mine = inspection_body(world.ids["unit_a"], checklist)
    r = push(client, world.tokens["inspector_a"], [change(mine)])
    record_id = r.json["results"][0]["record"]["id"]
    # another station's inspector replays the id: no duplicate, no record id of station a
    theirs = inspection_body(world.ids["unit_b"], checklist, client_id=mine["client_id"])
    r = push(client, world.tokens["inspector_b"], [change(theirs)])
    result = r.json["results"][0]
    assert result["status"] == "conflict" and result["record"] == {}  # station a's record id not told
    assert record_id
    r = push(client, world.tokens["admin_a"], [change(mine)])  # even the same content, by another account
    assert r.json["results"][0]["status"] == "conflict" and r.json["results"][0]["record"] == {}
    assert client.post("/api/v1/inspections", json=theirs, headers=bearer(world.tokens["inspector_b"])).status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncReceipt)) == 1
    assert stored(app) == 1
