"""Pull: everything of the user's scope, incrementally, with tombstones, never skipping a change."""
import threading
import time

import pytest
import sqlalchemy as sa

from server.core.changelog import ChangeLog
from server.extensions import db
from server.unit.models import Unit
from tests.conftest import bearer
from tests.sync.conftest import change, inspection_body


def pull(client, token, cursor=0, limit=2000):
    r = client.get(f"/api/v1/sync/pull?cursor={cursor}&limit={limit}", headers=bearer(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _ids(page, entity):
    return {r["id"] for r in page["records"].get(entity, [])}


def test_first_pull_holds_the_scope_and_nothing_else(client, world, checklist):
    page = pull(client, world.tokens["inspector_a"])
    assert _ids(page, "unit") == {world.ids["unit_a"]}
    assert _ids(page, "template") == {checklist}
    unit = page["records"]["unit"][0]
    assert unit["stages"] == {"2023": "pool"} and unit["version"] == 1
    assert page["more"] is False and page["cursor"] > 0
    county = pull(client, world.tokens["county_admin"])
    assert _ids(county, "unit") == {world.ids["unit_a"], world.ids["unit_b"]}


def test_incremental_pull_returns_only_what_changed(client, world, checklist):
    first = pull(client, world.tokens["inspector_a"])
    assert pull(client, world.tokens["inspector_a"], first["cursor"])["records"] == {}
    client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=bearer(world.tokens["admin_a"]),
                 json={"version": 1, "contact_phone": "0578-1234567"})
    client.patch(f"/api/v1/units/{world.ids['unit_b']}", headers=bearer(world.tokens["admin_b"]),
                 json={"version": 1, "contact_phone": "0578-7654321"})
    nxt = pull(client, world.tokens["inspector_a"], first["cursor"])
    assert [u["contact_phone"] for u in nxt["records"]["unit"]] == ["0578-1234567"]


def test_a_unit_moved_to_another_station_is_a_tombstone_for_the_old_one(client, world):
    a0 = pull(client, world.tokens["inspector_a"])["cursor"]
    b0 = pull(client, world.tokens["inspector_b"])["cursor"]
    client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=bearer(world.tokens["county_admin"]),
                 json={"version": 1, "station_id": world.ids["b"]})
    a = pull(client, world.tokens["inspector_a"], a0)
    assert a["tombstones"] == [{"entity": "unit", "id": str(world.ids["unit_a"])}] and a["records"] == {}
    b = pull(client, world.tokens["inspector_b"], b0)
    assert _ids(b, "unit") == {world.ids["unit_a"]} and b["tombstones"] == []
    county = pull(client, world.tokens["county_admin"])
    assert world.ids["unit_a"] in _ids(county, "unit")  # sees both rows; ends with the record


def test_a_reassigned_task_leaves_the_old_assignee(client, world, app):
    admin = bearer(world.tokens["admin_a"])
    with app.app_context():
        from server.account.models import User
        other = User(username="a_insp2", name="二号", role="inspector", county_id=world.ids["county"],
                     station_id=world.ids["a"], password_hash="x")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    task = client.post("/api/v1/tasks", headers=admin, json={"unit_id": world.ids["unit_a"], "kind": "service_visit",
                                                              "due_date": "2023-10-01",
                                                              "assignee_id": world.ids["inspector_a"]}).get_json()
    c0 = pull(client, world.tokens["inspector_a"])
    assert _ids(c0, "task") == {task["id"]}
    client.patch(f"/api/v1/tasks/{task['id']}", headers=admin, json={"assignee_id": other_id})
    assert pull(client, world.tokens["inspector_a"], c0["cursor"])["tombstones"] == [{"entity": "task", "id": str(task["id"])}]


def test_paging_never_skips(client, world, app):
    with app.app_context():
        for n in range(30):
            db.session.add(Unit(county_id=world.ids["county"], station_id=world.ids["a"], name=f"单位{n}",
                                uscc=f"X{n:017d}", address="x", type="general"))
        db.session.commit()
    seen, cursor = set(), 0
    while True:
        page = pull(client, world.tokens["inspector_a"], cursor, limit=7)
        seen |= _ids(page, "unit")
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert len(seen) == 31


