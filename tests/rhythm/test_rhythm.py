"""Daily patrol, weekly look-back and the monthly bulletin on hand-built data."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.account.models import User
from server.core.clock import today as china_today
from server.core.errors import Invalid, NotFound
from server.extensions import db
from server.inspection.models import Rectification
from server.rhythm import bulletin, lookback, patrol
from server.rhythm.models import Bulletin
from server.unit.models import Unit
from server.visit.models import VisitTask
from tests.conftest import bearer
from tests.sync.conftest import change, checklist, inspection_body  # noqa: F401

TODAY = date(2023, 9, 10)


def _user(world, key):
    return db.session.get(User, world.ids[key])


def _push(client, world, *bodies):
    r = client.post("/api/v1/sync/push", headers=bearer(world.tokens["inspector_a"]),
                    json={"changes": [change(b) for b in bodies]})
    assert all(x["status"] == "applied" for x in r.get_json()["results"]), r.get_json()


def test_daily_patrol_lists_overdue_work_and_is_marked_done(client, world, checklist, app):  # noqa: F811
    rect = [{"item_code": "pricing.have", "demand": "补齐价签", "due_date": "2023-09-08"}]
    _push(client, world, inspection_body(world.ids["unit_a"], checklist, conclusion="rectify",
                                         fail_items=["pricing.have"], rectifications=rect))
    with app.app_context():
        admin = _user(world, "admin_a")
        listing = patrol.daily_list(admin, world.ids["a"], TODAY)
        kinds = sorted(i["kind"] for i in listing["items"])
        assert kinds == ["整改逾期", "走访任务逾期"]  # the rectification and its follow-up task, both past due
        key = next(i["key"] for i in listing["items"] if i["kind"] == "整改逾期")
        patrol.mark_handled(admin, world.ids["a"], TODAY, key, "已电话督促")
        with pytest.raises(Invalid):
            patrol.mark_handled(admin, world.ids["a"], TODAY, "rectification:999", "x")
        day = patrol.complete_day(admin, world.ids["a"], TODAY, "巡查完毕")
        assert (day.items, day.handled) == (2, 1)
        db.session.commit()
        # another station's admin cannot see it; the county sees who patrolled when
        with pytest.raises(NotFound):
            patrol.daily_list(_user(world, "admin_b"), world.ids["a"], TODAY)
        overview = patrol.county_overview(_user(world, "county_admin"), TODAY - timedelta(days=1), TODAY)
        rows = {s.code: days for s, days in overview["rows"]}
        assert rows["wuyun"][1] is not None and rows["wuyun"][0] is None and rows["huzhen"] == [None, None]


def test_weekly_lookback_creates_follow_ups_once_and_lists_incomplete_profiles(client, world, checklist, app):  # noqa: F811
    body = inspection_body(world.ids["unit_a"], checklist, fail_items=["quality.have"],
                           started=datetime(2023, 9, 5, 2, 0).astimezone())
    _push(client, world, body)
    with app.app_context():
        # the inspection was submitted now; look back over the week that holds "now"
        monday = lookback.week_of(china_today()) + timedelta(days=7)  # the bureau's week, China dates
        admin = _user(world, "admin_a")
        record = lookback.run_lookback(admin, world.ids["a"], monday)
        assert record.summary["unit_ids"] == [world.ids["unit_a"]]
        task = db.session.get(VisitTask, record.summary["task_ids"][0])
        assert task.kind == "rectification" and task.due_date == monday + timedelta(days=4)
        assert {p["unit_id"] for p in record.summary["incomplete_profiles"]} == {world.ids["unit_a"]}
        with pytest.raises(Invalid):
            lookback.run_lookback(admin, world.ids["a"], monday)
        with pytest.raises(Invalid):
            lookback.run_lookback(admin, world.ids["a"], monday + timedelta(days=1))


def test_bulletin_figures_equal_the_raw_data_and_stay_as_published(client, world, checklist, app):  # noqa: F811
    rect = [{"item_code": "pricing.have", "demand": "补齐价签", "due_date": "2099-01-01"}]
    _push(client, world,
          inspection_body(world.ids["unit_a"], checklist, fail_items=["pricing.have", "quality.have"],
                          conclusion="rectify", rectifications=rect),
          inspection_body(world.ids["unit_a"], checklist, fail_items=["pricing.have"]),
          inspection_body(world.ids["unit_a"], checklist))
    month = china_today().strftime("%Y-%m")
    with app.app_context():
        county = _user(world, "county_admin")
        b = bulletin.generate(county, month)
        db.session.commit()
        a = str(world.ids["a"])
        assert b.data["visits"]["month"] == {a: 3} and b.data["visits"]["ytd"] == {a: 3}
        assert b.data["rectifications"]["opened"] == {a: 1}
        assert b.data["failed_items"][0] == {"code": "pricing.have", "text": "有明码标价", "count": 2}
        assert b.data["failed_items"][1]["count"] == 1
        assert b.data["progress"][a] == {"target": 0, "stages": {}}  # no targets set for this year
        old = bulletin.compute(county, "2023-09")
        assert old["progress"][a] == {"target": 10, "stages": {"pool": 1}} and old["visits"]["month"] == {}
        bid = b.id
    # more work after publication changes the next bulletin, not the kept one
    _push(client, world, inspection_body(world.ids["unit_a"], checklist))
    with app.app_context():
        assert db.session.get(Bulletin, bid).data["visits"]["month"] == {str(world.ids["a"]): 3}
        assert bulletin.compute(_user(world, "county_admin"), month)["visits"]["month"] == {str(world.ids["a"]): 4}
        with pytest.raises(Invalid):
            bulletin.compute(_user(world, "county_admin"), "2023-13")


def test_bulletin_cli_writes_xlsx_and_pdf(runner, world, tmp_path, app):
    from openpyxl import load_workbook
    r = runner.invoke(args=["bulletin", "2023-09", "--out", str(tmp_path / "b.xlsx")])
    assert r.exit_code == 0, r.output
    wb = load_workbook(tmp_path / "b.xlsx")
    assert wb.sheetnames[:3] == ["建设进度", "检查与整改", "常见不符合项"]
    progress = [[c.value for c in row] for row in wb["建设进度"].iter_rows(min_row=3)]
    assert progress[0][:2] == ["五云所", 10] and progress[-1][0] == "全县"
    r = runner.invoke(args=["bulletin", "2023-09", "--out", str(tmp_path / "b.pdf")])
    assert r.exit_code == 0, r.output
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "b.pdf").pages)
    assert "放心消费工作通报" in text and "五云所" in text
    r = runner.invoke(args=["bulletin", "2023-9x", "--out", str(tmp_path / "c.xlsx")])
    assert r.exit_code != 0 and "月份格式" in r.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Bulletin)) == 2


def test_a_sign_reported_lost_is_replaced_at_once_and_not_in_the_daily_patrol(ctx, world):
    """A lost or damaged sign is replaced when it is reported (issue 15): nothing is left "需补发" for the
    patrol, and the unit holds the new sign in force."""
    from server.signage.models import Sign
    from server.signage.service import issue_sign, revoke_sign
    from tests.conftest import YEAR, certify
    admin = _user(world, "admin_a")
    certify(admin, db.session.get(Unit, world.ids["unit_a"]), to="evaluated")
    old = issue_sign(admin, world.ids["unit_a"], YEAR)
    new = revoke_sign(admin, old.id, "lost_damaged", "门头装修时丢失")
    db.session.commit()
    assert (old.status, new.status) == ("replaced", "issued")
    items = patrol.daily_list(admin, world.ids["a"], china_today())["items"]
    assert not [i for i in items if "标识" in i["kind"] or "补发" in i["title"]], items
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sign).where(Sign.status == "issued")) == 1
