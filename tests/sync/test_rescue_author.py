"""Rescue that keeps authorship (issue 18, item 5): records imported from an inspector's file keep their
inspector; the importer (a station admin of the same station) is recorded beside; anyone else is refused."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Inspection
from server.sync.models import SyncReceipt
from tests.conftest import bearer
from tests.sync.conftest import change, checklist, inspection_body  # noqa: F401


def _push(client, token, c):
    return client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": [c]}).get_json()["results"][0]


def test_the_station_admin_imports_an_inspectors_file_and_the_inspector_stays_the_author(client, world, checklist, app):
    c = {**change(inspection_body(world.ids["unit_a"], checklist)), "on_behalf_of": world.ids["inspector_a"]}
    r = _push(client, world.tokens["admin_a"], c)
    assert r["status"] == "applied" and r["imported_by"]["id"] == world.ids["admin_a"]
    with app.app_context():
        insp = db.session.scalars(sa.select(Inspection)).one()
        assert insp.inspector_id == world.ids["inspector_a"]
        receipt = db.session.get(SyncReceipt, (world.ids["inspector_a"], c["id"]))
        assert receipt.user_id == world.ids["inspector_a"] and receipt.result["imported_by"]["id"] == world.ids["admin_a"]
    # And when the inspector's own phone syncs the same record later, it is a duplicate
    r = _push(client, world.tokens["inspector_a"], {k: v for k, v in c.items() if k != "on_behalf_of"})
    assert r["status"] == "duplicate"


def test_anyone_else_importing_it_is_refused_with_a_reason(client, world, checklist, app):
    for who in ("inspector_b", "admin_b", "inspector_a"):
        c = {**change(inspection_body(world.ids["unit_a"], checklist)),
             "on_behalf_of": world.ids["inspector_b" if who == "inspector_a" else "inspector_a"]}
        r = _push(client, world.tokens[who], c)
        assert r["status"] == "invalid" and "所（分局）的管理员" in r["message"], (who, r)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0
