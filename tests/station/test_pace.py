"""Pace and forecast on a hand-built lifecycle history, every figure computed by hand."""
from datetime import date, datetime

import pytest

from server.dashboard import chart
from server.dashboard.pace import forecast, pace, week_points
from server.extensions import db
from server.station.models import Target
from server.unit.models import LifecycleEvent, Unit, UnitYear
from tests.conftest import login, valid_uscc

Y = 2025
ON = date(2025, 6, 2)  # 153 days after 31 Dec 2024; 28 days before 30 June; 181 days before 30 November


def _unit(world, station, n, steps):
    """A unit of the year whose lifecycle is the given (UTC time, to_stage) steps, in that order."""
    u = Unit(county_id=world.ids["county"], station_id=station, name=f"单位{n}", uscc=valid_uscc(100 + n),
             address=f"路{n}号", type="general")
    db.session.add(u)
    db.session.flush()
    db.session.add(UnitYear(unit_id=u.id, year=Y, stage=steps[-1][1]))
    before = None
    for at, stage in steps:
        db.session.add(LifecycleEvent(unit_id=u.id, year=Y, from_stage=before, to_stage=stage, at=at))
        before = stage
    db.session.flush()


@pytest.fixture
def history(app, world):
    """Station A (target 21): 7 units profiled on 10 March, one of them removed on 28 May, 4 profiled on
    20 May, one at 23:30 China time on 2 June (counted that day) and one at 00:30 on 3 June (not);
    2 of the March units posted their sign on 25 May. Station B (target 14): 8 profiled on 1 February,
    4 on 15 May."""
    with app.app_context():
        w = world
        db.session.add_all([Target(year=Y, county_id=w.ids["county"], station_id=w.ids["a"], kind="general", count=21),
                            Target(year=Y, county_id=w.ids["county"], station_id=w.ids["b"], kind="general", count=14)])
        n = 0
        march = datetime(2025, 3, 10, 2)
        for i in range(7):
            n += 1
            steps = [(march, "profiled")]
            if i == 0:
                steps.append((datetime(2025, 5, 28, 2), "removed"))
            if i in (1, 2):
                steps.append((datetime(2025, 5, 25, 2), "sign_posted"))
            _unit(w, w.ids["a"], n, steps)
        for _ in range(4):
            n += 1
            _unit(w, w.ids["a"], n, [(datetime(2025, 5, 20, 2), "profiled")])
        _unit(w, w.ids["a"], n + 1, [(datetime(2025, 6, 2, 15, 30), "profiled")])
        _unit(w, w.ids["a"], n + 2, [(datetime(2025, 6, 2, 16, 30), "profiled")])
        n += 2
        for day, k in ((datetime(2025, 2, 1, 2), 8), (datetime(2025, 5, 15, 2), 4)):
            for _ in range(k):
                n += 1
                _unit(w, w.ids["b"], n, [(day, "profiled")])
        db.session.commit()
    return w


def _run(app, world, on):
    with app.app_context():
        from server.account.models import User
        from server.station.models import Station
        from server.station.service import targets_for
        user = db.session.get(User, world.ids["county_admin"])
        stations = [db.session.get(Station, world.ids["a"]), db.session.get(Station, world.ids["b"])]
        return pace(user, Y, stations, targets_for(user, Y), on)


def test_forecast_by_hand_before_the_first_milestone(app, history):
    p = _run(app, history, ON)
    a, b = p["stations"]
    entry, posted = a["milestones"]
    # A, entry: now 7 − 1 + 4 + 1 = 11; 28 days ago (5 May) 7; rate 4 ÷ 4 = 1.0 a week;
    # projected 11 + 1.0 × 28/7 = 15 < 21 → behind; needed (21 − 11) ÷ 4 = 2.5; planned 21 × 153/181 = 17.75.
    assert (entry["now"], entry["rate"], entry["projected"], entry["needed"]) == (11, 1.0, 15.0, 2.5)
    assert (entry["planned"], entry["days_left"], entry["status"]) == (17.8, 28, "behind")
    # A, posted: now 2, rate 2 ÷ 4 = 0.5; projected 2 + 0.5 × 181/7 = 14.93; needed 19 × 7/181 = 0.73.
    assert (posted["now"], posted["rate"], posted["projected"], posted["needed"]) == (2, 0.5, 14.9, 0.7)
    assert posted["status"] == "behind" and posted["days_left"] == 181
    assert (a["status"], a["good"]) == ("behind", False)
    # B, entry: now 12, 28 days ago 8, rate 1.0; projected 12 + 4 = 16 ≥ 14 → on course; needed 2 ÷ 4 = 0.5.
    b_entry = b["milestones"][0]
    assert (b_entry["now"], b_entry["rate"], b_entry["projected"], b_entry["needed"]) == (12, 1.0, 16.0, 0.5)
    assert (b["status"], b["good"]) == ("on_course", True)
    assert b["types"]["general"][0]["projected"] == 16.0 and b["types"]["factory"][0]["status"] == "no_target"
    # The county: 23 now, 15 four weeks ago, rate 2.0, projected 31 < 35.
    total = p["total"]["milestones"][0]
    assert (total["target"], total["now"], total["rate"], total["projected"]) == (35, 23, 2.0, 31.0)


