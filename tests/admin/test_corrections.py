"""Corrections (issue 18, item 4): by the inspector within the period and by the station, each a new record
superseding the old with its reason; the chain on the pages, in the report and in the phone's pull; the
latest alone counts."""
import re
from datetime import timedelta

import sqlalchemy as sa

from server.extensions import db
from server.inspection import service
from server.inspection.models import Inspection
from tests.conftest import bearer
from tests.sync.conftest import change, checklist, due, inspection_body  # noqa: F401
from tests.admin.test_inspections import push


def _push(client, token, body):
    return client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": [change(body)]}).get_json()["results"][0]


def _ids(app):
    with app.app_context():
        return db.session.scalars(sa.select(Inspection.id).order_by(Inspection.id)).all()


def _pull(client, token):
    r = client.get("/api/v1/sync/pull?cursor=0", headers=bearer(token)).get_json()
    return {i["client_id"]: i for i in r["records"].get("inspection", [])}


def test_a_correction_needs_a_reason_and_keeps_it(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="fail")
    push(client, world.tokens["inspector_a"], first)
    fix = inspection_body(world.ids["unit_a"], checklist, supersedes=first["client_id"])
    fix["correction_reason"] = "  "
    r = _push(client, world.tokens["inspector_a"], fix)
    assert r["status"] == "invalid" and r["fields"] == {"correction_reason": ["须填写更正原因"]}
    assert len(_ids(app)) == 1
    fix["correction_reason"] = "结论选错：现场均符合"
    assert _push(client, world.tokens["inspector_a"], fix)["status"] == "applied"
    with app.app_context():
        old, new = db.session.scalars(sa.select(Inspection).order_by(Inspection.id)).all()
        assert new.correction_reason == "结论选错：现场均符合" and old.correction_reason is None
        assert [i.id for i in service.correction_chain(old)] == [old.id, new.id]
        assert [i.id for i in service.correction_chain(new)] == [old.id, new.id]


def test_the_pull_says_until_when_and_that_it_was_corrected(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="fail")
    push(client, world.tokens["inspector_a"], first)
    mine = _pull(client, world.tokens["inspector_a"])[first["client_id"]]
    with app.app_context():
        old = db.session.scalars(sa.select(Inspection)).one()
        until = old.submitted_at + timedelta(days=app.config["CORRECTION_DAYS"])
    assert mine["correctable_until"].startswith(until.isoformat()[:19]) and mine["superseded_by"] is None
    # The content a correction on the phone starts from travels with it
    assert [a["item_code"] for a in mine["answers"]] and mine["signer_name"] == "王老板"
    assert mine["signed_hash"] == first["signed_hash"] and mine["template_version_id"] == checklist
    # The station corrects it: the inspector's phone hears of it on the original (the correction is the admin's)
    c = _as_admin(client)
    r = c.post(f"/inspections/{old.id}/correct", data=_form(client, old.id, reason="复核后改为合格", conclusion="pass"))
    assert r.status_code == 303
    pulled = _pull(client, world.tokens["inspector_a"])
    by = pulled[first["client_id"]]["superseded_by"]
    assert by["by"] == "a_admin" and by["reason"] == "复核后改为合格" and by["conclusion"] == "pass"
    # The station's correction reaches the inspector's phone too (it is of their visit), not to be corrected there
    [fix] = [i for i in pulled.values() if i.get("supersedes_client_id") == first["client_id"]]
    assert fix["inspector_id"] == world.ids["inspector_a"] and fix["correctable_until"] is None
    assert fix["correction_reason"] == "复核后改为合格"
    refix = inspection_body(world.ids["unit_a"], checklist, supersedes=fix["client_id"])
    r = _push(client, world.tokens["inspector_a"], refix)
    assert r["status"] == "invalid" and "所里" in r["message"]


def _as_admin(client, username="a_admin"):
    from tests.conftest import login
    assert login(client, username).status_code == 302
    return client


