"""Issuing, serials, replacing, revoking, posting via sync, and the removal hook."""
import threading
import uuid

import pytest
import sqlalchemy as sa

from server.account.models import User
from server.extensions import db
from server.qrsign import payload
from server.signage import service
from server.signage.models import Sign, SignEvent
from server.unit.models import UnitYear
from tests.conftest import YEAR, bearer, photo_row
from tests.signage.conftest import issue


def stage(app, unit_id):
    with app.app_context():
        return db.session.scalar(sa.select(UnitYear.stage).where(UnitYear.unit_id == unit_id, UnitYear.year == YEAR))


def test_issue_moves_lifecycle_and_makes_a_readable_serial(app, client, world, evaluated):
    r = client.post("/api/v1/signs", json={"unit_id": world.ids["unit_a"], "year": YEAR},
                    headers=bearer(world.tokens["admin_a"]))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["serial"] == f"JY-{YEAR}-000001"
    assert body["status"] == "issued"
    assert payload.parse_url(body["url"], app.config["PUBLIC_BASE_URL"])[1] == db_token(app, body["id"])
    assert stage(app, world.ids["unit_a"]) == "sign_issued"


def db_token(app, sign_id):
    with app.app_context():
        return db.session.get(Sign, sign_id).token


def test_issue_refused_when_lifecycle_does_not_allow(client, world):
    # Given a unit still in the cultivation pool
    r = client.post("/api/v1/signs", json={"unit_id": world.ids["unit_a"], "year": YEAR},
                    headers=bearer(world.tokens["admin_a"]))
    # Then issuing is refused with a Chinese reason, and nothing is stored
    assert r.status_code == 422
    assert "尚未通过后评价" in r.json["error"]["message"]
    assert client.get("/api/v1/signs", headers=bearer(world.tokens["admin_a"])).json == []


def test_issue_twice_refused_and_inspector_cannot_issue(client, world, evaluated):
    h = bearer(world.tokens["admin_a"])
    assert client.post("/api/v1/signs", json={"unit_id": world.ids["unit_a"], "year": YEAR}, headers=h).status_code == 201
    again = client.post("/api/v1/signs", json={"unit_id": world.ids["unit_a"], "year": YEAR}, headers=h)
    assert again.status_code == 422 and "已有有效标识" in again.json["error"]["message"]
    r = client.post("/api/v1/signs", json={"unit_id": world.ids["unit_b"], "year": YEAR},
                    headers=bearer(world.tokens["inspector_b"]))
    assert r.status_code == 403


def test_other_station_cannot_see_or_issue(client, world, evaluated):
    r = client.post("/api/v1/signs", json={"unit_id": world.ids["unit_a"], "year": YEAR},
                    headers=bearer(world.tokens["admin_b"]))
    assert r.status_code == 404


def test_serials_unique_and_sequential_per_county_year(app, world, evaluated):
    ids = [issue(app, world, "unit_a"), issue(app, world, "unit_b", "admin_b")]
    assert [s for _, _, s in ids] == [f"JY-{YEAR}-000001", f"JY-{YEAR}-000002"]
    assert len({t for _, t, _ in ids}) == 2
    assert all(payload.is_token(t) for _, t, _ in ids)