def test_weekly_series_from_the_history(app, history):
    p = _run(app, history, ON)
    series = dict(p["stations"][0]["series"]["entry"])
    points = week_points(Y, ON)
    assert points[-1] == ON and points[0] == date(2024, 12, 30) and len(points) == 23
    assert series["2025-03-03"] == 0 and series["2025-03-10"] == 7
    assert series["2025-05-26"] == 11  # 7 + 4, the removal on 28 May not yet
    assert series["2025-06-02"] == 11  # − 1 removed + 1 at 23:30 China time; the 00:30 one is 3 June
    assert dict(p["stations"][0]["series"]["posted"])["2025-05-26"] == 2


def test_a_passed_milestone_reads_its_day_from_the_history(app, history):
    p = _run(app, history, date(2025, 7, 7))
    a_entry = p["stations"][0]["milestones"][0]
    # As of 30 June: 11 + the unit of 3 June = 12 < 21 → missed; the station is coloured by 30 November.
    assert (a_entry["projected"], a_entry["needed"], a_entry["status"]) == (12.0, None, "missed")
    b_entry = p["stations"][1]["milestones"][0]
    assert (b_entry["projected"], b_entry["status"]) == (12.0, "missed")  # 12 < 14
    assert p["stations"][0]["status"] == p["stations"][0]["milestones"][1]["status"]


def test_forecast_rules_on_plain_numbers():
    due = date(2025, 6, 30)
    on = date(2025, 6, 2)
    series = {on: 20, date(2025, 5, 5): 10}
    got = forecast(series, 20, 2025, due, on)
    assert got["status"] == "reached" and got["needed"] == 0
    assert forecast({on: 0, date(2025, 5, 5): 0}, 0, 2025, due, on)["status"] == "no_target"
    on_due = forecast({due: 5, date(2025, 6, 2): 1}, 13, 2025, due, due)
    assert (on_due["rate"], on_due["needed"], on_due["status"]) == (1.0, 8.0, "behind")


def test_chart_geometry_spans_the_year(app, history):
    p = _run(app, history, ON)
    g = chart.geometry(p["stations"][0], Y, p["on"])
    assert g["ymax"] == 50  # 21 × 1.05 = 22.05 → 50
    entry = g["lines"][0]
    # From (31 Dec, 0) to (30 June, 21): x 30 + 262 × 181/365 = 159.9; y 8 + 120 × (1 − 21/50) = 77.6.
    assert entry["plan"] == "30.0,128.0 159.9,77.6" and entry["projection"]
    assert len(entry["actual"].split()) == 23


def test_dashboard_and_bulletin_show_the_pace(client, history):
    login(client, "admin")
    page = client.get("/?year=2023").get_data(as_text=True)
    assert "进度与预测" in page and 'class="pace-chart"' in page and "<script" not in page.split("<main")[-1]


def test_the_bulletin_keeps_the_pace_of_its_month(client, history, app):
    with app.app_context():
        from server.account.models import User
        from server.rhythm.bulletin import compute
        data = compute(db.session.get(User, history.ids["county_admin"]), "2025-05")
    p = data["pace"]
    assert p["on"] == "2025-05-31"
    a = p["stations"][0]["milestones"][0]
    # As of 31 May: 7 + 4 − 1 = 10 now; 3 May: 7; rate 0.75; 30 days left: 10 + 0.75 × 30/7 = 13.2.
    assert (a["now"], a["rate"], a["projected"], a["days_left"]) == (10, 0.8, 13.2, 30)


def test_bulletin_page_and_pdf_draw_the_pace(client, history, app):
    with app.app_context():
        from server.account.models import User
        from server.rhythm.bulletin import generate
        b = generate(db.session.get(User, history.ids["county_admin"]), "2025-05")
        db.session.commit()
        bid = b.id
    login(client, "admin")
    page = client.get(f"/bulletins/{bid}").get_data(as_text=True)
    assert "进度与预测（截至5月31日）" in page and page.count('class="pace-chart"') == 2
    assert "进度预测" in page and "每周需" in page
    pdf = client.get(f"/bulletins/{bid}.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    from openpyxl import load_workbook
    import io
    wb = load_workbook(io.BytesIO(client.get(f"/bulletins/{bid}.xlsx").data))
    ws = wb["进度预测"]
    assert [c.value for c in ws[3]][:4] == ["五云所", "进度落后", "10/21", 0.8]
