"""The rhythm pages: patrol, look-back, bulletins, calendar."""
import re
from datetime import date

from tests.conftest import login


def test_patrol_lookback_and_bulletin_pages(client, world):
    login(client, "a_admin")
    r = client.get("/patrol?day=2023-09-10")
    assert r.status_code == 200 and "每天网上巡" in r.get_data(as_text=True)
    r = client.post("/patrol/done", data={"day": "2023-09-10", "note": "无异常"}, follow_redirects=True)
    assert "今日网上巡查已完成" in r.get_data(as_text=True)
    assert client.get("/lookback").status_code == 200
    assert "已生成的通报" in client.get("/bulletins").get_data(as_text=True)
    # station admins read bulletins but do not generate them
    r = client.post("/bulletins", data={"month": "2023-09"}, follow_redirects=True)
    assert "只有县局管理员可以生成月度通报" in r.get_data(as_text=True)
    assert client.get("/calendar").status_code == 403


def test_county_generates_a_bulletin_and_enters_a_holiday_year(client, world, app):
    login(client, "admin")
    r = client.post("/bulletins", data={"month": "2023-13"}, follow_redirects=True)
    assert "月份格式应为YYYY-MM" in r.get_data(as_text=True)
    # Generating is a job: its page links the kept bulletin and offers the PDF it printed.
    r = client.post("/bulletins", data={"month": "2023-09"})
    assert r.status_code == 303 and "/jobs/" in r.headers["Location"]
    job_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已完成" in job_page and "下载 2023年9月放心消费工作通报.pdf" in job_page
    pdf = client.get(r.headers["Location"] + "/file")
    assert pdf.status_code == 200 and pdf.get_data()[:5] == b"%PDF-"
    bid = re.search(r"/bulletins/(\d+)", job_page).group(1)
    page = client.get(f"/bulletins/{bid}").get_data(as_text=True)
    assert "2023年9月放心消费工作通报" in page and "五云所" in page
    assert client.get(f"/bulletins/{bid}.xlsx").status_code == 200
    r = client.post("/calendar", data={"year": "2027", "holidays": "2027-01-01 元旦\n2027-13-01 错", "workdays": ""})
    assert r.status_code == 422 and "第2行日期格式不正确" in r.get_data(as_text=True)
    r = client.post("/calendar", data={"year": "2027", "holidays": "2027-01-01 元旦", "workdays": "2027-02-20 调休"},
                    follow_redirects=True)
    assert "已保存2027年节假日安排" in r.get_data(as_text=True)
    from server.workday import service
    with app.app_context():
        assert 2027 in service.known_years()
        cal = service.Calendar.load(date(2027, 1, 1), date(2027, 3, 1))
        assert not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 2, 20))
