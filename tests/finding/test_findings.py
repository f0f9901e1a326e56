"""Assessment findings: an import with bad rows, demands and follow-ups, closure by re-inspection, the
unmatched ones decided by the county, progress in the patrol and the bulletin."""
import io
from datetime import date, timedelta

import sqlalchemy as sa
from openpyxl import Workbook

from server.core.clock import today
from server.extensions import db
from server.finding.models import Finding
from server.inspection.models import Rectification
from server.visit.models import VisitTask
from tests.admin.test_inspections import push
from tests.conftest import login, valid_uscc
from tests.sync.conftest import checklist, inspection_body  # noqa: F401

HEAD = ["单位名称", "统一社会信用代码", "问题描述", "八有八无", "照片文件名", "发现日期", "整改期限"]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    wb.active.append(HEAD)
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, content, *, confirm=False, source="third_party", due=None, name="findings.xlsx"):
    data = {"source": source, "file": (io.BytesIO(content), name)}
    if due:
        data["due_date"] = due
    if confirm:
        data["confirm"] = "1"
    return client.post("/findings/import", data=data, content_type="multipart/form-data")


def _good_rows():
    found = (today() - timedelta(days=3)).isoformat()
    return [
        ["五云放心超市", "", "价签与收银价格不一致", "无价格欺诈", "IMG_001.jpg；IMG_002.jpg", found, ""],
        ["", valid_uscc(2), "未公示投诉电话", "7", "", found, ""],
        ["外县某某店", "", "现场无人接待", "有放心消费", "", found, ""],
    ]


def test_bad_rows_are_each_named_and_nothing_is_kept(client, world, checklist):
    login(client, "admin")
    found = (today() - timedelta(days=3)).isoformat()
    rows = _good_rows() + [
        ["", "", "没有单位", "", "", found, ""],
        ["五云放心超市", "9.23311E+17", "代码被Excel改了", "", "", found, ""],
        ["五云放心超市", "", "", "第9项", "", "2026/13/40", ""],
        ["五云放心超市", "", "期限早于发现", "", "", found, "2020-01-01"],
    ]
    r = _upload(client, _xlsx(rows), confirm=True, due=(today() + timedelta(days=15)).isoformat())
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "有4行错误，没有导入任何数据" in page
    assert "第5行：须填写单位名称或统一社会信用代码" in page
    assert "第6行：统一社会信用代码“9.23311E+17”是Excel的科学计数法" in page
    assert "第7行：问题描述不能为空；八有八无“第9项”不是基本标准中的一项" in page and "发现日期格式不正确" in page
    assert "第8行：整改期限早于发现日期" in page
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Finding)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Rectification)) == 0


def test_a_form_without_due_date_or_source_is_refused(client, world, checklist):
    login(client, "admin")
    r = _upload(client, _xlsx(_good_rows()), source="nobody")
    assert r.status_code == 422 and "问题来源不正确" in r.get_data(as_text=True)
    r = _upload(client, _xlsx(_good_rows()), confirm=True)
    assert r.status_code == 422 and "第2行：须填写整改期限" in r.get_data(as_text=True)
    login(client, "a_admin")
    assert _upload(client, _xlsx(_good_rows())).status_code == 403


def test_findings_become_demands_with_one_follow_up_and_close_by_re_inspection(client, world, checklist):
    login(client, "admin")
    due = (today() + timedelta(days=15)).isoformat()
    assert _upload(client, _xlsx(_good_rows()), due=due).status_code == 200  # checked only
    r = _upload(client, _xlsx(_good_rows()), due=due, confirm=True)
    assert r.status_code == 303
    with client.application.app_context():
        fs = db.session.scalars(sa.select(Finding).order_by(Finding.row_no)).all()
        assert [(f.unit_id, f.pair_code, f.item_code) for f in fs] == [
            (world.ids["unit_a"], "pricing", "pricing.have_not"), (world.ids["unit_b"], "disputes", None),
            (None, "assurance", "assurance.have")]
        assert fs[0].photos == ["IMG_001.jpg", "IMG_002.jpg"] and fs[2].station_id is None
        rects = db.session.scalars(sa.select(Rectification).order_by(Rectification.id)).all()
        assert [(x.unit_id, x.due_date.isoformat(), x.inspection_id) for x in rects] == [
            (world.ids["unit_a"], due, None), (world.ids["unit_b"], due, None)]
        task = db.session.get(VisitTask, rects[0].follow_up_task_id)
        assert task.kind == "rectification" and task.unit_id == world.ids["unit_a"] and "价签" in task.note
        task_id = task.id
    page = client.get("/findings").get_data(as_text=True)
    assert "1条问题未匹配到本县单位，待县局确定" in page and "整改中" in page
    # The station's phones pull the follow-up visit with the demand in its note.
    from tests.conftest import bearer
    pulled = client.get("/api/v1/sync/pull?cursor=0", headers=bearer(world.tokens["inspector_a"])).get_json()
    tasks = {t["id"]: t for t in pulled["records"]["task"]}
    assert "价签与收银价格不一致" in tasks[task_id]["note"]
    # The patrol names the station's open findings; the re-inspection of the follow-up closes them.
    login(client, "a_admin")
    patrol = client.get(f"/patrol?station_id={world.ids['a']}").get_data(as_text=True)
    assert "第三方、省级评估问题已整改0/1，未整改1" in patrol
    push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist, kind="rectification",
                                                             task_id=task_id))
    patrol = client.get(f"/patrol?station_id={world.ids['a']}").get_data(as_text=True)
    assert "评估问题已整改" not in patrol
    page = client.get("/findings").get_data(as_text=True)
    assert "已整改" in page and "外县某某店" not in page  # a station sees only its own


