"""Complaints and reports: deadlines, every step, rates on hand-built cases, scope, masking, imports."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from server.account.models import User
from server.complaint import importer, rates, service
from server.core.errors import Invalid, NotFound
from server.extensions import db
from server.feedback.models import Complaint
from server.inspection.models import UnitFlag
from server.workday import seed
from tests.conftest import login, valid_uscc


@pytest.fixture
def cal(ctx):
    seed.seed_calendar()
    seed.seed_rules()
    db.session.commit()


def _u(world, key):
    return db.session.get(User, world.ids[key])


def _new(world, kind="complaint", received=datetime(2026, 9, 29, 2, 0), **kw):
    data = {"kind": kind, "source": "hotline", "description": "买到过期食品", "phone": "13812345678",
            "complainant_name": "张三", "unit_id": world.ids["unit_a"], "received_at": received, **kw}
    return service.intake(_u(world, "admin_a"), data)


def test_a_complaint_through_every_step_with_its_deadlines(cal, world):
    c = _new(world)
    assert c.accept_due == date(2026, 10, 14)  # 7 working days over National Day and the 调休 Saturday
    service.decide(_u(world, "admin_a"), c.id, "accepted", "符合受理条件", on=date(2026, 10, 9))
    assert c.mediation_due == date(2026, 12, 8)  # 60 days: 8 Dec 2026, a Tuesday
    service.record_appraisal(_u(world, "admin_a"), c.id, 10, "质量鉴定")
    assert c.mediation_due == date(2026, 12, 18)
    # Mediation ends in failure: terminated, the parties told within 7 working days (Order No. 121 Art. 23):
    # Tue 3 Nov (1) … Wed 11 Nov (7)
    service.end_mediation(_u(world, "admin_a"), c.id, "failure", date(2026, 11, 2))
    assert c.notice_due == date(2026, 11, 11) and c.status == "mediation_ended"
    service.notify_end(_u(world, "admin_a"), c.id, date(2026, 11, 3))
    assert c.status == "closed" and c.closed_at is not None
    actions = [s.action for s in service.steps(c)]
    assert actions == ["received", "accepted", "appraisal", "mediation_ended", "notified"]
    with pytest.raises(Invalid):
        service.notify_end(_u(world, "admin_a"), c.id, date(2026, 11, 4))


def test_a_successful_mediation_ends_with_an_agreement_not_a_termination_notice(cal, world):
    # Order No. 121 Art. 24: mediation that succeeds gives a mediation agreement; the 7-working-day
    # notice of Art. 23 is for a mediation terminated without one.
    c = _new(world)
    service.decide(_u(world, "admin_a"), c.id, "accepted", on=date(2026, 10, 9))
    service.end_mediation(_u(world, "admin_a"), c.id, "success", date(2026, 11, 2))
    assert c.status == "closed" and c.notice_due is None and c.outcome == "success"
    assert [s.action for s in service.steps(c)][-1] == "agreement"
    assert service.due_items(c) == []


def test_rejection_needs_reasons_and_reports_have_their_own_clock(cal, world):
    c = _new(world)
    with pytest.raises(Invalid):
        service.decide(_u(world, "admin_a"), c.id, "rejected", "  ")
    with pytest.raises(Invalid):
        service.decide(_u(world, "admin_a"), c.id, "case_opened", "x")
    with time_machine.travel(datetime(2026, 12, 21, 1, 0, tzinfo=timezone.utc), tick=False):
        r = _new(world, kind="report", received=datetime(2026, 12, 20, 2, 0))
    # 15 working days (行政处罚程序规定 Art. 18) from Sun 20 Dec 2026 run into January 2027, whose holidays are not
    # yet entered: Dec 21–25 (5), 28–31 (9), Fri 1 Jan statutory New Year's Day off, Jan 4–8 (14), Mon 11 (15)
    assert r.accept_due == date(2027, 1, 11) and r.deadline_uncertain
    service.extend(_u(world, "admin_a"), r.id, "经负责人批准")
    # +15 with approval: Jan 12–15 (19), 18–22 (24), 25–29 (29), Mon 1 Feb (30)
    assert r.accept_due == date(2027, 2, 1)
    with pytest.raises(Invalid):
        service.extend(_u(world, "admin_a"), r.id, "again")


def test_a_confirmed_violation_flags_the_unit(cal, world):
    c = _new(world)
    service.decide(_u(world, "admin_a"), c.id, "accepted", on=date(2026, 10, 9))
    service.record_clue(_u(world, "admin_a"), c.id, date(2026, 10, 12), "疑似销售过期食品")
    assert c.clue_due == date(2026, 11, 2)
    service.clue_verified(_u(world, "admin_a"), c.id, date(2026, 10, 20), True, "查实")
    flag = db.session.scalars(sa.select(UnitFlag)).one()
    assert flag.kind == "violation" and flag.unit_id == world.ids["unit_a"] and c.violation_confirmed


def test_rates_on_a_hand_built_case(cal, world):
    admin = _u(world, "admin_a")
    on_time = _new(world, received=datetime(2026, 10, 12, 2, 0))            # due 21 Oct
    service.decide(admin, on_time.id, "accepted", on=date(2026, 10, 13))
    late = _new(world, received=datetime(2026, 10, 12, 2, 0))
    service.decide(admin, late.id, "rejected", "不属于本部门职责，告知向法院起诉", on=date(2026, 10, 30))
    _new(world, received=datetime(2026, 10, 12, 2, 0))                       # undecided, overdue by 1 Nov
    _new(world, received=datetime(2026, 10, 30, 2, 0))                       # undecided, not yet due on 1 Nov
    report = _new(world, kind="report", received=datetime(2026, 10, 12, 2, 0))
    service.decide(admin, report.id, "case_opened", on=date(2026, 10, 20))
    service.end_mediation(admin, on_time.id, "success", date(2026, 10, 28))
    r = rates.rates(admin, date(2026, 10, 1), date(2026, 11, 1), now=date(2026, 11, 1))
    station = r[world.ids["a"]]
    assert (station["initial"]["num"], station["initial"]["den"]) == (1, 3)
    assert (station["report"]["num"], station["report"]["den"]) == (1, 1)
    assert (station["completion"]["num"], station["completion"]["den"]) == (1, 1)
    assert (station["mediation"]["num"], station["mediation"]["den"], station["mediation"]["percent"]) == (1, 1, 100.0)
    assert r["county"]["initial"]["percent"] == 33.3
    assert set(r) == {world.ids["a"], "county"}  # a station admin's rates cover their station only
    whole = rates.rates(_u(world, "county_admin"), date(2026, 10, 1), date(2026, 11, 1), now=date(2026, 11, 1))
    assert whole[world.ids["b"]]["initial"] == {"label": "按时初查率", "num": 0, "den": 0, "percent": None}
    assert whole["county"]["initial"]["den"] == 3


def test_scope_and_personal_data(cal, world, app):
    c = _new(world)
    db.session.commit()
    with pytest.raises(NotFound):
        service.get_complaint(_u(world, "admin_b"), c.id)
    assert service.may_see_personal(_u(world, "admin_a"), c) and service.may_see_personal(_u(world, "county_admin"), c)
    assert not service.may_see_personal(_u(world, "inspector_a"), c)
    client = app.test_client()
    login(client, "a_insp")
    page = client.get(f"/complaints/{c.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page and "张*" in page
    login(client, "a_admin")
    assert "13812345678" in client.get(f"/complaints/{c.id}").get_data(as_text=True)
    login(client, "b_admin")
    assert client.get(f"/complaints/{c.id}").status_code == 404


HEAD = "工单编号,登记时间,类型,诉求人,联系电话,被投诉单位统一社会信用代码,所（分局）,诉求内容\n"


def test_bad_imports_list_every_row_and_write_nothing(cal, world):
    admin = _u(world, "admin_a")
    rows = (f"W001,2026-10-12 09:30,投诉,李四,13900000000,{valid_uscc(1)},wuyun,短斤缺两\n"
            f"W002,2026/13/40,投诉,王五,13900000001,,wuyun,价格欺诈\n"
            f"W003,2026-10-12,咨询,赵六,13900000002,,wuyun,问问\n"
            f"W001,2026-10-13,举报,,,,wuyun,重复工单\n"
            f"W004,2026-10-13,举报,,,91110000600037341L,wuyun,不在名单的单位\n"
            f"W005,2026-10-13,举报,,,,huzhen,别的所\n")
    count, problems = importer.import_file(admin, "x.csv", (HEAD + rows).encode("gb18030"), confirm=True)
    got = {p["row"]: "；".join(p["messages"]) for p in problems}
    assert set(got) == {3, 4, 5, 6, 7}
    assert "登记时间格式不正确" in got[3] and "类型（投诉/举报）不正确" in got[4]
    assert "与第2行的工单编号重复" in got[5] and "不在本县名单中" in got[6] and "huzhen" in got[7]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0
    count, problems = importer.import_file(admin, "x.csv", (HEAD + rows.splitlines()[0] + "\n").encode(), confirm=True)
    assert (count, problems) == (1, [])
    c = db.session.scalars(sa.select(Complaint)).one()
    assert c.unit_id == world.ids["unit_a"] and c.source == "import" and c.accept_due == date(2026, 10, 21)
    count, problems = importer.import_file(admin, "x.csv", (HEAD + rows.splitlines()[0] + "\n").encode(), confirm=True)
    assert "已导入过" in problems[0]["messages"][0]


def test_overdue_complaints_are_in_the_daily_patrol(cal, world):
    import server.complaint.hooks  # noqa: F401
    from server.rhythm import patrol
    _new(world, received=datetime(2026, 10, 12, 2, 0))
    items = patrol.daily_list(_u(world, "admin_a"), world.ids["a"], date(2026, 10, 22))["items"]
    assert [i["kind"] for i in items] == ["投诉举报·受理决定"] and items[0]["overdue"]


def test_dashboard_shows_overdue_and_the_export_masks(cal, world, app):
    _new(world, received=datetime(2026, 5, 6, 2, 0))   # long overdue
    db.session.commit()
    client = app.test_client()
    login(client, "a_admin")
    assert "1项已逾期" in client.get("/").get_data(as_text=True)
    from openpyxl import load_workbook
    import io
    login(client, "a_insp")
    rows = list(load_workbook(io.BytesIO(client.get("/complaints/export.xlsx").data)).active.iter_rows(values_only=True))
    assert rows[1][5] == "张*" and rows[1][6] == "138****5678"
    login(client, "admin")
    rows = list(load_workbook(io.BytesIO(client.get("/complaints/export.xlsx").data)).active.iter_rows(values_only=True))
    assert rows[1][6] == "13812345678"


def test_assignment_and_steps_through_the_page(cal, world, app):
    c = _new(world)
    db.session.commit()
    client = app.test_client()
    login(client, "a_admin")
    r = client.post(f"/complaints/{c.id}/act", data={"action": "assign", "assignee_id": world.ids["inspector_a"]},
                    follow_redirects=True)
    assert "已记录" in r.get_data(as_text=True)
    r = client.post(f"/complaints/{c.id}/act", data={"action": "assign", "assignee_id": world.ids["inspector_b"]},
                    follow_redirects=True)
    assert "承办人须为该所（分局）在岗人员" in r.get_data(as_text=True)
    r = client.post(f"/complaints/{c.id}/act", data={"action": "accepted", "on": "2026-10-09", "note": "受理"},
                    follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "调解中" in page and "调解期限 2026-12-08" in page
    db.session.expire_all()
    got = db.session.get(Complaint, c.id)
    assert got.assignee_id == world.ids["inspector_a"] and got.status == "accepted"


def test_the_list_page_labels_each_cell_for_phones_and_says_when_nothing_matches(cal, world, app):
    c = _new(world, kind="report")
    db.session.commit()
    client = app.test_client()
    login(client, "a_admin")
    page = client.get("/complaints").get_data(as_text=True)
    assert 'class="grid stack"' in page and f"#{c.id} " in page
    for label in ("登记", "类型", "被投诉单位", "内容", "状态", "期限"):
        assert f'data-label="{label}"' in page
    page = client.get("/complaints?kind=complaint").get_data(as_text=True)
    assert "没有符合条件的投诉举报。" in page and 'class="grid stack"' not in page
