"""What a submitted inspection does: tasks, rectifications, the unit's lifecycle, flags, corrections."""
from datetime import timedelta

import sqlalchemy as sa

from server.checklist.models import ChecklistVersion
from server.extensions import db
from server.inspection.models import Inspection, Rectification, UnitFlag
from server.unit.models import LifecycleEvent, UnitYear
from server.visit.models import VisitTask
from tests.conftest import YEAR, bearer
from tests.sync.conftest import change, due, inspection_body


def push(client, token, *bodies):
    r = client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": [change(b) for b in bodies]})
    return r.get_json()["results"]


def _stage(app, unit_id):
    with app.app_context():
        return db.session.scalar(sa.select(UnitYear.stage).where(UnitYear.unit_id == unit_id, UnitYear.year == YEAR))


def _set_stage(app, unit_id, stage):
    with app.app_context():
        db.session.execute(sa.update(UnitYear).where(UnitYear.unit_id == unit_id).values(stage=stage))
        db.session.commit()


def test_passed_post_evaluation_moves_the_unit_and_closes_the_task(client, world, checklist, app):
    _set_stage(app, world.ids["unit_a"], "profiled")
    task = client.post("/api/v1/tasks", headers=bearer(world.tokens["admin_a"]),
                       json={"unit_id": world.ids["unit_a"], "kind": "post_evaluation", "due_date": due(10),
                             "assignee_id": world.ids["inspector_a"]}).get_json()
    r = push(client, world.tokens["inspector_a"],
             inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation", task_id=task["id"]))
    assert r[0]["status"] == "applied"
    assert _stage(app, world.ids["unit_a"]) == "evaluated"
    with app.app_context():
        t = db.session.get(VisitTask, task["id"])
        assert t.status == "done" and t.done_inspection_id == r[0]["record"]["id"]
        ev = db.session.scalars(sa.select(LifecycleEvent).where(LifecycleEvent.to_stage == "evaluated")).one()
        assert ev.user_id == world.ids["inspector_a"] and "后评价合格" in ev.note


def test_a_failed_post_evaluation_does_not_move_the_unit(client, world, checklist, app):
    _set_stage(app, world.ids["unit_a"], "profiled")
    push(client, world.tokens["inspector_a"],
         inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation", conclusion="fail",
                         fail_items=["pricing.have"]))
    assert _stage(app, world.ids["unit_a"]) == "profiled"


def test_rectification_demands_make_follow_up_tasks_and_a_passing_follow_up_closes_them(client, world, checklist, app):
    body = inspection_body(world.ids["unit_a"], checklist, conclusion="rectify", fail_items=["pricing.have"],
                           rectifications=[{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)}])
    r = push(client, world.tokens["inspector_a"], body)
    assert r[0]["status"] == "applied"
    with app.app_context():
        rect = db.session.scalars(sa.select(Rectification)).one()
        follow = db.session.get(VisitTask, rect.follow_up_task_id)
        assert (follow.kind, follow.due_date.isoformat(), follow.assignee_id, follow.note) == \
            ("rectification", due(7), world.ids["inspector_a"], "补齐价签")
        follow_id = follow.id
    push(client, world.tokens["inspector_a"],
         inspection_body(world.ids["unit_a"], checklist, kind="rectification", task_id=follow_id))
    with app.app_context():
        assert db.session.scalars(sa.select(Rectification.status)).one() == "closed"
        assert db.session.get(VisitTask, follow_id).status == "done"


def test_bad_inspections_are_refused_with_reasons(client, world, checklist):
    body = inspection_body(world.ids["unit_a"], checklist, conclusion="rectify", fail_items=["pricing.have"])
    body["answers"] = body["answers"][1:]  # one item not answered
    next(a for a in body["answers"] if a["item_code"] == "pricing.have")["note"] = ""  # failed, no note
    body["lat"] = None                     # no GPS and no reason
    body["ended_at"] = "2023-09-01T01:00:00+00:00"
    r = push(client, world.tokens["inspector_a"], body)[0]
    assert r["status"] == "invalid"
    f = r["fields"]
    assert f["answers"][0] == "须逐项填写检查表的每一项，且每项只填一次"
    assert "“有明码标价”不符合时须填写说明" in f["answers"]
    assert f["gps_missing_reason"] == ["没有定位时须说明原因"]
    assert f["rectifications"] == ["限期整改须至少提出一项整改要求"]
    assert f["ended_at"] == ["结束时间不能早于开始时间"]


def test_a_second_failure_in_a_year_flags_the_unit_for_removal(client, world, checklist, app):
    fail = dict(conclusion="fail", fail_items=["quality.have"])
    push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist, **fail))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitFlag)) == 0
    push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist, **fail))
    with app.app_context():
        flag = db.session.scalars(sa.select(UnitFlag)).one()
        assert flag.kind == "repeat_failure" and flag.station_id == world.ids["a"] and "第2次" in flag.note