def test_concurrent_commits_out_of_order_are_never_skipped(app, world, client):
    """Two transactions: the one that wrote first commits last. A pull in between must not let the
    cursor pass the change still in flight (a plain auto-increment or timestamp cursor would)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time; this interleaving needs PostgreSQL (CI runs it there)")
    start = pull(client, world.tokens["county_admin"])["cursor"]
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    from sqlalchemy.orm import Session
    s1, s2 = Session(engine), Session(engine)
    with app.app_context():
        # T1 writes first (a timestamp cursor would give it the earlier time) but does not commit yet
        s1.get(Unit, world.ids["unit_a"]).contact_phone = "111"
        s1.flush()
        # T2 writes later and commits first
        s2.get(Unit, world.ids["unit_b"]).contact_phone = "222"
        s2.commit()
        mid = pull(client, world.tokens["county_admin"], start)
        assert [u["contact_phone"] for u in mid["records"]["unit"]] == ["222"]
        s1.commit()
        with Session(engine) as s3:
            written = dict(s3.execute(sa.select(Unit.id, Unit.updated_at)
                                      .where(Unit.id.in_([world.ids["unit_a"], world.ids["unit_b"]]))).all())
        # the interleaving really happened: T1 wrote before T2 and committed after it
        assert written[world.ids["unit_a"]] < written[world.ids["unit_b"]]
        after = pull(client, world.tokens["county_admin"], mid["cursor"])
        assert [u["contact_phone"] for u in after["records"]["unit"]] == ["111"]
    s1.close(), s2.close(), engine.dispose()


def test_numbering_at_commit_waits_for_the_earlier_committer(app, world, client):
    """While one transaction numbers its changes, another's numbering waits for its commit."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("needs two concurrent writers (PostgreSQL)")
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    from sqlalchemy.orm import Session
    order = []
    s1 = Session(engine)
    s1.get(Unit, world.ids["unit_a"]).contact_phone = "333"
    from server.core.changelog import _number_changes
    s1.flush()
    _number_changes(s1)  # holds the counter row lock until s1 commits

    def other():
        s2 = Session(engine)
        s2.get(Unit, world.ids["unit_b"]).contact_phone = "444"
        s2.commit()
        order.append("s2")
        s2.close()

    t = threading.Thread(target=other)
    t.start()
    time.sleep(0.5)
    order.append("s1")
    s1.commit()
    t.join()
    assert order == ["s1", "s2"]
    with Session(engine) as s3:
        rows = dict(s3.execute(sa.select(ChangeLog.entity_id, ChangeLog.seq).where(ChangeLog.seq.is_not(None))).all())
    assert rows[str(world.ids["unit_a"])] < rows[str(world.ids["unit_b"])]
    s1.close(), engine.dispose()


def test_inspectors_pull_their_own_inspections(client, world, checklist):
    body = inspection_body(world.ids["unit_a"], checklist, conclusion="rectify", fail_items=["pricing.have"],
                           rectifications=[{"item_code": "pricing.have", "demand": "补齐价签", "due_date": "2023-09-08"}])
    client.post("/api/v1/sync/push", headers=bearer(world.tokens["admin_a"]), json={"changes": [change(body)]})
    mine = {**body, "client_id": str(__import__("uuid").uuid4())}
    client.post("/api/v1/sync/push", headers=bearer(world.tokens["inspector_a"]), json={"changes": [change(mine)]})
    page = pull(client, world.tokens["inspector_a"])
    assert [i["client_id"] for i in page["records"]["inspection"]] == [mine["client_id"]]
    rect = page["records"]["inspection"][0]["rectifications"][0]
    assert (rect["demand"], rect["due_date"], rect["status"]) == ("补齐价签", "2023-09-08", "open")
    assert len(pull(client, world.tokens["admin_a"])["records"]["inspection"]) == 2


def test_a_new_industry_template_reaches_the_units_it_applies_to(client, world, checklist, app):
    from server.checklist.service import base_items, create_template
    from server.demo.loader import checklist_base
    with app.app_context():
        unit = db.session.get(Unit, world.ids["unit_a"])
        unit.industry = "餐饮"
        db.session.commit()
    first = pull(client, world.tokens["inspector_a"])
    assert first["records"]["unit"][0]["checklist_template_id"] is not None
    with app.app_context():
        food = create_template(world.ids["county"], "food", "餐饮（1+X）", None,
                               base_items(checklist_base()) + [{"code": "x.kitchen", "text": "明厨亮灶"}],
                               industry="餐饮")
        db.session.commit()
        food_id = food.id
    nxt = pull(client, world.tokens["inspector_a"], first["cursor"])
    assert [u["checklist_template_id"] for u in nxt["records"]["unit"]] == [food_id]
    assert [t["template_id"] for t in nxt["records"]["template"]] == [food_id]