def test_serial_retry_under_concurrency(app, world):
    """Two sessions issuing at once never share a number (unique constraint + retry)."""
    with app.app_context():
        uids = [make_unit(world, f"并发单位{n}", 100 + n) for n in range(6)]
    errors = []

    def work(unit_id):
        # A POST request context, as in production: on SQLite a writing request begins IMMEDIATE.
        with app.test_request_context(method="POST"):
            try:
                service.issue_sign(db.session.get(User, world.ids["admin_a"]), unit_id, YEAR)
                db.session.commit()
            except Exception as e:  # noqa: BLE001
                errors.append(e)
            finally:
                db.session.remove()
    threads = [threading.Thread(target=work, args=(u,)) for u in uids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with app.app_context():
        serials = db.session.scalars(sa.select(Sign.serial)).all()
    assert len(serials) == 6 == len(set(serials))


def make_unit(world, name, n, stage="evaluated", type="general", station="a"):
    """A unit of station a at a stage this year; its id."""
    from server.unit.models import Unit
    from tests.conftest import valid_uscc
    u = Unit(county_id=world.ids["county"], station_id=world.ids[station], name=name, uscc=valid_uscc(n),
             address="五云街道1号", type=type, return_days=7 if type == "no_reason_return" else None)
    db.session.add(u)
    db.session.flush()
    db.session.add(UnitYear(unit_id=u.id, year=YEAR, stage=stage))
    db.session.commit()
    return u.id


def test_prefix_from_county_code():
    assert service.serial_prefix("jinyun") == "JY"
    assert service.serial_prefix("huzhen") == "HZ"
    assert service.serial_prefix("li-shui") == "LS"
    assert service.serial_prefix("jinyun", "jyx") == "JYX"


def test_replace_and_revoke_keep_history(app, client, world, evaluated):
    sid, token, serial = issue(app, world)
    h = bearer(world.tokens["admin_a"])
    new = client.post(f"/api/v1/signs/{sid}/replace", json={"note": "损坏"}, headers=h)
    assert new.status_code == 201 and new.json["serial"] != serial
    old = client.get(f"/api/v1/signs/{sid}", headers=h).json
    assert old["status"] == "replaced" and old["replaced_by_id"] == new.json["id"]
    bad = client.post(f"/api/v1/signs/{new.json['id']}/revoke", json={"reason": "nope"}, headers=h)
    assert bad.status_code == 422 and "reason" in bad.json["error"]["fields"]
    r = client.post(f"/api/v1/signs/{new.json['id']}/revoke", json={"reason": "violations", "note": "x"}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "revoked" and r.json["revoke_reason"] == "violations"
    with app.app_context():
        actions = db.session.scalars(sa.select(SignEvent.action).order_by(SignEvent.id)).all()
    assert actions == ["issue", "replaced", "replace", "revoke"]


def test_revoke_signs_of_unit(app, world, evaluated):
    sid, _, _ = issue(app, world)
    with app.app_context():
        revoked = service.revoke_signs_of_unit(world.ids["unit_a"], "closed", world.ids["admin_a"])
        db.session.commit()
        assert [s.id for s in revoked] == [sid]
        sign = db.session.get(Sign, sid)
        assert sign.status == "revoked" and sign.revoke_reason == "closed"


def test_lifecycle_removal_revokes_signs(app, client, world, evaluated):
    """Removing a unit through the lifecycle API revokes its signs in the same request."""
    sid, token, _ = issue(app, world)
    r = client.post(f"/api/v1/units/{world.ids['unit_a']}/transitions",
                    json={"year": YEAR, "to_stage": "removed", "reason": "violations"},
                    headers=bearer(world.tokens["admin_a"]))
    assert r.status_code < 300, r.json
    assert "已撤销" in client.get(f"/s/{token}").get_data(as_text=True)


def sync_push(client, token, changes):
    return client.post("/api/v1/sync/push", json={"changes": changes}, headers=bearer(token))


def test_sign_posted_change(app, client, world, evaluated):
    sid, _, _ = issue(app, world)
    with app.app_context():
        mine = photo_row(db.session.get(User, world.ids["inspector_a"]))
        theirs = photo_row(db.session.get(User, world.ids["admin_a"]))
        db.session.commit()
    # A photo someone else uploaded (any hash the server knows) is refused, as is none at all
    for photo, why in ((theirs, "不是本人拍摄上传"), (None, "须拍摄张贴照片")):
        change = {"id": str(uuid.uuid4()), "type": "sign_posted",
                  "data": {"unit_id": world.ids["unit_a"], "year": YEAR, "photo_sha256": photo, "note": "已张贴"}}
        result = sync_push(client, world.tokens["inspector_a"], [change]).json["results"][0]
        assert result["status"] == "invalid" and why in result["message"], result
    assert stage(app, world.ids["unit_a"]) == "sign_issued"
    change = {"id": str(uuid.uuid4()), "type": "sign_posted",
              "data": {"unit_id": world.ids["unit_a"], "year": YEAR, "photo_sha256": mine, "note": "已张贴"}}
    r = sync_push(client, world.tokens["inspector_a"], [change])
    assert r.status_code == 200, r.json
    result = r.json["results"][0]
    assert result["status"] == "applied", result
    assert result["record"] == {"type": "sign", "id": sid} and result["missing_photos"] == []
    assert stage(app, world.ids["unit_a"]) == "sign_posted"
    with app.app_context():
        sign = db.session.get(Sign, sid)
        assert sign.posted_at is not None and sign.posted_photo_sha256 == mine
    # Not issued yet for unit b: refused with the reason
    change2 = {"id": str(uuid.uuid4()), "type": "sign_posted", "data": {"unit_id": world.ids["unit_b"], "year": YEAR}}
    r2 = sync_push(client, world.tokens["inspector_b"], [change2]).json["results"][0]
    assert r2["status"] == "invalid" and "尚未发放标识" in r2["message"]


def test_signs_in_pull_within_scope(app, world, evaluated):
    from server.signage.sync import load_signs
    sid, _, _ = issue(app, world)
    with app.app_context():
        assert list(load_signs(db.session.get(User, world.ids["inspector_a"]), [str(sid)])) == [str(sid)]
        assert load_signs(db.session.get(User, world.ids["inspector_b"]), [str(sid)]) == {}
