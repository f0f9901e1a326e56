"""Consumer evaluations that feed the record (issue 19, item 5): stars per 八有八无 pair on the public form, the
staff unit page's averages per pair and trend, and the rule of repeated low stars in the daily patrol."""
import re
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from server.account.models import User
from server.core.clock import today
from server.extensions import db
from server.feedback.models import Evaluation
from server.feedback.record import low_star_units, trend
from server.rhythm import patrol
from server.unit.models import Unit
from tests.conftest import login
from tests.signage.conftest import evaluated, issue  # noqa: F401
from tests.sync.conftest import checklist  # noqa: F401

DAY = date(2026, 11, 20)


def _at(day: date, hh: int = 12, mm: int = 0) -> datetime:
    """A China-time moment of `day` as stored (UTC, naive)."""
    return datetime.combine(day, time(hh, mm)) - timedelta(hours=8)


def _evaluation(world, unit="unit_a", station="a", stars=1, at=None, pairs=None):
    e = Evaluation(unit_id=world.ids[unit], county_id=world.ids["county"], station_id=world.ids[station],
                   stars=stars, pair_stars=pairs or {}, tags=[], comment=f"{stars}星体验", address_hash="x",
                   created_at=at or _at(DAY))
    db.session.add(e)
    db.session.flush()
    return e


def _low(world, day=DAY):
    return [(r["unit_id"], r["n"], r["avg"]) for r in low_star_units([world.ids["a"], world.ids["b"]], day)]


def test_one_low_evaluation_is_not_repeated(ctx, world):
    _evaluation(world, stars=1)
    assert _low(world) == []


def test_two_evaluations_averaging_exactly_the_threshold_are_listed(ctx, world):
    _evaluation(world, stars=1, at=_at(DAY - timedelta(days=3)))
    _evaluation(world, stars=3)
    assert _low(world) == [(world.ids["unit_a"], 2, 2.0)]


def test_an_average_just_above_the_threshold_is_not_listed(ctx, world):
    _evaluation(world, stars=2)
    _evaluation(world, stars=3)
    assert _low(world) == []


def test_the_window_is_thirty_china_days_ending_with_the_day(ctx, world):
    first_day = DAY - timedelta(days=29)
    _evaluation(world, stars=1, at=_at(first_day, 0, 0))  # 00:00 China time on the window's first day: in
    _evaluation(world, stars=1, at=_at(DAY, 23, 59))  # the day's last minute: in
    _evaluation(world, stars=5, at=_at(first_day - timedelta(days=1), 23, 59))  # a minute before: out
    _evaluation(world, stars=5, at=_at(DAY + timedelta(days=1), 0, 0))  # the next day: out
    assert _low(world) == [(world.ids["unit_a"], 2, 1.0)]
    # a day later the first one has left the window: one evaluation in it (1★) and the 5★ of the next day
    assert _low(world, DAY + timedelta(days=1)) == []


def test_thresholds_are_settings(app, ctx, world, monkeypatch):
    for stars in (1, 2, 3):
        _evaluation(world, stars=stars)
    assert _low(world) == [(world.ids["unit_a"], 3, 2.0)]
    monkeypatch.setitem(app.config, "LOW_STARS_MIN_COUNT", 4)
    assert _low(world) == []
    monkeypatch.setitem(app.config, "LOW_STARS_MIN_COUNT", 2)
    monkeypatch.setitem(app.config, "LOW_STARS_MAX_AVG", 1.5)
    assert _low(world) == []
    monkeypatch.setitem(app.config, "LOW_STARS_MAX_AVG", 2.0)
    monkeypatch.setitem(app.config, "LOW_STARS_DAYS", 1)
    _evaluation(world, stars=5, at=_at(DAY - timedelta(days=1)))  # outside a one-day window
    assert _low(world) == [(world.ids["unit_a"], 3, 2.0)]


def test_units_are_kept_apart_and_to_their_station(ctx, world):
    _evaluation(world, stars=1)
    _evaluation(world, unit="unit_b", station="b", stars=1)
    assert _low(world) == []  # one low evaluation each
    _evaluation(world, unit="unit_b", station="b", stars=2)
    assert low_star_units([world.ids["a"]], DAY) == []
    assert [r["unit_id"] for r in low_star_units([world.ids["b"]], DAY)] == [world.ids["unit_b"]]


