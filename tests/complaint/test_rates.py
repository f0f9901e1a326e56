"""The plan's four rates under its names, on hand-built cases; averages entered per year; the paged list."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from server.account.models import User
from server.complaint import rates, service
from server.complaint.benchmark import set_benchmark
from server.core.errors import Forbidden, Invalid
from server.extensions import db
from server.feedback.models import Complaint
from server.workday import seed
from tests.conftest import login


@pytest.fixture
def cal(ctx):
    seed.seed_calendar()
    seed.seed_rules()
    db.session.commit()


def _u(world, key):
    return db.session.get(User, world.ids[key])


def _new(world, received, kind="complaint"):
    return service.intake(_u(world, "admin_a"), {"kind": kind, "source": "hotline", "description": "x",
                                                  "unit_id": world.ids["unit_a"], "received_at": received})


def test_the_rates_carry_the_plans_names():
    assert list(rates.RATES.values()) == ["按时初查率", "按时办结率", "举报按时核查率", "调解成功率"]


def test_a_decision_dated_before_receipt_is_never_on_time(cal, world):
    c = _new(world, datetime(2026, 10, 12, 1, 0))
    # Entered before dates were checked (the step now refuses it): decided the day before receipt
    c.status, c.decided_on = "accepted", date(2026, 10, 11)
    r = rates.rates(_u(world, "admin_a"), date(2026, 10, 1), date(2026, 11, 1), now=date(2026, 11, 1))
    assert (r["county"]["initial"]["num"], r["county"]["initial"]["den"]) == (0, 1)


def test_a_late_termination_notice_makes_the_handling_late(cal, world):
    admin = _u(world, "admin_a")
    c = _new(world, datetime(2026, 10, 12, 1, 0))
    service.decide(admin, c.id, "accepted", on=date(2026, 10, 13))
    service.end_mediation(admin, c.id, "failure", date(2026, 10, 20))
    # Art. 23: told within 7 working days of Tue 20 Oct: Wed 21 … Thu 29 Oct; told on Fri 30 Oct: late
    assert c.notice_due == date(2026, 10, 29)
    service.notify_end(admin, c.id, date(2026, 10, 30))
    r = rates.rates(admin, date(2026, 10, 1), date(2026, 11, 1), now=date(2026, 11, 5))["county"]
    assert (r["completion"]["num"], r["completion"]["den"]) == (0, 1)
    # Told on the last day instead: on time
    c.notified_on = date(2026, 10, 29)
    r = rates.rates(admin, date(2026, 10, 1), date(2026, 11, 1), now=date(2026, 11, 5))["county"]
    assert (r["completion"]["num"], r["completion"]["den"]) == (1, 1)


def test_the_year_so_far_includes_today(cal, world):
    with time_machine.travel(datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc), tick=False):
        c = _new(world, None)
        service.decide(_u(world, "admin_a"), c.id, "accepted", on=None)
        start, end = rates.year_to_date(date(2026, 11, 30))
        assert (start, end) == (date(2026, 1, 1), date(2026, 12, 1))
        r = rates.rates(_u(world, "admin_a"), start, end)["county"]["initial"]
        assert (r["num"], r["den"]) == (1, 1)


def test_averages_are_entered_per_year_by_the_county_and_the_mediation_rate_is_set_against_them(cal, world, app):
    with pytest.raises(Forbidden):
        set_benchmark(_u(world, "admin_a"), 2026, "60", "70")
    with pytest.raises(Invalid) as err:
        set_benchmark(_u(world, "county_admin"), 2026, "160", "70")
    assert "national" in err.value.fields
    admin = _u(world, "admin_a")
    won = _new(world, datetime(2026, 10, 12, 1, 0))
    lost = _new(world, datetime(2026, 10, 12, 1, 0))
    for c in (won, lost):
        service.decide(admin, c.id, "accepted", on=date(2026, 10, 13))
    service.end_mediation(admin, won.id, "success", date(2026, 10, 20))
    service.end_mediation(admin, lost.id, "failure", date(2026, 10, 20))
    db.session.commit()
    client = app.test_client()
    login(client, "admin")
    client.post("/complaints/benchmark", data={"year": "2026", "national": "45.5", "provincial": "62"})
    page = client.get("/complaints").get_data(as_text=True)
    # 1 agreement of 2 ended mediations = 50.0%: above the national 45.5%, below the provincial 62.0%
    assert "高于全国平均（45.5%）" in page and "低于全省平均（62.0%）" in page
    assert 'id="station-rates"' in page and "五云所" in page and "壶镇分局" in page
    from server.rhythm import bulletin
    data = bulletin.compute(_u(world, "county_admin"), "2026-10")["complaints"]
    assert data["header"][2:6] == ["按时初查率", "按时办结率", "举报按时核查率", "调解成功率"]
    assert data["rows"][-1][-1] == "高于全国平均（45.5%）；低于全省平均（62.0%）"


def test_the_list_is_paged_and_the_export_follows_the_filters(cal, world, app):
    base = datetime(2026, 10, 1, 1, 0)
    for i in range(51):
        _new(world, base + timedelta(hours=i), kind="report" if i == 0 else "complaint")
    db.session.commit()
    client = app.test_client()
    login(client, "a_admin")
    first = client.get("/complaints").get_data(as_text=True)
    assert "共 51 件" in first and "第 1 / 2 页" in first
    second = client.get("/complaints?page=2").get_data(as_text=True)
    oldest = db.session.scalar(sa.select(sa.func.min(Complaint.id)))
    assert f"#{oldest} " in second
    import io

    from openpyxl import load_workbook
    rows = list(load_workbook(io.BytesIO(client.get("/complaints/export.xlsx?kind=report").data)).active
                .iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == "举报" and rows[1][9] == "待受理" and rows[0][4] == "所（分局）"


def test_the_export_never_makes_a_formula_of_what_the_public_typed(cal, world, app):
    service.intake(_u(world, "admin_a"), {"kind": "complaint", "source": "counter", "received_at": datetime(2026, 10, 1),
                                          "description": "=HYPERLINK(\"http://x\",\"点我\")"})
    db.session.commit()
    client = app.test_client()
    login(client, "a_admin")
    import io

    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(client.get("/complaints/export.xlsx").data)).active
    cell = ws.cell(row=2, column=9)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