def test_a_correction_supersedes_and_both_are_kept(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="rectify", fail_items=["pricing.have"],
                            rectifications=[{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)}])
    push(client, world.tokens["inspector_a"], first)
    fix = inspection_body(world.ids["unit_a"], checklist, conclusion="pass", supersedes=first["client_id"])
    assert push(client, world.tokens["inspector_a"], fix)[0]["status"] == "applied"
    with app.app_context():
        both = db.session.scalars(sa.select(Inspection).order_by(Inspection.id)).all()
        assert [i.conclusion for i in both] == ["rectify", "pass"]
        assert both[1].supersedes_id == both[0].id
        assert db.session.scalars(sa.select(Rectification.status)).one() == "superseded"
        assert db.session.scalars(sa.select(VisitTask.status)).one() == "cancelled"
    again = inspection_body(world.ids["unit_a"], checklist, supersedes=first["client_id"])
    r = push(client, world.tokens["inspector_a"], again)[0]
    assert r["status"] == "conflict" and "已被更正" in r["message"]


def test_template_versions_never_change_once_published(client, world, checklist, app):
    admin = bearer(world.tokens["county_admin"])
    templates = client.get("/api/v1/checklists", headers=admin).get_json()
    v1 = client.get(f"/api/v1/checklists/versions/{checklist}", headers=admin).get_json()
    items = v1["items"] + [{"code": "x.return_notice", "text": "公示退货承诺", "group": "x", "photo_on_fail": True}]
    r = client.post(f"/api/v1/checklists/{templates[0]['id']}/versions", headers=admin, json={"items": items})
    assert r.status_code == 201 and r.get_json()["number"] == 2
    assert client.get(f"/api/v1/checklists/versions/{checklist}", headers=admin).get_json()["items"] == v1["items"]
    # an inspection answering version 1 is still valid and shows version 1's items
    r = push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist))[0]
    assert r["status"] == "applied"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChecklistVersion)) == 2
    # station admins may not edit templates; duplicate codes are refused
    r = client.post(f"/api/v1/checklists/{templates[0]['id']}/versions", headers=bearer(world.tokens["admin_a"]),
                    json={"items": items})
    assert r.status_code == 403
    r = client.post(f"/api/v1/checklists/{templates[0]['id']}/versions", headers=admin, json={"items": items + items[:1]})
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["items"] == ["检查项编码不能重复"]


def test_bulk_assignment_spreads_units_awaiting_post_evaluation(client, world, app):
    with app.app_context():
        from server.unit.models import Unit
        for n in range(5):
            u = Unit(county_id=world.ids["county"], station_id=world.ids["a"], name=f"待评{n}", uscc=f"Y{n:017d}",
                     address="x", type="general")
            db.session.add(u)
            db.session.flush()
            db.session.add(UnitYear(unit_id=u.id, year=YEAR, stage="profiled"))
        from server.account.models import User
        second = User(username="a_insp2", name="二号", role="inspector", county_id=world.ids["county"],
                      station_id=world.ids["a"], password_hash="x")
        db.session.add(second)
        db.session.commit()
        second_id = second.id
    admin = bearer(world.tokens["admin_a"])
    body = {"kind": "post_evaluation", "due_date": "2023-11-20", "year": YEAR,
            "inspector_ids": [world.ids["inspector_a"], second_id]}
    r = client.post("/api/v1/tasks/bulk", headers=admin, json=body)
    assert r.status_code == 201
    tasks = r.get_json()
    assert len(tasks) == 5
    assert sorted([t["assignee_id"] for t in tasks].count(x) for x in (world.ids["inspector_a"], second_id)) == [2, 3]
    # the same units are not assigned twice
    r = client.post("/api/v1/tasks/bulk", headers=admin, json=body)
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["unit_ids"] == ["没有可分配的单位"]
    # an inspector of another station cannot be chosen
    r = client.post("/api/v1/tasks/bulk", headers=admin,
                    json={**body, "unit_ids": [world.ids["unit_a"]], "inspector_ids": [world.ids["inspector_b"]]})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitTask)) == 5


def test_the_most_specific_template_is_chosen(ctx, world):
    from server.checklist.service import base_items, create_template, version_for_unit
    from server.demo.loader import checklist_base
    base = base_items(checklist_base())
    c = world.ids["county"]
    create_template(c, "base", "基本", None, base)
    nrr = create_template(c, "nrr", "无理由退货", "no_reason_return", base + [{"code": "x.r", "text": "退货"}])
    food = create_template(c, "food", "餐饮", None, base + [{"code": "x.f", "text": "明厨亮灶"}], industry="餐饮")
    assert version_for_unit(c, "general", "餐饮").template_id == food.id
    assert version_for_unit(c, "no_reason_return", "服装").template_id == nrr.id
    assert version_for_unit(c, "general", "服装").template.code == "base"