def _form(client, inspection_id, **values):
    """The correction form as the page fills it, with `values` changed."""
    page = client.get(f"/inspections/{inspection_id}/correct").get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)}
    for name, value in re.findall(r'<input (?:type="\w+" )?name="([\w.-]+)" value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(r'<select name="([\w.-]+)"[^>]*>(?:(?!</select>).)*?<option value="(\w+)" selected', page, re.S):
        data[name] = value
    data.update(values)
    return data


def test_the_station_corrects_with_a_required_reason(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="rectify", fail_items=["pricing.have"],
                            rectifications=[{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)}])
    push(client, world.tokens["inspector_a"], first)
    (old_id,) = _ids(app)
    c = _as_admin(client)
    detail = c.get(f"/inspections/{old_id}").get_data(as_text=True)
    assert 'id="correct"' in detail
    r = c.post(f"/inspections/{old_id}/correct", data=_form(client, old_id, reason=""))
    assert r.status_code == 422 and "须填写更正原因" in r.get_data(as_text=True)
    assert len(_ids(app)) == 1
    r = c.post(f"/inspections/{old_id}/correct", data=_form(client, old_id, reason="价签实为齐全", conclusion="pass",
                                                         **{"result-pricing.have": "yes", "note-pricing.have": ""}))
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    old_id, new_id = _ids(app)
    with app.app_context():
        new = db.session.get(Inspection, new_id)
        assert new.supersedes_id == old_id and new.conclusion == "pass"
        # The visit stays its inspector's; the admin is recorded as who corrected it
        assert new.inspector_id == world.ids["inspector_a"] and new.corrected_by_id == world.ids["admin_a"]
        # The owner did not sign the changed content: no signature is carried over
        assert new.signature_sha256 is None and new.signed_hash is None
        assert [a.result for a in new.answers if a.item_code == "pricing.have"] == ["yes"]
        assert db.session.get(Inspection, old_id).rectifications[0].status == "superseded"
    old_page = c.get(f"/inspections/{old_id}").get_data(as_text=True)
    assert "已被更正" in old_page and "价签实为齐全" in old_page and 'id="correct"' not in old_page
    new_page = c.get(f"/inspections/{new_id}").get_data(as_text=True)
    assert "更正记录链" in new_page and "未经负责人签名" in new_page and 'id="correct"' in new_page
    report = c.get(f"/inspections/{old_id}/report").get_data(as_text=True)
    assert "已被更正" in report and "价签实为齐全" in report and f"#{new_id}" in report
    # Correcting the superseded record again leads to the one in force
    r = c.get(f"/inspections/{old_id}/correct")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/inspections/{new_id}")
    assert len(_ids(app)) == 2


def test_an_unchanged_content_keeps_the_owners_signature(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="pass")
    push(client, world.tokens["inspector_a"], first)
    (old_id,) = _ids(app)
    c = _as_admin(client)
    # Nothing the owner signed changes (the form sent back as it was, with a reason): the signature stays
    assert c.post(f"/inspections/{old_id}/correct", data=_form(client, old_id, reason="核对无误，补记原因")).status_code == 303
    with app.app_context():
        new = db.session.get(Inspection, _ids(app)[1])
        assert new.signed_hash == first["signed_hash"] and new.signature_sha256 == first["signature_sha256"]


def test_another_stations_admin_and_an_inspector_are_refused(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="fail")
    push(client, world.tokens["inspector_a"], first)
    (old_id,) = _ids(app)
    c = _as_admin(client, "b_admin")
    assert c.get(f"/inspections/{old_id}/correct").status_code == 404
    assert c.post(f"/inspections/{old_id}/correct", data={"reason": "x", "conclusion": "pass"}).status_code in (400, 404)
    c = _as_admin(client, "a_insp")
    assert c.get(f"/inspections/{old_id}/correct").status_code == 403
    assert len(_ids(app)) == 1


def test_only_the_latest_counts_for_the_evaluation(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="pass", kind="post_evaluation")
    push(client, world.tokens["inspector_a"], first)
    year = first["year"]
    with app.app_context():
        assert service.passing_post_evaluation(world.ids["unit_a"], year) is not None
    fix = inspection_body(world.ids["unit_a"], checklist, conclusion="fail", kind="post_evaluation",
                          supersedes=first["client_id"])
    assert _push(client, world.tokens["inspector_a"], fix)["status"] == "applied"
    with app.app_context():
        assert service.passing_post_evaluation(world.ids["unit_a"], year) is None


def test_the_importer_is_shown_beside_the_author(client, world, checklist, app):
    body = inspection_body(world.ids["unit_a"], checklist)
    r = client.post("/api/v1/sync/push", headers=bearer(world.tokens["admin_a"]),
                    json={"changes": [{**change(body), "on_behalf_of": world.ids["inspector_a"]}]}).get_json()
    assert r["results"][0]["status"] == "applied"
    own = inspection_body(world.ids["unit_a"], checklist)
    push(client, world.tokens["inspector_a"], own)
    imported_id, own_id = _ids(app)
    with app.app_context():
        assert db.session.get(Inspection, imported_id).imported_by_id == world.ids["admin_a"]
        assert db.session.get(Inspection, own_id).imported_by_id is None
    c = _as_admin(client)
    page = c.get(f"/inspections/{imported_id}").get_data(as_text=True)
    assert "a_insp" in page and "由a_admin导入" in page
    assert "由a_admin导入" in c.get(f"/inspections/{imported_id}/report").get_data(as_text=True)
    assert "导入" not in c.get(f"/inspections/{own_id}").get_data(as_text=True)
    api = client.get(f"/api/v1/inspections/{imported_id}", headers=bearer(world.tokens["admin_a"])).get_json()
    assert api["imported_by_name"] == "a_admin" and api["inspector_name"] == "a_insp"


