"""Photos belong to the records that use them (issue 18, item 2): the same bytes used by two stations are
seen by both; a sign-posted confirmation may only use a photo its author uploaded."""
import uuid

from tests.conftest import bearer
from tests.photo.conftest import make_image, put, sha
from tests.sync.conftest import change, checklist, inspection_body  # noqa: F401


def _push(client, token, *changes):
    return client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": list(changes)}).get_json()["results"]


def test_the_same_bytes_in_two_stations_inspections_are_seen_by_both(client, world, checklist):
    data = make_image()
    # Given station A's inspector uploaded a photo first and used it
    assert put(client, world.tokens["inspector_a"], data).status_code == 201
    assert _push(client, world.tokens["inspector_a"],
                 change(inspection_body(world.ids["unit_a"], checklist, photos=[sha(data)])))[0]["status"] == "applied"
    # And station B's admin cannot see it while no record of B uses it
    assert client.get(f"/api/v1/photos/{sha(data)}", headers=bearer(world.tokens["admin_b"])).status_code == 404
    # When station B's inspector uses the same bytes in an inspection of B's unit
    assert put(client, world.tokens["inspector_b"], data).status_code == 200
    assert _push(client, world.tokens["inspector_b"],
                 change(inspection_body(world.ids["unit_b"], checklist, photos=[sha(data)])))[0]["status"] == "applied"
    # Then B's admin sees the photo of its own inspection, thumbnail and original
    for path in ("", "/thumb", "/original"):
        assert client.get(f"/api/v1/photos/{sha(data)}{path}", headers=bearer(world.tokens["admin_b"])).status_code == 200


def test_the_report_of_the_second_station_includes_the_photo(client, world, checklist, app):
    from server.inspection.models import Inspection
    from server.extensions import db
    import sqlalchemy as sa
    from tests.conftest import login
    data = make_image()
    put(client, world.tokens["inspector_a"], data)
    _push(client, world.tokens["inspector_a"], change(inspection_body(world.ids["unit_a"], checklist, photos=[sha(data)])))
    _push(client, world.tokens["inspector_b"], change(inspection_body(world.ids["unit_b"], checklist, photos=[sha(data)])))
    with app.app_context():
        iid = db.session.scalar(sa.select(Inspection.id).where(Inspection.unit_id == world.ids["unit_b"]))
    login(client, "b_admin")
    page = client.get(f"/inspections/{iid}/report").get_data(as_text=True)
    assert page.count("data:image/jpeg;base64,") >= 1


def test_a_sign_posted_confirmation_may_not_use_someone_elses_photo(client, world):
    data = make_image()
    put(client, world.tokens["inspector_b"], data)
    c = {"id": str(uuid.uuid4()), "type": "sign_posted",
         "data": {"unit_id": world.ids["unit_a"], "year": 2023, "photo_sha256": sha(data), "note": ""}}
    r = _push(client, world.tokens["inspector_a"], c)[0]
    assert r["status"] == "invalid" and r["fields"]["photo_sha256"] == ["须使用本人现场拍摄的照片"]
