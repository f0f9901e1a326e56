"""Targets: county admins only; the grid saves through the station service."""
import pytest

from server.station.models import Target
from tests.conftest import YEAR


@pytest.mark.parametrize("username", ["a_admin", "a_insp"])
def test_refused_to_others(as_user, world, count, username):
    client = as_user(username)
    assert client.get("/targets").status_code == 403
    response = client.post("/targets", data={"year": YEAR, f"t-{world.ids['a']}-general": "99"})
    assert response.status_code == 403
    assert count(Target, Target.count == 99) == 0


def test_grid_shows_and_saves(as_user, world, count):
    client = as_user("admin")
    page = client.get(f"/targets?year={YEAR}").get_data(as_text=True)
    assert "五云所" in page and "放心工厂" in page and "村级消费维权联络站" in page
    assert f'name="t-{world.ids["a"]}-general" value="10"' in page
    response = client.post("/targets", data={"year": YEAR, f"t-{world.ids['a']}-general": "12",
                                             f"t-{world.ids['b']}-factory": "3", "t-county-liaison": "19"})
    assert response.status_code == 303
    assert count(Target, Target.station_id == world.ids["a"], Target.kind == "general", Target.count == 12) == 1
    assert count(Target, Target.station_id.is_(None), Target.kind == "liaison", Target.count == 19) == 1
    assert count(Target, Target.station_id == world.ids["b"], Target.kind == "general", Target.count == 8) == 1


def test_bad_cell_writes_nothing(as_user, world, count):
    response = as_user("admin").post("/targets", data={"year": YEAR, f"t-{world.ids['a']}-general": "12",
                                                       f"t-{world.ids['b']}-general": "-5"})
    assert response.status_code == 422 and "目标数应在0到100000之间" in response.get_data(as_text=True)
    assert count(Target, Target.count == 12) == 0


def test_new_year_and_copy(as_user, world, count):
    client = as_user("admin")
    assert "2024年度目标" in client.get("/targets?year=2024").get_data(as_text=True)
    assert client.post("/targets/copy", data={"year": 2024}).status_code == 303
    assert count(Target, Target.year == 2024) == 2
