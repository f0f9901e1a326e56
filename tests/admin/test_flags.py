"""Units flagged for removal: listed in scope, linked to the unit page, marked as dealt with."""
import re

from server.inspection.models import UnitFlag
from tests.admin.test_inspections import push
from tests.sync.conftest import checklist, inspection_body  # noqa: F401


def _two_failures(client, world, version_id):
    for _ in range(2):
        push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], version_id, conclusion="fail"))


def test_flagged_unit_is_listed_and_resolved(client, world, checklist, as_user, count, fetch):
    _two_failures(client, world, checklist)
    c = as_user("a_admin")
    page = c.get("/flags").get_data(as_text=True)
    assert "五云放心超市" in page and "一年内两次检查不合格" in page and "建议移出" in page
    assert f"/units/{world.ids['unit_a']}?year=2023" in page and "不合格记录" in page
    assert 'class="badge"' in page and "移出建议" in c.get("/").get_data(as_text=True)
    flag_id = int(re.search(r"/flags/(\d+)/resolve", page).group(1))
    r = c.post(f"/flags/{flag_id}/resolve")
    assert r.status_code == 303
    row = fetch(UnitFlag, flag_id)
    assert row["resolved_at"] is not None and row["resolved_by_id"] == world.ids["admin_a"]
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "已将“五云放心超市”的移出建议标记为已处理" in page and "没有待处理的移出建议" in page
    assert 'class="badge"' not in page


def test_other_station_and_inspectors_cannot_resolve(client, world, checklist, as_user, count):
    _two_failures(client, world, checklist)
    with client.application.app_context():
        from server.extensions import db
        flag_id = db.session.query(UnitFlag.id).scalar()
    c = as_user("b_admin")
    assert "没有待处理的移出建议" in c.get("/flags").get_data(as_text=True)
    assert c.post(f"/flags/{flag_id}/resolve").status_code == 404
    client.post("/logout")
    c = as_user("a_insp")
    assert c.post(f"/flags/{flag_id}/resolve").status_code == 403
    assert "移出建议" not in c.get("/").get_data(as_text=True).split("</nav>")[0]
    client.post("/logout")
    assert "五云放心超市" in as_user("admin").get("/flags").get_data(as_text=True)
    assert count(UnitFlag, UnitFlag.resolved_at.is_(None)) == 1