def test_correcting_a_failure_withdraws_the_removal_flag(client, world, checklist, app):
    fail = dict(conclusion="fail", fail_items=["quality.have"])
    push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist, **fail))
    second = inspection_body(world.ids["unit_a"], checklist, **fail)
    push(client, world.tokens["inspector_a"], second)
    with app.app_context():
        assert db.session.scalars(sa.select(UnitFlag.resolved_at)).one() is None
    fix = inspection_body(world.ids["unit_a"], checklist, supersedes=second["client_id"])
    assert push(client, world.tokens["inspector_a"], fix)[0]["status"] == "applied"
    with app.app_context():
        flag = db.session.scalars(sa.select(UnitFlag)).one()
        assert flag.resolved_at is not None and "更正" in flag.note


def test_three_demands_make_one_follow_up_and_the_revisit_closes_each_it_checked(client, world, checklist, app):
    # Given an inspection with three demands due the same day, two tied to items
    rects = [{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)},
             {"item_code": "license.have", "demand": "亮照经营", "due_date": due(7)},
             {"item_code": None, "demand": "整理消费提示", "due_date": due(7)}]
    push(client, world.tokens["inspector_a"], inspection_body(
        world.ids["unit_a"], checklist, conclusion="rectify", fail_items=["pricing.have", "license.have"],
        rectifications=rects))
    # Then one follow-up visit gathers all three
    with app.app_context():
        tasks = {r.follow_up_task_id for r in db.session.scalars(sa.select(Rectification))}
        assert len(tasks) == 1
        [follow_id] = tasks
        note = db.session.get(VisitTask, follow_id).note
        assert "补齐价签" in note and "亮照经营" in note and "整理消费提示" in note
    # When the re-inspection finds prices fixed but the licence still missing
    push(client, world.tokens["inspector_a"], inspection_body(
        world.ids["unit_a"], checklist, kind="rectification", task_id=follow_id, conclusion="rectify",
        fail_items=["license.have"], rectifications=[{"item_code": "license.have", "demand": "亮照经营", "due_date": due(10)}]))
    # Then only the demand whose item now complies is closed, item by item
    with app.app_context():
        status = {r.demand + r.due_date.isoformat(): r.status for r in db.session.scalars(sa.select(Rectification))}
        assert status == {"补齐价签" + due(7): "closed", "亮照经营" + due(7): "open", "整理消费提示" + due(7): "open",
                          "亮照经营" + due(10): "open"}


def test_a_rectification_closed_on_the_server_reaches_the_phone(client, world, checklist, app):
    from tests.conftest import bearer
    token = world.tokens["inspector_a"]
    push(client, token, inspection_body(world.ids["unit_a"], checklist, conclusion="rectify", fail_items=["pricing.have"],
                                        rectifications=[{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)}]))
    cursor = client.get("/api/v1/sync/pull?cursor=0", headers=bearer(token)).get_json()["cursor"]
    with app.app_context():
        follow_id = db.session.scalars(sa.select(Rectification.follow_up_task_id)).one()
    push(client, token, inspection_body(world.ids["unit_a"], checklist, kind="rectification", task_id=follow_id))
    page = client.get(f"/api/v1/sync/pull?cursor={cursor}", headers=bearer(token)).get_json()
    first = [i for i in page["records"]["inspection"] if i["conclusion"] == "rectify"]
    assert first and first[0]["rectifications"][0]["status"] == "closed"


def test_who_may_correct_and_until_when(client, world, checklist, app):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="fail", fail_items=["pricing.have"])
    push(client, world.tokens["inspector_a"], first)
    # Another inspector may not correct it
    with app.app_context():
        from server.account.models import User
        db.session.get(User, world.ids["inspector_b"]).station_id = world.ids["a"]
        db.session.commit()
    r = push(client, world.tokens["inspector_b"], inspection_body(world.ids["unit_a"], checklist, supersedes=first["client_id"]))[0]
    assert r["status"] == "invalid" and "本人提交" in r["message"]
    # Past the period its own inspector may not either; the station admin still may
    with app.app_context():
        insp = db.session.scalars(sa.select(Inspection)).one()
        insp.submitted_at -= timedelta(days=app.config["CORRECTION_DAYS"] + 1)
        db.session.commit()
    r = push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist, supersedes=first["client_id"]))[0]
    assert r["status"] == "invalid" and "由所里更正" in r["message"]
    r = push(client, world.tokens["admin_a"], inspection_body(world.ids["unit_a"], checklist, supersedes=first["client_id"]))[0]
    assert r["status"] == "applied", r
