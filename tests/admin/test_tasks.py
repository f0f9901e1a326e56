"""Task pages: the station's list, one new task, bulk assignment with a confirmation, reassign / move / cancel."""
import re
from datetime import date

import sqlalchemy as sa

from server.account.models import User
from server.extensions import db
from server.unit.models import Unit, UnitYear
from server.visit.models import VisitTask
from tests.conftest import YEAR


def _task(app, world, station="a", **kw) -> int:
    with app.app_context():
        t = VisitTask(county_id=world.ids["county"], station_id=world.ids[station], unit_id=world.ids[f"unit_{station}"],
                      kind=kw.get("kind", "service_visit"), due_date=kw.get("due", date(2023, 10, 1)), year=YEAR,
                      assignee_id=kw.get("assignee"), note=kw.get("note", ""))
        db.session.add(t)
        db.session.commit()
        return t.id


def _profiled_units(app, world, n: int) -> list[int]:
    """n more units of station A entered for the year; and a second inspector of station A."""
    with app.app_context():
        ids = []
        for k in range(n):
            u = Unit(county_id=world.ids["county"], station_id=world.ids["a"], name=f"待评单位{k}", uscc=f"Y{k:017d}",
                     address="五云路", type="general")
            db.session.add(u)
            db.session.flush()
            db.session.add(UnitYear(unit_id=u.id, year=YEAR, stage="profiled"))
            ids.append(u.id)
        second = User(username="a_insp2", name="二号", role="inspector", county_id=world.ids["county"],
                      station_id=world.ids["a"], password_hash="x")
        db.session.add(second)
        db.session.commit()
        world.ids["inspector_a2"] = second.id
        return ids


def test_list_overdue_first_with_filters_and_scope(app, world, as_user):
    late = _task(app, world, due=date(2020, 1, 1), note="早该去了", assignee=world.ids["inspector_a"])
    _task(app, world, due=date(2099, 1, 1), kind="sign_check", note="以后再去")
    other = _task(app, world, station="b", note="壶镇的任务")
    c = as_user("a_admin")
    page = c.get("/tasks").get_data(as_text=True)
    assert "五云放心超市" in page and "壶镇的任务" not in page and "共 2 个" in page
    assert page.index("早该去了") < page.index("以后再去") and "逾期" in page and "三服务走访" in page
    assert "以后再去" not in c.get("/tasks?kind=service_visit").get_data(as_text=True)
    assert "以后再去" not in c.get(f"/tasks?assignee_id={world.ids['inspector_a']}").get_data(as_text=True)
    assert "没有符合条件的任务" in c.get("/tasks?status=done").get_data(as_text=True)
    assert "壶镇的任务" not in c.get(f"/tasks?station_id={world.ids['b']}").get_data(as_text=True)
    assert c.get(f"/tasks/{other}").status_code == 404
    assert c.post(f"/tasks/{other}", data={"status": "cancelled"}).status_code == 404
    assert "早该去了" in c.get(f"/tasks/{late}").get_data(as_text=True)


def test_county_admin_filters_by_station(app, world, as_user):
    _task(app, world, note="五云的任务")
    _task(app, world, station="b", note="壶镇的任务")
    c = as_user("admin")
    page = c.get("/tasks").get_data(as_text=True)
    assert "五云的任务" in page and "壶镇的任务" in page
    page = c.get(f"/tasks?station_id={world.ids['b']}").get_data(as_text=True)
    assert "五云的任务" not in page and "壶镇的任务" in page


def test_create_one_task_from_a_unit(world, as_user, count):
    c = as_user("a_admin")
    page = c.get("/tasks/new?q=放心").get_data(as_text=True)
    assert f"/tasks/new?unit_id={world.ids['unit_a']}" in page and "壶镇" not in page
    assert c.get(f"/tasks/new?unit_id={world.ids['unit_b']}").status_code == 404
    page = c.get(f"/tasks/new?unit_id={world.ids['unit_a']}").get_data(as_text=True)
    assert "五云放心超市" in page and "a_insp" in page and "后评价" in page
    r = c.post("/tasks/new", data={"unit_id": world.ids["unit_a"], "kind": "service_visit", "due_date": "2023-13-01"})
    assert r.status_code == 422 and "日期格式不正确" in r.get_data(as_text=True) and count(VisitTask) == 0
    r = c.post("/tasks/new", data={"unit_id": world.ids["unit_a"], "kind": "service_visit", "due_date": "2023-11-01",
                                   "assignee_id": world.ids["inspector_b"]})
    assert r.status_code == 422 and "执行人须为本所（分局）在岗人员" in r.get_data(as_text=True) and count(VisitTask) == 0
    r = c.post("/tasks/new", data={"unit_id": world.ids["unit_a"], "kind": "service_visit", "due_date": "2023-11-01",
                                   "assignee_id": world.ids["inspector_a"], "note": "节前走访"})
    assert r.status_code == 303
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "已安排“五云放心超市”的三服务走访" in page and "节前走访" in page
    assert count(VisitTask, VisitTask.assignee_id == world.ids["inspector_a"]) == 1


def test_inspectors_do_not_plan(world, as_user):
    c = as_user("a_insp")
    assert c.get("/tasks").status_code == 200
    assert c.get("/tasks/new").status_code == 403
    assert c.get("/tasks/bulk").status_code == 403


