"""The dashboard: totals, the station × type table and the deadlines, scoped to the user's station."""
from tests.conftest import YEAR


def test_county_admin_sees_every_station(as_user):
    page = as_user("admin").get("/").get_data(as_text=True)
    assert f"{YEAR}年度放心消费建设进度" in page
    assert "五云所" in page and "壶镇分局" in page
    assert "目标 18" in page  # 10 + 8 general units
    assert "培育库" in page and "标识张贴" in page and "已移出" in page
    assert "6月30日前" in page and "11月30日前" in page
    assert "已过期 差" in page or "剩" in page


def test_station_admin_sees_only_their_station(as_user):
    page = as_user("a_admin").get("/").get_data(as_text=True)
    assert "五云所" in page
    assert "壶镇分局" not in page
    assert "目标 10" in page


def test_year_chooser(as_user):
    client = as_user("admin")
    page = client.get("/?year=2024").get_data(as_text=True)
    assert "2024年度放心消费建设进度" in page
    assert client.get("/?year=abc").status_code == 200  # a bad year falls back to the default


def test_pages_need_login(client, world):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
