"""Issue 15: every bullet at the top of the issue, replayed through the API, the pages and the commands, and
the rules that replace them (evidence for each stage, signs following their unit, validity, programme year,
counts as of a date, the integrity check)."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from server.account.models import User
from server.dashboard.service import dashboard
from server.extensions import db
from server.inspection.models import Rectification
from server.signage.models import Sign
from server.station.service import set_milestones
from server.unit.models import LifecycleEvent, Unit, UnitYear
from server.visit.models import VisitTask
from tests.conftest import YEAR, bearer, certify, login
from tests.sync.conftest import change, checklist, inspection_body  # noqa: F401


def _stage(unit_id, year=YEAR):
    return db.session.scalar(sa.select(UnitYear.stage).where(UnitYear.unit_id == unit_id, UnitYear.year == year))


def _get(model, ident):
    return db.session.get(model, ident)


def _certified(user, year=YEAR):
    board = dashboard(user, year)
    return board["total_all"].certified


def test_passed_unit_has_no_manual_sign_step_and_a_sign_can_be_issued(app, client, world):
    """Bullet 1: after post-evaluation the page offers no 下一步：标识发放; the manual step is refused, and the
    sign is issued as before. No button walks a unit from 培育库 to 标识张贴."""
    with app.app_context():
        admin = _get(User, world.ids["admin_a"])
        certify(admin, _get(Unit, world.ids["unit_a"]), to="evaluated")
        db.session.commit()
    login(client, "a_admin")
    unit = world.ids["unit_a"]
    page = client.get(f"/units/{unit}?year={YEAR}").get_data(as_text=True)
    assert "下一步：标识发放" not in page and "标识</a> 页为该单位发放标识" in page
    r = client.post(f"/units/{unit}/transition", data={"year": YEAR, "to_stage": "sign_issued"})
    assert r.status_code == 422 and "须在标识页为该单位发放标识" in r.get_data(as_text=True)
    r = client.post("/api/v1/signs", json={"unit_id": unit, "year": YEAR}, headers=bearer(world.tokens["admin_a"]))
    assert r.status_code == 201, r.json
    with app.app_context():
        assert _stage(unit) == "sign_issued"
    # Unit b in the pool: the buttons reach 系统录入 and stop there
    ub = world.ids["unit_b"]
    login(client, "b_admin")
    for s in ("committed", "profiled"):
        assert client.post(f"/units/{ub}/transition", data={"year": YEAR, "to_stage": s}).status_code == 303
    for s in ("evaluated", "sign_issued", "sign_posted"):
        assert client.post(f"/units/{ub}/transition", data={"year": YEAR, "to_stage": s}).status_code == 422
    with app.app_context():
        assert _stage(ub) == "profiled"
        assert _certified(_get(User, world.ids["county_admin"])) == 1


def test_profile_must_be_complete_and_failed_evaluation_keeps_the_stage(app, client, world):
    with app.app_context():
        admin = _get(User, world.ids["admin_a"])
        unit = _get(Unit, world.ids["unit_a"])
        unit.industry, unit.contact_phone = "", ""
        db.session.commit()
    h = bearer(world.tokens["admin_a"])
    url = f"/api/v1/units/{world.ids['unit_a']}"
    client.post(f"{url}/transitions", json={"year": YEAR, "to_stage": "committed"}, headers=h)
    r = client.post(f"{url}/transitions", json={"year": YEAR, "to_stage": "profiled"}, headers=h)
    assert r.status_code == 422 and "缺少：行业、联系电话" in r.json["error"]["message"]
    with app.app_context():
        unit = _get(Unit, world.ids["unit_a"])
        unit.industry, unit.contact_phone = "零售", "13800000001"
        db.session.commit()
    assert client.post(f"{url}/transitions", json={"year": YEAR, "to_stage": "profiled"}, headers=h).status_code == 200
    # Evidence is required for a recorded result; a failure is kept and the stage stays
    bad = client.post(f"{url}/evaluations", json={"year": YEAR, "passed": True, "evaluated_on": "2023-09-01"},
                      headers=h)
    assert bad.status_code == 422 and "evidence_ref" in bad.json["error"]["fields"]
    r = client.post(f"{url}/evaluations", json={"year": YEAR, "passed": False, "evaluated_on": "2023-09-01",
                                                "evidence_ref": "后评〔2023〕1号"}, headers=h)
    assert r.status_code == 201
    with app.app_context():
        assert _stage(world.ids["unit_a"]) == "profiled"
    r = client.post(f"{url}/evaluations", json={"year": YEAR, "passed": True, "evaluated_on": "2023-10-01",
                                                "evidence_ref": "后评〔2023〕2号"}, headers=h)
    assert r.status_code == 201
    with app.app_context():
        assert _stage(world.ids["unit_a"]) == "evaluated"
        ev = db.session.scalars(sa.select(LifecycleEvent).where(LifecycleEvent.to_stage == "evaluated")).one()
        assert ev.evidence_type == "evaluation_result" and ev.evidence_id == r.json["id"]


def test_post_evaluation_inspection_moves_only_on_a_pass(app, client, world, checklist):  # noqa: F811
    with app.app_context():
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="profiled")
        db.session.commit()
    push = lambda body: client.post("/api/v1/sync/push", json={"changes": [change(body)]},  # noqa: E731
                                    headers=bearer(world.tokens["inspector_a"])).json["results"][0]
    fail = inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation", conclusion="fail")
    assert push(fail)["status"] == "applied"
    with app.app_context():
        assert _stage(world.ids["unit_a"]) == "profiled"
    ok = inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation", conclusion="pass")
    assert push(ok)["status"] == "applied"
    with app.app_context():
        assert _stage(world.ids["unit_a"]) == "evaluated"


def test_lost_sign_is_replaced_at_once_and_the_shop_keeps_a_sign(app, client, world):
    """Bullet 2: 标识遗失或损毁 → a new sign at once; the old code shows 已更换, the new one 有效."""
    with app.app_context():
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="sign_posted")
        old = db.session.scalar(sa.select(Sign))
        old_id, old_token = old.id, old.token
        db.session.commit()
    r = client.post(f"/api/v1/signs/{old_id}/revoke", json={"reason": "lost_damaged"},
                    headers=bearer(world.tokens["admin_a"]))
    assert r.status_code == 200 and r.json["id"] != old_id and r.json["status"] == "issued"
    with app.app_context():
        new = _get(Sign, r.json["id"])
        assert _get(Sign, old_id).status == "replaced" and _get(Sign, old_id).replaced_by_id == new.id
        assert _stage(world.ids["unit_a"]) == "sign_issued"  # the new sign is to be posted
        new_token = new.token
    assert "已更换" in client.get(f"/s/{old_token}").get_data(as_text=True)
    assert "本标识真实有效" in client.get(f"/s/{new_token}").get_data(as_text=True)


def test_revoked_for_violation_leaves_the_certified_count(app, client, world):
    """Bullet 3."""
    with app.app_context():
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="sign_issued")
        sid = db.session.scalar(sa.select(Sign.id))
        db.session.commit()
        assert _certified(_get(User, world.ids["county_admin"])) == 1
    r = client.post(f"/api/v1/signs/{sid}/revoke", json={"reason": "violations", "note": "售假"},
                    headers=bearer(world.tokens["admin_a"]))
    assert r.status_code == 200
    board = client.get(f"/api/v1/dashboard?year={YEAR}", headers=bearer(world.tokens["county_admin"])).json
    assert sum(c["stages"]["sign_issued"] + c["stages"]["sign_posted"] for c in board["total"].values()) == 0
    with app.app_context():
        uy = db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == world.ids["unit_a"]))
        assert (uy.stage, uy.removal_reason) == ("removed", "violations")


def test_closed_or_deregistered_unit_keeps_no_sign_and_is_not_printed(app, client, world, runner, tmp_path):
    """Bullet 4, and `flask signs render` refusing a revoked sign (bullet 10)."""
    with app.app_context():
        for key, admin in (("unit_a", "admin_a"), ("unit_b", "admin_b")):
            certify(_get(User, world.ids[admin]), _get(Unit, world.ids[key]), to="sign_posted")
        db.session.commit()
        token = db.session.scalar(sa.select(Sign.token).where(Sign.unit_id == world.ids["unit_a"]))
        serial = db.session.scalar(sa.select(Sign.serial).where(Sign.unit_id == world.ids["unit_a"]))
    for status in ("deregistered",):
        r = client.patch(f"/api/v1/units/{world.ids['unit_a']}", json={"version": 1, "business_status": status},
                         headers=bearer(world.tokens["inspector_a"]))
        assert r.status_code == 200, r.json
    body = client.get(f"/s/{token}").get_data(as_text=True)
    assert "已撤销" in body and "歇业关闭" in body
    with app.app_context():
        assert _stage(world.ids["unit_a"]) == "removed"
        from server.signage.printing import batch_specs
        assert batch_specs(world.ids["a"], YEAR) == []
    r = runner.invoke(args=["signs", "render", serial, "--out", str(tmp_path / "x.png")])
    assert r.exit_code != 0 and "已撤销或已更换" in r.output and not (tmp_path / "x.png").exists()
    # 歇业关闭 the same way, through the admin's edit
    with app.app_context():
        version = _get(Unit, world.ids["unit_b"]).version
    r = client.patch(f"/api/v1/units/{world.ids['unit_b']}", json={"version": version, "business_status": "closed"},
                     headers=bearer(world.tokens["admin_b"]))
    assert r.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Sign).where(Sign.status == "issued")) == 0


def test_moved_unit_takes_its_signs_tasks_and_rectifications(app, client, world, checklist):  # noqa: F811
    """Bullet 5: the new station sees, replaces and revokes the sign; the old one no longer can."""
    with app.app_context():
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="sign_issued")
        sid = db.session.scalar(sa.select(Sign.id))
        db.session.commit()
    body = inspection_body(world.ids["unit_a"], checklist, conclusion="rectify",
                           rectifications=[{"demand": "补齐价签", "due_date": "2023-09-10"}])
    assert client.post("/api/v1/sync/push", json={"changes": [change(body)]},
                       headers=bearer(world.tokens["inspector_a"])).json["results"][0]["status"] == "applied"
    r = client.patch(f"/api/v1/units/{world.ids['unit_a']}", json={"version": 1, "station_id": world.ids["b"]},
                     headers=bearer(world.tokens["county_admin"]))
    assert r.status_code == 200, r.json
    a, b = bearer(world.tokens["admin_a"]), bearer(world.tokens["admin_b"])
    assert client.get(f"/api/v1/signs/{sid}", headers=a).status_code == 404
    assert client.get(f"/api/v1/signs/{sid}", headers=b).status_code == 200
    assert client.post(f"/api/v1/signs/{sid}/replace", json={}, headers=a).status_code == 404
    new = client.post(f"/api/v1/signs/{sid}/replace", json={}, headers=b)
    assert new.status_code == 201 and new.json["station_id"] == world.ids["b"]
    with app.app_context():
        task = db.session.scalar(sa.select(VisitTask).where(VisitTask.status == "open"))
        assert task.station_id == world.ids["b"] and task.assignee_id is None
        assert db.session.scalar(sa.select(Rectification.station_id)) == world.ids["b"]
        from server.integrity.service import check
        assert check() == []


def test_a_tasks_inspection_counts_for_the_tasks_year(app, client, world, checklist):  # noqa: F811
    """Bullet 7 (item 4): a 2023 post-evaluation task done in 2024 counts for 2023; without a task, the year
    chosen on the phone, by default the current programme year."""
    with app.app_context():
        admin = _get(User, world.ids["admin_a"])
        certify(admin, _get(Unit, world.ids["unit_a"]), to="profiled")
        from server.visit.service import create_task
        task = create_task(admin, unit_id=world.ids["unit_a"], kind="post_evaluation", due_date=date(2023, 12, 20),
                           assignee_id=world.ids["inspector_a"], year=YEAR)
        task_id = task.id
        db.session.commit()
    body = inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation", task_id=task_id, year=None,
                           started=datetime(2024, 1, 5, 2, 0))
    r = client.post("/api/v1/sync/push", json={"changes": [change(body)]}, headers=bearer(world.tokens["inspector_a"]))
    assert r.json["results"][0]["status"] == "applied", r.json
    with app.app_context():
        assert _stage(world.ids["unit_a"]) == "evaluated"
        from server.inspection.models import Inspection
        from server.station.service import current_programme_year
        assert db.session.scalar(sa.select(Inspection.year)) == YEAR
    free = inspection_body(world.ids["unit_b"], checklist, year=None)
    client.post("/api/v1/sync/push", json={"changes": [change(free)]}, headers=bearer(world.tokens["inspector_b"]))
    with app.app_context():
        assert db.session.scalar(sa.select(Inspection.year).where(Inspection.unit_id == world.ids["unit_b"])) \
            == current_programme_year()


def test_milestone_columns_count_as_of_their_dates(app, world):
    """Bullet 8 (item 5): a unit posted after 30 November is not counted on 30 November; the county admin
    moves the date and the column follows."""
    with app.app_context():
        county = _get(User, world.ids["county_admin"])
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="sign_posted")
        certify(_get(User, world.ids["admin_b"]), _get(Unit, world.ids["unit_b"]), to="sign_posted")
        # unit a's steps were all taken in October; unit b's today (years later)
        for e in db.session.scalars(sa.select(LifecycleEvent).where(LifecycleEvent.unit_id == world.ids["unit_a"])):
            e.at = datetime(YEAR, 10, 1, 2, 0)
        db.session.commit()
        posted = dashboard(county, YEAR, on=date(YEAR + 3, 1, 1))["deadlines"][1]
        assert posted["due"] == date(YEAR, 11, 30) and posted["as_of_due"]
        assert (posted["done"], posted["today"]) == (1, 2)
        before = dashboard(county, YEAR, on=date(YEAR, 11, 1))["deadlines"][1]
        assert not before["as_of_due"] and before["done"] == 2  # the date has not come: today's count
        set_milestones(county, YEAR, date(YEAR, 6, 30), date(YEAR, 9, 30))
        db.session.commit()
        posted = dashboard(county, YEAR, on=date(YEAR + 3, 1, 1))["deadlines"][1]
        assert posted["due"] == date(YEAR, 9, 30) and posted["done"] == 0


def test_milestone_dates_are_the_county_admins(app, client, world):
    with app.app_context():
        from server.core.errors import Forbidden, Invalid
        import pytest
        with pytest.raises(Forbidden):
            set_milestones(_get(User, world.ids["admin_a"]), YEAR, date(YEAR, 6, 30), date(YEAR, 11, 30))
        with pytest.raises(Invalid) as err:
            set_milestones(_get(User, world.ids["county_admin"]), YEAR, date(YEAR, 6, 30), date(YEAR + 1, 1, 1))
        assert "evaluation_due" in err.value.fields


def test_county_admin_steps_back_with_a_reason(app, client, world):
    with app.app_context():
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="sign_posted")
        db.session.commit()
    unit = world.ids["unit_a"]
    login(client, "a_admin")
    assert client.post(f"/units/{unit}/step-back", data={"year": YEAR, "to_stage": "profiled",
                                                          "note": "误操作"}).status_code == 403
    login(client, "admin")
    r = client.post(f"/units/{unit}/step-back", data={"year": YEAR, "to_stage": "profiled"})
    assert r.status_code == 422 and "退回须填写原因" in r.get_data(as_text=True)
    r = client.post(f"/units/{unit}/step-back", data={"year": YEAR, "to_stage": "profiled", "note": "后评价结论录错"})
    assert r.status_code == 303, r.get_data(as_text=True)[-3000:]
    with app.app_context():
        assert _stage(unit) == "profiled"
        assert db.session.scalar(sa.select(Sign.status)) == "revoked"
        last = db.session.scalars(sa.select(LifecycleEvent).order_by(LifecycleEvent.id.desc())).first()
        assert (last.to_stage, last.note, last.evidence_type) == ("profiled", "后评价结论录错", "step_back")
    page = client.get(f"/units/{unit}?year={YEAR}").get_data(as_text=True)
    assert "后评价结论录错" in page and "县局退回" in page


def test_a_closed_unit_in_two_years_is_removed_once_and_can_be_stepped_back(app, world):
    """Found by the stateful test: a unit certified in the second year and in the pool in the first was
    removed twice when it closed (the first year's removal took the second year out with its sign, then the
    closure removed it again, 已移出 → 已移出), and the county admin's step back then failed (500)."""
    from server.core.errors import Invalid
    from server.unit import lifecycle
    from server.unit.service import update_unit
    with app.app_context():
        admin, county = _get(User, world.ids["admin_a"]), _get(User, world.ids["county_admin"])
        unit = _get(Unit, world.ids["unit_a"])
        certify(admin, unit, YEAR + 1, to="sign_issued")
        db.session.commit()
        assert _stage(unit.id, YEAR) == "pool"
        update_unit(admin, unit.id, {"business_status": "deregistered"}, base_version=unit.version)
        db.session.commit()
        removals = db.session.scalars(sa.select(LifecycleEvent).where(
            LifecycleEvent.unit_id == unit.id, LifecycleEvent.to_stage == "removed")).all()
        assert sorted((e.year, e.from_stage) for e in removals) == [(YEAR, "pool"), (YEAR + 1, "sign_issued")]
        with pytest.raises(Invalid):  # still deregistered: no step back
            lifecycle.step_back(county, unit, YEAR + 1, "evaluated", "注销登记有误")
        update_unit(admin, unit.id, {"business_status": "open"}, base_version=unit.version)
        lifecycle.step_back(county, unit, YEAR + 1, "evaluated", "注销登记有误")
        db.session.commit()
        assert _stage(unit.id, YEAR + 1) == "evaluated"