def test_bulk_shows_the_count_then_spreads_evenly(app, world, as_user, count):
    _profiled_units(app, world, 6)
    c = as_user("a_admin")
    page = c.get("/tasks/bulk").get_data(as_text=True)
    assert f"{YEAR}年度现有 6 家" in page and "二号" in page
    form = {"kind": "post_evaluation", "due_date": "2023-11-20", "year": YEAR, "source": "awaiting",
            "inspector_ids": [world.ids["inspector_a"], world.ids["inspector_a2"]]}
    r = c.post("/tasks/bulk", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "将为 <strong>6</strong> 家单位" in page and "二号：3 家" in page
    assert count(VisitTask) == 0
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    confirm["inspector_ids"] = form["inspector_ids"]
    r = c.post("/tasks/bulk", data=confirm)
    assert r.status_code == 303 and count(VisitTask) == 6
    assert count(VisitTask, VisitTask.assignee_id == world.ids["inspector_a"]) == 3
    assert count(VisitTask, VisitTask.assignee_id == world.ids["inspector_a2"]) == 3
    assert "已分配 6 个后评价任务给 2 名执行人" in c.get(r.headers["Location"]).get_data(as_text=True)
    # The same units are not offered again.
    r = c.post("/tasks/bulk", data=form)
    assert r.status_code == 422 and "没有可分配的单位" in r.get_data(as_text=True)


def test_bulk_with_pasted_ids(app, world, as_user, count):
    ids = _profiled_units(app, world, 3)
    c = as_user("a_admin")
    form = {"kind": "sign_check", "due_date": "2023-12-01", "year": YEAR, "source": "ids", "confirm": "1",
            "unit_ids": f"{ids[0]}，{ids[1]}\n{ids[0]}", "inspector_ids": [world.ids["inspector_a"]]}
    assert c.post("/tasks/bulk", data=form).status_code == 303
    assert count(VisitTask, VisitTask.kind == "sign_check") == 2


def test_bulk_refuses_bad_input_and_writes_nothing(app, world, as_user, count):
    ids = _profiled_units(app, world, 2)
    c = as_user("a_admin")
    good = {"kind": "post_evaluation", "due_date": "2023-11-20", "year": YEAR, "source": "awaiting", "confirm": "1",
            "inspector_ids": [world.ids["inspector_a"]]}
    cases = [({"inspector_ids": []}, "请至少选择一名执行人"),
             ({"due_date": "2023-02-30"}, "“2023-02-30”不是有效日期"),
             ({"due_date": "1023-02-03"}, "日期应在2000年到2100年之间"),
             ({"due_date": ""}, "请填写完成期限"),
             ({"year": "1900"}, "年份应在2000到2100之间"),
             ({"inspector_ids": [world.ids["inspector_b"]]}, "执行人须为本所（分局）在岗人员"),
             ({"source": "ids", "unit_ids": f"{ids[0]} abc"}, "这些不是单位编号：abc"),
             ({"source": "ids", "unit_ids": f"{ids[0]} 2147483648"}, "这些不是单位编号：2147483648"),
             ({"source": "ids", "unit_ids": f"{ids[0]} {world.ids['unit_b']}"}, f"编号 {world.ids['unit_b']} 不是五云所的单位"),
             ({"source": "ids", "unit_ids": ""}, "没有可分配的单位")]
    for change, message in cases:
        r = c.post("/tasks/bulk", data=good | change)
        assert r.status_code == 422 and message in r.get_data(as_text=True), (change, r.get_data(as_text=True)[-3000:])
    assert count(VisitTask) == 0


def test_county_admin_bulk_chooses_a_station(app, world, as_user, count):
    _profiled_units(app, world, 2)
    c = as_user("admin")
    assert "请选择" in c.get("/tasks/bulk").get_data(as_text=True)
    page = c.get(f"/tasks/bulk?station_id={world.ids['a']}").get_data(as_text=True)
    assert "现有 2 家" in page and "a_insp" in page and "b_insp" not in page
    assert c.get(f"/tasks/bulk?station_id={world.ids['b']}").status_code == 200


def test_reassign_move_and_cancel(app, world, as_user, fetch):
    _profiled_units(app, world, 0)
    tid = _task(app, world, assignee=world.ids["inspector_a"])
    c = as_user("a_admin")
    r = c.post(f"/tasks/{tid}", data={"assignee_id": world.ids["inspector_a2"], "due_date": "2023-12-24"})
    assert r.status_code == 303
    row = fetch(VisitTask, tid)
    assert row["assignee_id"] == world.ids["inspector_a2"] and row["due_date"] == date(2023, 12, 24)
    r = c.post(f"/tasks/{tid}", data={"assignee_id": world.ids["inspector_b"]})
    assert r.status_code == 422 and "执行人须为本所（分局）在岗人员" in r.get_data(as_text=True)
    r = c.post(f"/tasks/{tid}", data={"due_date": "not a date"})
    assert r.status_code == 422 and "日期格式不正确" in r.get_data(as_text=True)
    assert fetch(VisitTask, tid)["due_date"] == date(2023, 12, 24)
    assert c.post(f"/tasks/{tid}", data={"status": "cancelled"}).status_code == 303
    assert fetch(VisitTask, tid)["status"] == "cancelled"
    page = c.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "已取消" in page and "调整任务" not in page
    r = c.post(f"/tasks/{tid}", data={"due_date": "2024-01-01"})
    assert r.status_code == 422 and "只能修改待完成的任务" in r.get_data(as_text=True)


def test_inspector_cannot_change_a_task(app, world, as_user, fetch):
    tid = _task(app, world, assignee=world.ids["inspector_a"])
    c = as_user("a_insp")
    assert "调整任务" not in c.get(f"/tasks/{tid}").get_data(as_text=True)
    assert c.post(f"/tasks/{tid}", data={"status": "cancelled"}).status_code == 403
    assert fetch(VisitTask, tid)["status"] == "open"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitTask)) == 1
