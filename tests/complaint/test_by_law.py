"""The examples of issue 17, each computed by hand from the text of the law it names."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from server.account.models import User
from server.complaint import importer, service
from server.complaint.models import ComplaintStep
from server.core.errors import Invalid
from server.extensions import db
from server.feedback.models import Complaint
from server.workday import seed
from tests.conftest import bearer, login, valid_uscc

HEAD = "工单编号,登记时间,类型,诉求人,联系电话,被投诉单位统一社会信用代码,所（分局）,诉求内容\n"


@pytest.fixture
def cal(ctx):
    seed.seed_calendar()
    seed.seed_rules()
    db.session.commit()


def _u(world, key):
    return db.session.get(User, world.ids[key])


def _new(world, received, kind="complaint", **kw):
    data = {"kind": kind, "source": "hotline", "description": "买到过期食品", "phone": "13812345678",
            "complainant_name": "张三", "unit_id": world.ids["unit_a"], "received_at": received, **kw}
    return service.intake(_u(world, "admin_a"), data)


def _import(world, rows: str, confirm=True):
    return importer.import_file(_u(world, "admin_a"), "x.csv", (HEAD + rows).encode(), confirm=confirm)


# 1. Dated rules: Order No. 20 before 15 April 2026

def test_a_complaint_received_under_order_20_is_imported_with_its_periods(cal, world):
    rows = (f"W101,2026-03-02 09:30,投诉,李四,13900000000,{valid_uscc(1)},wuyun,短斤缺两\n"
            "W102,2026-03-02 10:00,举报,,,,wuyun,无照经营\n")
    count, problems = _import(world, rows, confirm=False)
    assert (count, problems) == (2, [])
    assert _import(world, rows) == (2, [])
    c, r = db.session.scalars(sa.select(Complaint).order_by(Complaint.external_no)).all()
    # Order No. 20 Art. 14: 7 working days from Mon 2 Mar 2026: Tue 3 … Fri 6 (4), Mon 9, Tue 10, Wed 11 (7)
    assert c.accept_due == date(2026, 3, 11) and not c.deadline_uncertain
    # 行政处罚程序规定 Art. 18: 15 working days: Mar 3–6 (4), 9–13 (9), 16–20 (14), Mon 23 (15)
    assert r.accept_due == date(2026, 3, 23)
    # Accepted on 11 March: 45 working days under Order No. 20 Art. 21 (1) item 6 (see tests/workday): 18 May
    service.decide(_u(world, "admin_a"), c.id, "accepted", on=date(2026, 3, 11))
    assert c.mediation_due == date(2026, 5, 18)
    # Terminated on Mon 18 May: told within 7 working days (Art. 21 (2)): Tue 19 … Wed 27 May
    service.end_mediation(_u(world, "admin_a"), c.id, "failure", date(2026, 5, 18))
    assert c.notice_due == date(2026, 5, 27)


def test_a_complaint_keeps_the_rules_of_its_day_of_receipt(cal, world):
    # Received Fri 10 Apr 2026 (Order No. 20), accepted Thu 16 Apr (Order No. 121 in force): 45 working days,
    # not 60 days: Apr 17–30 (10), May 6–8 (13), Sat 9 worked (14), 11–15 (19), 18–22 (24), 25–29 (29),
    # Jun 1–5 (34), 8–12 (39), 15–18 (43), Fri 19 端午 off, 22–23 (45)
    c = _new(world, datetime(2026, 4, 10, 1, 0))
    service.decide(_u(world, "admin_a"), c.id, "accepted", on=date(2026, 4, 16))
    assert c.mediation_due == date(2026, 6, 23)


def test_a_date_no_rule_covers_gets_a_chinese_message_naming_it(cal, world):
    count, problems = _import(world, "W103,2019-12-31 09:00,投诉,李四,13900000000,,wuyun,旧事\n")
    message = "；".join(problems[0]["messages"])
    assert problems[0]["row"] == 2 and "2019-12-31没有适用的投诉受理决定期限规则" in message
    assert "complaint_accept" not in message
    with pytest.raises(Invalid) as err:
        _new(world, datetime(2019, 12, 30, 1, 0))
    assert "2019-12-31" in err.value.fields["received_at"][0] or "2019-12-30" in err.value.fields["received_at"][0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


# 2. Receipt time and the unit on every intake path

def test_staff_intake_takes_the_time_of_receipt_never_in_the_future(cal, world, app):
    client = app.test_client()
    login(client, "a_admin")
    form = {"kind": "complaint", "source": "hotline", "description": "价格欺诈", "phone": "13900000000",
            "received_at": "2026-11-20T09:30", "unit": "五云放心超市"}
    r = client.post("/complaints/new", data=form)
    assert r.status_code == 302
    c = db.session.scalars(sa.select(Complaint)).one()
    # Received Fri 20 Nov 2026 09:30 Beijing time: Mon 23 … Fri 27 (5), Mon 30 (6), Tue 1 Dec (7) — Art. 15
    assert c.received_at == datetime(2026, 11, 20, 1, 30) and c.accept_due == date(2026, 12, 1)
    assert c.unit_id == world.ids["unit_a"]
    r = client.post("/complaints/new", data=form | {"received_at": "2099-01-01T09:00"})
    assert r.status_code == 422 and "登记时间不能晚于现在" in r.get_data(as_text=True)
    r = client.post("/complaints/new", data=form | {"received_at": "2026-02-30T09:00"})
    assert r.status_code == 422 and "时间格式不正确" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1


def test_the_unit_is_found_by_name_or_credit_code_within_scope_with_precise_messages(cal, world, app):
    admin = _u(world, "admin_a")
    base = {"kind": "complaint", "source": "counter", "description": "x", "received_at": datetime(2026, 11, 2, 1)}
    c = service.intake(admin, base | {"unit": valid_uscc(1)})
    assert c.unit_id == world.ids["unit_a"]
    with pytest.raises(Invalid) as err:
        service.intake(admin, base | {"unit": "不存在的店"})
    assert "本县名单中没有名为“不存在的店”的单位" in err.value.fields["unit"][0]
    with pytest.raises(Invalid) as err:
        service.intake(admin, base | {"unit_id": 999999})
    assert err.value.fields["unit"] == ["找不到编号为999999的单位"]
    with pytest.raises(Invalid) as err:
        service.intake(admin, base | {"unit": "壶镇诚信五金店"})
    assert err.value.fields["unit"] == ["“壶镇诚信五金店”属于壶镇分局，不在本所（分局）管辖范围；请由县局登记或转交"]
    # The county admin registers it with the unit's station
    c = service.intake(_u(world, "county_admin"), base | {"unit": "壶镇诚信五金店"})
    assert c.station_id == world.ids["b"]


def test_the_api_takes_the_time_of_receipt(cal, world, app):
    client = app.test_client()
    headers = bearer(world.tokens["admin_a"])
    body = {"kind": "report", "source": "platform", "description": "无证经营", "received_at": "2026-11-02T09:00",
            "unit": "五云放心超市"}
    r = client.post("/api/v1/complaints", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    # 15 working days from Mon 2 Nov 2026: Nov 3–6 (4), 9–13 (9), 16–20 (14), Mon 23 (15)
    assert r.get_json()["accept_due"] == "2026-11-23"
    r = client.post("/api/v1/complaints", json=body | {"received_at": "2099-01-01T09:00"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["received_at"] == ["登记时间不能晚于现在"]


# 3. Handling steps validated and atomic

def test_a_decision_before_receipt_or_in_the_future_is_refused_and_nothing_changes(cal, world, app):
    c = _new(world, datetime(2026, 11, 2, 1, 0))
    db.session.commit()
    with pytest.raises(Invalid) as err:
        service.decide(_u(world, "admin_a"), c.id, "accepted", on=date(2020, 1, 1))
    assert err.value.fields == {"on": ["日期不能早于登记日期2026-11-02"]}
    with pytest.raises(Invalid) as err:
        service.decide(_u(world, "admin_a"), c.id, "accepted", on=date(2030, 5, 5))
    assert err.value.fields["on"][0].startswith("日期不能晚于今天")
    db.session.rollback()
    client = app.test_client()
    login(client, "a_admin")
    r = client.post(f"/complaints/{c.id}/act", data={"action": "accepted", "on": "2026-02-30"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "日期“2026-02-30”不正确" in page and 'class="field-error"' in page
    r = client.post(f"/complaints/{c.id}/act", data={"action": "accepted", "on": "2030-05-05"})
    assert r.status_code == 422
    db.session.expire_all()
    got = db.session.get(Complaint, c.id)
    assert got.status == "new" and got.decided_on is None and got.mediation_due is None
    assert [s.action for s in service.steps(got)] == ["received"]


def test_a_step_that_fails_midway_stores_nothing(cal, world, app):
    # A record from before any rule (entered before dates were checked): accepting it needs a mediation
    # period no rule gives, after the status was already set — the whole step must go
    c = Complaint(kind="complaint", county_id=world.ids["county"], station_id=world.ids["a"], description="旧事",
                  phone="", address_hash="", status="new", received_at=datetime(2019, 12, 30, 1, 0))
    db.session.add(c)
    db.session.commit()
    client = app.test_client()
    login(client, "a_admin")
    r = client.post(f"/complaints/{c.id}/act", data={"action": "accepted", "on": "2026-11-02"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "2019-12-30没有适用的" in page and "mediation_end" not in page
    db.session.expire_all()
    got = db.session.get(Complaint, c.id)
    assert (got.status, got.decided_on, got.mediation_due) == ("new", None, None)
    assert service.steps(got) == []


def test_each_step_follows_the_one_before(cal, world):
    admin = _u(world, "admin_a")
    c = _new(world, datetime(2026, 10, 12, 1, 0))
    service.decide(admin, c.id, "accepted", on=date(2026, 10, 14))
    with pytest.raises(Invalid) as err:
        service.end_mediation(admin, c.id, "failure", date(2026, 10, 13))
    assert err.value.fields == {"on": ["日期不能早于受理日期2026-10-14"]}
    service.end_mediation(admin, c.id, "failure", date(2026, 10, 20))
    with pytest.raises(Invalid) as err:
        service.notify_end(admin, c.id, date(2026, 10, 19))
    assert err.value.fields == {"on": ["日期不能早于终止调解日期2026-10-20"]}
    assert [s.done_on for s in service.steps(c)] == [date(2026, 10, 12), date(2026, 10, 14), date(2026, 10, 20)]


# 4. Due dates recomputed when a year's calendar is entered; Spring Festival 2027

SPRING_2027 = {"year": "2027", "holidays": "2027-01-01 元旦\n2027-02-05~2027-02-11 春节",
               "workdays": "2027-02-20 春节调休上班"}


def test_spring_festival_2027_provisional_then_right_once_entered(cal, world, app):
    client = app.test_client()
    with time_machine.travel(datetime(2027, 2, 1, 2, 0, tzinfo=timezone.utc), tick=False):
        c = _new(world, None)  # received now: Mon 1 Feb 2027, 10:00 Beijing time
        db.session.commit()
        # 2027 not entered: the statutory days 除夕 Fri 5 Feb, 初一–初三 Sat 6–Mon 8 (放假办法 Art. 2) are off:
        # Tue 2 (1), Wed 3 (2), Thu 4 (3), Tue 9 (4), Wed 10 (5), Thu 11 (6), Fri 12 (7) — Order 121 Art. 15
        assert c.accept_due == date(2027, 2, 12) and c.deadline_uncertain
        login(client, "a_admin")
        page = client.get(f"/complaints/{c.id}").get_data(as_text=True)
        assert "⚠ 暂定期限" in page
        assert "⚠" in client.get("/complaints").get_data(as_text=True)
        # The county enters the State Council's arrangement: 5–11 Feb off, Sat 20 Feb worked
        login(client, "admin")
        r = client.post("/calendar", data=SPRING_2027, follow_redirects=True)
        assert "已按新日历重算1件投诉举报的期限" in r.get_data(as_text=True)
    db.session.expire_all()
    c = db.session.get(Complaint, c.id)
    # Tue 2 (1), Wed 3 (2), Thu 4 (3), 5–11 off, Fri 12 (4), Mon 15 (5), Tue 16 (6), Wed 17 (7)
    assert c.accept_due == date(2027, 2, 17) and not c.deadline_uncertain
    note = db.session.scalars(sa.select(ComplaintStep.note).where(ComplaintStep.action == "recomputed")).one()
    assert "受理/立案决定期限 2027-02-12 → 2027-02-17" in note and "期限已确定" in note


def test_from_november_the_county_admin_is_warned_until_next_year_is_entered(cal, world, app):
    client = app.test_client()
    login(client, "admin")
    with time_machine.travel(datetime(2026, 10, 31, 12, 0, tzinfo=timezone.utc), tick=False):
        assert "2027年节假日安排尚未录入" not in client.get("/").get_data(as_text=True)
    with time_machine.travel(datetime(2026, 11, 1, 1, 0, tzinfo=timezone.utc), tick=False):
        assert "2027年节假日安排尚未录入" in client.get("/").get_data(as_text=True)
        login(client, "a_admin")
        assert "2027年节假日安排尚未录入" not in client.get("/").get_data(as_text=True)
        login(client, "admin")
        client.post("/calendar", data=SPRING_2027)
        assert "2027年节假日安排尚未录入" not in client.get("/").get_data(as_text=True)


# 5. A clue's check runs on after the complaint is closed

def test_a_clue_still_running_when_the_complaint_closes_stays_in_the_alerts(cal, world, app):
    import server.complaint.hooks  # noqa: F401
    from server.rhythm import patrol
    admin = _u(world, "admin_a")
    c = _new(world, datetime(2026, 10, 12, 1, 0))
    service.decide(admin, c.id, "accepted", on=date(2026, 10, 13))
    service.record_clue(admin, c.id, date(2026, 10, 14), "疑似虚假宣传")
    service.end_mediation(admin, c.id, "success", date(2026, 10, 15))
    assert c.status == "closed"
    # Order No. 121 Art. 27: 15 working days from Wed 14 Oct: 15–16 (2), 19–23 (7), 26–30 (12), Nov 2–4 (15)
    assert service.due_items(c) == [("违法线索核查", date(2026, 11, 4))]
    items = patrol.daily_list(admin, world.ids["a"], date(2026, 11, 5))["items"]
    assert [(i["kind"], i["overdue"]) for i in items] == [("投诉举报·违法线索核查", True)]
    assert service.deadline_alerts(admin, date(2026, 11, 5))["overdue"] == 1
    db.session.commit()
    client = app.test_client()
    login(client, "a_admin")
    assert 'value="clue_verified"' in client.get(f"/complaints/{c.id}").get_data(as_text=True)
    r = client.post(f"/complaints/{c.id}/act", data={"action": "clue_verified", "on": "2026-11-03", "note": "未查实"})
    assert r.status_code == 302
    db.session.expire_all()
    assert service.due_items(db.session.get(Complaint, c.id)) == []


# 7. Numbers Excel has mangled; row numbers as Excel shows them

def test_numbers_excel_mangled_are_refused_with_what_excel_did(cal, world):
    rows = ("1331120000000000001,2026-11-02 09:30,投诉,李四,13900000000,,wuyun,短斤缺两\n"
            "1331120000000000002,2026-11-02 09:30,投诉,李四,13900000000,,wuyun,短斤缺两\n"
            "\n"
            "1.33112E+18,2026-11-02 09:30,投诉,李四,13900000000,,wuyun,短斤缺两\n"
            "1331120000000000003.0,2026-11-02 09:30,投诉,李四,13900000000,,wuyun,短斤缺两\n"
            "331120000000000004,2026-11-02 09:30,投诉,李四,13900000000,,wuyun,短斤缺两\n"
            "1331120000000000005,2026-11-02 09:30,投诉,李四,5783123456,,wuyun,短斤缺两\n"
            "1331120000000000006,2026-11-02 09:30,投诉,李四,13900000000.0,,wuyun,短斤缺两\n")
    count, problems = _import(world, rows)
    got = {p["row"]: "；".join(p["messages"]) for p in problems}
    # Row 4 is blank: Excel still counts it, so the rows after it are 5–9
    assert set(got) == {5, 6, 7, 8, 9}
    assert "工单编号“1.33112E+18”是Excel的科学计数法" in got[5] and "已丢失" in got[5]
    assert "末尾的“.0”是Excel加上的" in got[6]
    assert "只有18位，文件中其他编号为19位：开头的0可能被Excel去掉了" in got[7]
    assert "联系电话“5783123456”开头的0可能被Excel去掉了" in got[8]
    assert "联系电话“13900000000.0”末尾的“.0”是Excel加上的" in got[9]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_a_mangled_number_is_never_taken_as_already_imported(cal, world):
    assert _import(world, "W1,2026-11-02 09:30,投诉,李四,13900000000,,wuyun,短斤缺两\n") == (1, [])
    db.session.add(Complaint(kind="complaint", county_id=world.ids["county"], station_id=world.ids["a"], description="x",
                             phone="", external_no="1.33112E+18", address_hash="", status="closed"))
    db.session.flush()
    _, problems = _import(world, "1.33112E+18,2026-11-03 09:30,投诉,王五,13900000001,,wuyun,另一件\n")
    assert "科学计数法" in problems[0]["messages"][0] and "已导入过" not in "".join(problems[0]["messages"])


def test_xlsx_row_numbers_count_blank_rows(cal, world):
    import io

    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD.strip().split(","))
    ws.append(["W1", "2026-11-02 09:30", "投诉", "李四", "13900000000", "", "wuyun", "短斤缺两"])
    ws.append([])
    ws.append([1.33112e18, "2026-11-02 09:30", "投诉", "李四", 13900000000, "", "wuyun", "短斤缺两"])
    out = io.BytesIO()
    wb.save(out)
    _, problems = importer.import_file(_u(world, "admin_a"), "x.xlsx", out.getvalue(), confirm=False)
    assert [p["row"] for p in problems] == [4] and "科学计数法" in problems[0]["messages"][0]


# 10. Transfer, return, merge, testing time — each a step with its own record

def test_a_transfer_keeps_the_clock_and_is_recorded(cal, world, app):
    from server.complaint import moves
    c = _new(world, datetime(2026, 11, 2, 1, 0))
    due = c.accept_due
    with pytest.raises(Invalid) as err:
        moves.transfer(_u(world, "admin_a"), c.id, world.ids["b"], " ")
    assert err.value.fields == {"note": ["请填写理由"]}
    moves.transfer(_u(world, "admin_a"), c.id, world.ids["b"], "经营场所在壶镇")
    assert c.station_id == world.ids["b"] and c.accept_due == due
    assert service.steps(c)[-1].note == "由五云所转交壶镇分局：经营场所在壶镇"
    db.session.commit()
    client = app.test_client()
    login(client, "b_admin")
    assert client.get(f"/complaints/{c.id}").status_code == 200


def test_return_to_the_distribution_office_leaves_the_rates(cal, world):
    from server.complaint import moves, rates
    c = _new(world, datetime(2026, 10, 12, 1, 0))
    moves.return_to_distribution(_u(world, "admin_a"), c.id, date(2026, 10, 13), "被投诉人在外县，Art. 41")
    assert c.status == "returned" and c.closed_at is not None and service.due_items(c) == []
    r = rates.rates(_u(world, "admin_a"), date(2026, 10, 1), date(2026, 11, 1), now=date(2026, 11, 1))["county"]
    assert r["initial"]["den"] == 0


def test_a_repeated_report_restarts_the_period(cal, world):
    from server.complaint import moves
    first = _new(world, datetime(2026, 11, 2, 1, 0), kind="report")
    assert first.accept_due == date(2026, 11, 23)
    again = _new(world, datetime(2026, 11, 9, 1, 0), kind="report")
    moves.merge_reports(_u(world, "admin_a"), again.id, first.id, "同一事实")
    # Art. 35: the period restarts from the repeated report, Mon 9 Nov 2026: 15 working days (行政处罚程序规定
    # Art. 18): Nov 10–13 (4), 16–20 (9), 23–27 (14), Mon 30 Nov (15)
    assert first.accept_due == date(2026, 11, 30) and first.clock_from == date(2026, 11, 9)
    assert again.status == "merged" and again.merged_into_id == first.id
    assert "2026-11-23 → 2026-11-30" in service.steps(first)[-1].note


def test_testing_time_is_not_counted_for_a_report_or_a_clue(cal, world):
    admin = _u(world, "admin_a")
    r = _new(world, datetime(2026, 11, 2, 1, 0), kind="report")
    # 行政处罚程序规定 Art. 18: 10 days of testing move the start from Mon 2 Nov to Thu 12 Nov: 15 working days
    # Nov 13 (1), 16–20 (6), 23–27 (11), Nov 30–Dec 3 (15)
    service.record_appraisal(admin, r.id, 10, "抽样检验")
    assert r.accept_due == date(2026, 12, 3)
    assert service.steps(r)[-1].note == "立案决定期限扣除10天 抽样检验"



def test_an_import_row_received_in_the_future_is_refused(cal, world):
    _, problems = _import(world, "W9,2099-01-04 09:00,投诉,李四,13900000000,,wuyun,还没发生\n")
    assert problems == [{"row": 2, "messages": ["登记时间晚于现在"]}]