def test_integrity_check_lists_contradictions_and_exits_non_zero(app, runner, world):
    with app.app_context():
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="sign_issued")
        db.session.commit()
    r = runner.invoke(args=["integrity", "check", "--year", str(YEAR)])
    assert r.exit_code == 0 and "未发现不一致" in r.output, r.output
    with app.app_context():  # the old bug: a stage moved without its sign, a sign left with the old station
        db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == world.ids["unit_b"])).stage = "sign_posted"
        db.session.scalar(sa.select(Sign)).station_id = world.ids["b"]
        db.session.commit()
    r = runner.invoke(args=["integrity", "check"])
    assert r.exit_code == 1
    for words in ("已认定单位没有恰好一块本年度有效标识", "标识、任务或整改不在单位所属的所（分局）",
                  "年度环节与环节记录不一致", "后评价通过及以后环节缺少合格的后评价记录", "驾驶舱统计"):
        assert words in r.output, r.output


def test_the_units_whole_story_on_one_page(app, client, world, checklist):  # noqa: F811
    """Item 6: its years and stages with the evidence of each step, its signs and their history, inspections,
    rectifications, recorded evaluations, consumers' evaluations and complaints."""
    with app.app_context():
        certify(_get(User, world.ids["admin_a"]), _get(Unit, world.ids["unit_a"]), to="sign_posted")
        sid = db.session.scalar(sa.select(Sign.id))
        serial = db.session.scalar(sa.select(Sign.serial))
        db.session.commit()
    body = inspection_body(world.ids["unit_a"], checklist, conclusion="rectify",
                           rectifications=[{"demand": "补齐价签", "due_date": "2023-09-10"}])
    client.post("/api/v1/sync/push", json={"changes": [change(body)]}, headers=bearer(world.tokens["inspector_a"]))
    client.post(f"/api/v1/signs/{sid}/revoke", json={"reason": "lost_damaged"}, headers=bearer(world.tokens["admin_a"]))
    login(client, "a_admin")
    page = client.get(f"/units/{world.ids['unit_a']}?year={YEAR}").get_data(as_text=True)
    for words in (serial, "已更换", "有效期至", "限期整改", "补齐价签", "后评〔2023〕", ">后评价结果登记</a>",
                  ">标识</a>", ">张贴确认</a>", f"/signs/{sid}", "#evaluation-", "暂无投诉举报"):
        assert words in page, words