def test_the_daily_patrol_lists_the_unit_with_its_evaluations_linked(app, client, world):
    with app.app_context():
        first = _evaluation(world, stars=2, at=_at(DAY - timedelta(days=10)))
        second = _evaluation(world, stars=1)
        db.session.commit()
        admin = db.session.get(User, world.ids["admin_a"])
        items = [i for i in patrol.daily_list(admin, world.ids["a"], DAY)["items"] if i["kind"] == "多次低星评价"]
        assert len(items) == 1
        item = items[0]
        assert item["unit_id"] == world.ids["unit_a"] and item["title"] == "近30天2条评价，平均1.5星"
        assert [e["id"] for e in item["evaluations"]] == [first.id, second.id]
        patrol.mark_handled(admin, world.ids["a"], DAY, item["key"], "已约谈经营者")
        db.session.commit()
        marked = {i["key"]: i["mark"] for i in patrol.daily_list(admin, world.ids["a"], DAY)["items"]}
        assert marked[item["key"]] is not None
        third = _evaluation(world, stars=1, at=_at(DAY, 18))  # another low one: the unit is back, unhandled
        db.session.commit()
        again = [i for i in patrol.daily_list(admin, world.ids["a"], DAY)["items"] if i["kind"] == "多次低星评价"]
        assert again[0]["key"] != item["key"] and again[0]["mark"] is None
        assert [e["id"] for e in again[0]["evaluations"]] == [first.id, second.id, third.id]
        assert patrol.daily_list(db.session.get(User, world.ids["admin_b"]), world.ids["b"], DAY)["items"] == []
    login(client, "a_admin")
    page = client.get(f"/patrol?day={DAY.isoformat()}").get_data(as_text=True)
    assert "多次低星评价" in page and "近30天3条评价" in page
    assert f'href="/units/{world.ids["unit_a"]}#consumer-evaluation-{first.id}"' in page


def test_trend_is_per_china_month_over_twelve_months(ctx, world):
    evs = [_evaluation(world, stars=1, at=_at(date(2026, 10, 31), 23, 30)),  # 31 Oct China time
           _evaluation(world, stars=4, at=_at(date(2026, 11, 1), 0, 30)),   # 1 Nov China time (31 Oct UTC)
           _evaluation(world, stars=2, at=_at(date(2026, 11, 15))),
           _evaluation(world, stars=5, at=_at(date(2025, 11, 30)))]  # thirteen months back: not shown
    months = trend(evs, DAY)
    assert len(months) == 12 and months[0]["month"] == date(2025, 12, 1) and months[-1]["month"] == date(2026, 11, 1)
    assert (months[-2]["n"], months[-2]["avg"]) == (1, 1.0)
    assert (months[-1]["n"], months[-1]["avg"], months[-1]["label"]) == (2, 3.0, "2026年11月")
    assert months[0]["n"] == 0 and months[0]["avg"] is None and months[0]["h"] == 0
    assert months[-1]["h"] > months[-2]["h"]


def test_the_staff_unit_page_shows_pairs_trend_and_evaluations(app, client, world, checklist):  # noqa: F811
    now = datetime.combine(today(), time(12)) - timedelta(hours=8)
    with app.app_context():
        e1 = _evaluation(world, stars=2, at=now - timedelta(days=1), pairs={"pricing": 1, "quality": 3}).id
        _evaluation(world, stars=4, at=now, pairs={"pricing": 2})
        db.session.commit()
    login(client, "a_admin")
    page = client.get(f"/units/{world.ids['unit_a']}").get_data(as_text=True)
    section = page[page.index('id="consumer-evaluations"'):]
    assert "2条，平均3.0星" in section
    row = re.search(r"有明码标价 · 无价格欺诈</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>(\d+)</td>", section)
    assert row and row.groups() == ("1.5星", "2")
    row = re.search(r"有质量保证 · 无假冒伪劣</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>(\d+)</td>", section)
    assert row and row.groups() == ("3.0星", "1")
    row = re.search(r"有证照明示 · 无乱摆乱放</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>(\d+)</td>", section)
    assert row and row.groups() == ("—", "0")
    assert "<svg" in section and "按月趋势" in section
    assert f'id="consumer-evaluation-{e1}"' in section and "有明码标价·无价格欺诈 1星" in section
    assert "pricing" not in section.split("</section>")[0]  # no raw codes shown
    login(client, "b_admin")
    assert client.get(f"/units/{world.ids['unit_a']}").status_code == 404


def test_the_public_form_takes_stars_per_pair(app, client, world, evaluated, checklist):  # noqa: F811
    _, token, _ = issue(app, world)
    form = client.get(f"/s/{token}/evaluate").get_data(as_text=True)
    assert 'name="pair.pricing"' in form and "有明码标价 · 无价格欺诈" in form
    r = client.post(f"/s/{token}/evaluate", data={"stars": "3", "pair.pricing": "2", "pair.license": "",
                                                   "pair.quality": "5"})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Evaluation.pair_stars)) == {"quality": 5, "pricing": 2}


@pytest.mark.parametrize("extra, message", [({"pair.pricing": "6"}, "分项打分须为"),
                                            ({"pair.nonsense": "3"}, "分项打分须为"),
                                            ({"pair.pricing": "两星"}, "分项打分须为")])
def test_bad_stars_per_pair_store_nothing(app, client, world, evaluated, checklist, extra, message):  # noqa: F811
    _, token, _ = issue(app, world)
    r = client.post(f"/s/{token}/evaluate", data={"stars": "3", **extra})
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 0