def test_the_county_decides_an_unmatched_finding(client, world, checklist):
    login(client, "admin")
    due = (today() + timedelta(days=15)).isoformat()
    _upload(client, _xlsx(_good_rows()), due=due, confirm=True)
    with client.application.app_context():
        fid = db.session.scalar(sa.select(Finding.id).where(Finding.unit_id.is_(None)))
    r = client.post(f"/findings/{fid}/decide", data={"not_ours": "1", "note": ""})
    assert r.status_code == 422 and "请填写不予整改的理由" in r.get_data(as_text=True)
    r = client.post(f"/findings/{fid}/decide", data={"unit_id": "abc"})
    assert r.status_code == 422
    r = client.post(f"/findings/{fid}/decide", data={"unit_id": str(world.ids["unit_b"])})
    assert r.status_code == 303
    with client.application.app_context():
        f = db.session.get(Finding, fid)
        assert f.unit_id == world.ids["unit_b"] and f.station_id == world.ids["b"]
        rects = db.session.scalars(sa.select(Rectification).where(Rectification.unit_id == world.ids["unit_b"])).all()
        # Both findings on unit b, same due date: two demands, one follow-up visit.
        assert len(rects) == 2 and len({x.follow_up_task_id for x in rects}) == 1
    r = client.post(f"/findings/{fid}/decide", data={"not_ours": "1", "note": "外县"})
    assert r.status_code == 422 and "该问题已处理" in r.get_data(as_text=True)


def test_the_bulletin_counts_findings_per_station(client, world, checklist):
    login(client, "admin")
    _upload(client, _xlsx(_good_rows()), due=(today() + timedelta(days=15)).isoformat(), confirm=True)
    with client.application.app_context():
        from server.account.models import User
        from server.rhythm.bulletin import compute
        month = today().strftime("%Y-%m")
        data = compute(db.session.get(User, world.ids["county_admin"]), month)
    rows = data["findings"]["rows"]
    assert rows[0] == ["五云所", 1, 0, 1, 0, "0%"] and rows[2] == ["全县", 2, 0, 2, 0, "0%"]
    assert rows[3][0] == "另有1条问题未匹配到本县单位，待县局确定"


def test_csv_in_gb18030_with_a_duplicate_name(client, world, checklist, app):
    with app.app_context():
        from server.unit.models import Unit
        db.session.add(Unit(county_id=world.ids["county"], station_id=world.ids["b"], name="五云放心超市",
                            uscc=valid_uscc(77), address="壶镇路1号", type="general"))
        db.session.commit()
    login(client, "admin")
    found = (today() - timedelta(days=1)).isoformat()
    text = ",".join(HEAD) + "\n" + f"五云放心超市,,价签不符,5,,{found},{(today() + timedelta(days=9)).isoformat()}\n"
    r = _upload(client, text.encode("gb18030"), name="f.csv")
    assert r.status_code == 422 and "第2行：本县有2家名为“五云放心超市”的单位，请填写统一社会信用代码" in r.get_data(as_text=True)
    assert date.today()  # the clock helper and the system date agree on a day near now


def test_an_overdue_finding_counts_as_overdue(client, world, checklist):
    login(client, "admin")
    rows = [["五云放心超市", "", "未明码标价", "5", "", (today() - timedelta(days=10)).isoformat(),
             (today() - timedelta(days=2)).isoformat()]]
    assert _upload(client, _xlsx(rows), confirm=True).status_code == 303
    page = client.get("/findings").get_data(as_text=True)
    assert "整改逾期" in page
    with client.application.app_context():
        from server.finding.service import progress
        assert progress(world.ids["county"], [world.ids["a"]])[world.ids["a"]] == \
            {"total": 1, "closed": 0, "open": 1, "overdue": 1}
