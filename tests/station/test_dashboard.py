"""The dashboard against the demo data's targets, and editing targets for any year."""
from datetime import date

import pytest
import sqlalchemy as sa

from server.account.models import User
from server.core import uscc
from server.dashboard.service import dashboard, default_year
from server.demo import loader
from server.extensions import db
from server.station.service import current_programme_year
from server.unit.models import Unit
from tests.conftest import bearer


@pytest.fixture
def demo(app):
    with app.app_context():
        loader.load()
        db.session.commit()
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        from server.account.service import issue_token
        _, plain = issue_token(admin, "t")
        wuyun = db.session.scalar(sa.select(User).where(User.username == "wuyun_admin"))
        _, plain_w = issue_token(wuyun, "t")
        db.session.commit()
    return {"admin": plain, "wuyun_admin": plain_w}


def test_county_totals_match_the_attachment_table(client, demo):
    # The dashboard opens on the year in progress; the 2023 plan's year is history beside it.
    assert client.get("/api/v1/dashboard", headers=bearer(demo["admin"])).get_json()["year"] == \
        max(2023, current_programme_year())
    d = client.get("/api/v1/dashboard?year=2023", headers=bearer(demo["admin"])).get_json()
    assert d["year"] == 2023
    assert d["total_all"]["target"] == 1122
    assert {t: c["target"] for t, c in d["total"].items()} == {"general": 679, "no_reason_return": 330, "factory": 113}
    assert d["carriers"] == {"district": [2, 2], "village": [3, 3], "liaison": [19, 19]}
    assert len(d["rows"]) == 9
    wuyun = d["rows"][0]
    assert wuyun["station"]["name"] == "五云所" and wuyun["all"]["target"] == 375
    # every unit of the demo is counted once, at exactly one stage
    assert sum(sum(c["stages"].values()) for c in d["total"].values()) == 1122


def test_deadlines_show_the_gap_per_station(app, demo):
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        d = dashboard(admin, 2023, on=date(2023, 6, 1))
    entry = d["deadlines"][0]
    assert entry["due"] == date(2023, 6, 30) and entry["days_left"] == 29
    assert entry["gap"] == entry["target"] - entry["done"]
    row = d["rows"][0]["deadlines"][1]
    assert row["key"] == "posted" and row["target"] == 375 and 0 <= row["percent"] <= 100


def test_station_admin_dashboard_has_only_their_station(client, demo):
    d = client.get("/api/v1/dashboard?year=2023", headers=bearer(demo["wuyun_admin"])).get_json()
    assert [r["station"]["code"] for r in d["rows"]] == ["wuyun"]
    assert d["total_all"]["target"] == 375


def test_targets_for_a_new_year_and_the_default_year(client, demo, app):
    h = bearer(demo["admin"])
    stations = client.get("/api/v1/stations", headers=h).get_json()
    body = {"year": 2027, "entries": [{"station_id": s["id"], "kind": "general", "count": 10} for s in stations]
            + [{"station_id": None, "kind": "liaison", "count": 20}]}
    r = client.put("/api/v1/targets", headers=h, json=body)
    assert r.status_code == 200
    d = client.get("/api/v1/dashboard", headers=h).get_json()
    assert d["year"] == 2027 and d["total_all"]["target"] == 90 and d["carriers"]["liaison"] == [19, 20]
    # carriers of 2023 still stand in 2027 and count
    assert d["years"] == sorted({2027, current_programme_year(), 2023}, reverse=True)
    # a bad entry changes nothing
    bad = {"year": 2027, "entries": [{"station_id": stations[0]["id"], "kind": "general", "count": 99},
                                     {"station_id": 999999, "kind": "general", "count": 1}]}
    r = client.put("/api/v1/targets", headers=h, json=bad)
    assert r.status_code == 422
    got = client.get("/api/v1/targets?year=2027", headers=h).get_json()["entries"]
    assert {e["count"] for e in got if e["kind"] == "general"} == {10}


def test_demo_units_have_valid_unique_codes(app, demo):
    with app.app_context():
        codes = db.session.scalars(sa.select(Unit.uscc)).all()
    assert len(codes) == 1122 == len(set(codes))
    assert all(uscc.is_valid(c) for c in codes)


def test_demo_load_runs_once(runner, demo):
    r = runner.invoke(args=["demo", "load"])
    assert r.exit_code == 0 and "已存在" in r.output and "admin" in r.output


def test_demo_is_alive_today_and_tells_one_story(client, demo, runner, app, monkeypatch):
    """Item 9: 2023 as history, the current year in progress; the integrity check finds nothing; a current
    sign scans 有效 with its date, the 2023 sign of a unit not renewed 已过期; names are unique."""
    from server.signage.models import Sign
    from server.unit.models import UnitYear
    r = runner.invoke(args=["integrity", "check"])
    assert r.exit_code == 0, r.output
    now = current_programme_year()
    with app.app_context():
        names = db.session.scalars(sa.select(Unit.name)).all()
        assert len(names) == len(set(names))
        current = db.session.scalar(sa.select(Sign).where(Sign.year == now).limit(1))
        renewed = sa.select(UnitYear.unit_id).where(UnitYear.year == now)
        old = db.session.scalar(sa.select(Sign).where(Sign.year == 2023, Sign.unit_id.not_in(renewed)).limit(1))
        current_token, old_token = current.token, old.token
        until = current.valid_until
    from server.core.clock import today
    from server.signage import state
    monkeypatch.setattr(state, "today", today)  # the real date: the demo is alive today
    body = client.get(f"/s/{current_token}").get_data(as_text=True)
    assert "本标识真实有效" in body and f"有效期至{until.year}年{until.month:02d}月{until.day:02d}日" in body
    assert "已过期" in client.get(f"/s/{old_token}").get_data(as_text=True)
    # 2023's milestone columns come from the dated history of 2023, not from today's stages
    d = client.get("/api/v1/dashboard?year=2023", headers=bearer(demo["admin"])).get_json()
    entry, posted = d["deadlines"]
    assert entry["as_of_due"] and posted["as_of_due"]
    # the demo's 2023 steps were all taken by those dates (removals came after 承诺公示, mid-year)
    assert 0 < entry["done"] == entry["today"] and 0 < posted["done"] == posted["today"]