def test_a_tap_signature_is_refused_by_the_server_too(client, world, checklist, app):
    """Issue 18, item 1 on the server: a signature image with almost no ink (a tap) is refused, 422 in Chinese;
    a signature not uploaded yet cannot be measured and waits for its image."""
    from tests.admin.test_inspections import png, upload
    from PIL import Image, ImageDraw
    import io
    token = world.tokens["inspector_a"]
    tap = Image.new("RGB", (640, 360), "white")
    ImageDraw.Draw(tap).ellipse((100, 100, 106, 106), fill="black")  # about 40 dark pixels
    out = io.BytesIO()
    tap.save(out, "PNG")
    sha = upload(client, token, out.getvalue())
    body = inspection_body(world.ids["unit_a"], checklist, signature=sha)
    r = client.post("/api/v1/inspections", headers=bearer(token), json=body)
    assert r.status_code == 422 and "签名过短" in r.get_json()["error"]["fields"]["signature_sha256"][0], r.get_json()
    assert _ids(app) == []
    # A drawn signature passes
    signature, data = png((20, 20, 20), (120, 40))
    upload(client, token, data)
    assert _push(client, token, inspection_body(world.ids["unit_a"], checklist, signature=signature))["status"] == "applied"


def _at_profiled(app, world):
    """unit_a enrolled for the year and walked to 系统录入 through the services."""
    from server.account.models import User
    from server.unit.models import Unit
    from tests.conftest import certify
    with app.app_context():
        certify(db.session.get(User, world.ids["admin_a"]), db.session.get(Unit, world.ids["unit_a"]), to="profiled")
        db.session.commit()


def _stage_and_signs(app, unit_id, year):
    from server.signage.models import Sign
    from server.signage.state import sign_state
    from server.unit.lifecycle import unit_year
    from server.unit.models import Unit
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        signs = db.session.scalars(sa.select(Sign).where(Sign.unit_id == unit_id)).all()
        return unit_year(unit, year).stage, [(s.status, s.revoke_reason, sign_state(s)) for s in signs]


def test_a_pass_corrected_to_a_fail_takes_the_unit_and_its_sign_back(client, world, checklist, app):
    """The post-evaluation that carried a unit to 后评价通过, corrected to 不合格: the unit goes back to 系统录入
    with the correction as the step's evidence, its sign of the year is revoked, and no contradiction is left."""
    from server.integrity.service import check
    from server.signage.service import issue_sign
    from server.account.models import User
    from server.unit.models import LifecycleEvent
    _at_profiled(app, world)
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="pass", kind="post_evaluation")
    push(client, world.tokens["inspector_a"], first)
    year = first["year"]
    with app.app_context():
        issue_sign(db.session.get(User, world.ids["admin_a"]), world.ids["unit_a"], year)
        db.session.commit()
    stage, signs = _stage_and_signs(app, world.ids["unit_a"], year)
    assert stage == "sign_issued" and [(s, r) for s, r, _ in signs] == [("issued", None)]
    # A pass corrected to a pass changes nothing
    again = inspection_body(world.ids["unit_a"], checklist, conclusion="pass", kind="post_evaluation",
                            supersedes=first["client_id"])
    assert _push(client, world.tokens["inspector_a"], again)["status"] == "applied"
    assert _stage_and_signs(app, world.ids["unit_a"], year)[0] == "sign_issued"
    # Corrected to a fail: back to 系统录入, the sign revoked
    fix = inspection_body(world.ids["unit_a"], checklist, conclusion="fail", kind="post_evaluation",
                          fail_items=["pricing.have"], supersedes=again["client_id"])
    assert _push(client, world.tokens["inspector_a"], fix)["status"] == "applied"
    stage, signs = _stage_and_signs(app, world.ids["unit_a"], year)
    assert stage == "profiled" and [(s, r) for s, r, _ in signs] == [("revoked", "stage_back")]
    with app.app_context():
        last = db.session.scalars(sa.select(LifecycleEvent).where(LifecycleEvent.unit_id == world.ids["unit_a"])
                                  .order_by(LifecycleEvent.id.desc())).first()
        assert (last.from_stage, last.to_stage, last.evidence_type) == ("sign_issued", "profiled", "correction")
        assert last.evidence_id == _ids(app)[-1] and "更正为不合格" in last.note
        assert check(world.ids["county"], year) == []
    # The unit's story says it in words
    page = _as_admin(client).get(f"/units/{world.ids['unit_a']}").get_data(as_text=True)
    assert "后评价更正" in page and "correction" not in page
    # Its inspections say which were corrected and which correct (the breaker saw two alike records)
    table = page.split('id="inspections"')[1].split("</table>")[0]
    assert table.count("已被更正") == 2 and table.count("更正记录") == 2


def test_a_corrected_pass_with_another_pass_of_the_year_keeps_the_stage(client, world, checklist, app):
    _at_profiled(app, world)
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="pass", kind="post_evaluation")
    second = inspection_body(world.ids["unit_a"], checklist, conclusion="pass", kind="post_evaluation")
    push(client, world.tokens["inspector_a"], first)
    push(client, world.tokens["inspector_a"], second)
    fix = inspection_body(world.ids["unit_a"], checklist, conclusion="fail", kind="post_evaluation",
                          fail_items=["pricing.have"], supersedes=first["client_id"])
    assert _push(client, world.tokens["inspector_a"], fix)["status"] == "applied"
    assert _stage_and_signs(app, world.ids["unit_a"], first["year"])[0] == "evaluated"
