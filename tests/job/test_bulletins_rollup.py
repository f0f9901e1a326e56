"""Issue 21 item 2's leftovers as jobs: every station's bulletin for a month (a ZIP of PDFs in the photo
store, progress = stations done / total, failure with its reason and a retry) and a city's or the province's
roll-up export (XLSX, no person in it) — in process here, and on real queues (Redis, SQLite) with a worker."""
import io
import re
import zipfile

import pypdf
import pytest
from openpyxl import load_workbook

from server.account.models import User
from server.extensions import db
from server.job import service as jobs
from server.job.models import Job
from server.station.models import County, Region
from tests.conftest import PASSWORD, YEAR, login
from tests.job.conftest import redis_queue, sqlite_queue, wait_finished

PHONE = re.compile(r"1[3-9]\d{9}")
PEOPLE = ("张晓明", "李建国", "王丽华")
QUEUES = [pytest.param(redis_queue, id="redis"), pytest.param(sqlite_queue, id="sqlite")]


def _job(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _started(r) -> int:
    assert r.status_code == 303, r.get_data(as_text=True)
    return int(re.search(r"/jobs/(\d+)$", r.headers["Location"]).group(1))


@pytest.fixture
def city(app, world):
    """The world's county in a city with a read-only account "city_user"; the county's people have phones."""
    with app.app_context():
        region = Region(code="ls", name="丽水市市场监督管理局", kind="city")
        db.session.add(region)
        db.session.flush()
        db.session.get(County, world.ids["county"]).region_id = region.id
        for key, name in zip(("county_admin", "admin_a", "admin_b"), PEOPLE):
            u = db.session.get(User, world.ids[key])
            u.name, u.phone = name, "13812341234"
        pw = db.session.get(User, world.ids["admin_a"]).password_hash
        db.session.add(User(username="city_user", name="市局", role="city", region_id=region.id, password_hash=pw))
        db.session.commit()
    return "city_user"


def _pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_every_stations_bulletin_in_one_zip_with_progress_by_station(app, client, world):
    login(client, "a_admin")
    assert client.post("/bulletins/stations", data={"month": "2023-09"}).status_code == 403
    login(client, "admin")
    r = client.post("/bulletins/stations", data={"month": "2023-9x"})
    assert r.status_code == 303 and "month=2023-9x" in r.headers["Location"]
    assert "月份格式应为YYYY-MM" in client.get(r.headers["Location"]).get_data(as_text=True)
    job = _job(app, _started(client.post("/bulletins/stations", data={"month": "2023-09"})))
    assert (job.kind, job.status, job.done, job.total, job.error) == ("bulletin_stations", "done", 2, 2, "")
    assert job.result_key.startswith("jobs/") and job.result_name.endswith(".zip")
    z = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{job.id}/file").get_data()))
    names = z.namelist()
    assert names == ["01-五云所-2023-09月度通报.pdf", "02-壶镇分局-2023-09月度通报.pdf"]
    first, second = (_pdf_text(z.read(n)) for n in names)
    assert "五云所 · 2023年9月放心消费工作通报" in first and "壶镇分局" not in first
    assert "壶镇分局 · 2023年9月" in second and "五云所" not in second
    assert "全县" not in first and "全县" not in second  # a station's bulletin has no county total
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "各所月度通报" in html and "已完成" in html
    with app.app_context():  # nothing kept: the file is the result
        from server.rhythm.models import Bulletin
        assert db.session.scalar(db.select(db.func.count()).select_from(Bulletin)) == 0


def test_a_station_bulletins_job_that_fails_says_why_and_is_retried(app, client, world, tmp_path):
    login(client, "admin")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    good = app.config["PHOTO_STORAGE"]
    app.config["PHOTO_STORAGE"] = f"file://{blocker}/photos"
    try:
        job_id = _started(client.post("/bulletins/stations", data={"month": "2023-09"}))
    finally:
        app.config["PHOTO_STORAGE"] = good
    job = _job(app, job_id)
    assert job.status == "failed" and job.error == jobs.STORE_DOWN_MESSAGE and job.result_key is None
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert job.error in html and "重试" in html
    again = _job(app, _started(client.post(f"/jobs/{job_id}/retry")))
    assert (again.status, again.done, again.total, again.retry_of_id) == ("done", 2, 2, job_id)


def test_the_roll_up_export_is_a_job_of_the_city_with_no_person_in_it(app, client, world, city):
    login(client, city)
    job = _job(app, _started(client.post(f"/region/export?year={YEAR}")))
    assert (job.kind, job.status, job.done, job.total, job.county_id) == ("rollup_export", "done", 1, 1, None)
    data = client.get(f"/jobs/{job.id}/file")
    assert data.status_code == 200
    wb = load_workbook(io.BytesIO(data.get_data()))
    assert wb.sheetnames == ["各县汇总", "各所明细"]
    cells = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    text = " ".join(cells)
    assert "缙云县" in text and "五云所" in text and "合计" in text
    assert not PHONE.search(text) and not any(p in text for p in PEOPLE + ("王老板",))
    summary = list(wb["各县汇总"].iter_rows(values_only=True))
    assert summary[2][:3] == ("缙云县", 18, 0)  # targets 10 + 8, none certified
    # The job pages are the city's own: its list and page; the county's admins do not see it
    assert "各县进度汇总导出" in client.get("/jobs").get_data(as_text=True)
    login(client, "admin")
    assert client.get(f"/jobs/{job.id}").status_code == 404


def test_a_city_account_sees_no_county_job(app, client, world, city):
    login(client, "admin")
    job_id = _started(client.post("/bulletins/stations", data={"month": "2023-09"}))
    login(client, city)
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.get(f"/jobs/{job_id}/file").status_code == 404
    assert client.post(f"/jobs/{job_id}/retry").status_code == 404
    assert "各所月度通报" not in client.get("/jobs").get_data(as_text=True)


@pytest.mark.parametrize("queue", QUEUES)
def test_both_jobs_wait_in_the_queue_and_a_worker_does_them(app, client, world, city, worker, queue):
    admin, region = app.test_client(), app.test_client()
    login(admin, "admin")
    login(region, city)
    with queue(app, "bulletins") as huey:
        first = _started(admin.post("/bulletins/stations", data={"month": "2023-09"}))
        second = _started(region.post(f"/region/export?year={YEAR}"))
        assert [t.name for t in huey.pending()] == ["run_job", "run_job"]
        assert "排队中" in admin.get(f"/jobs/{first}").get_data(as_text=True)
        w = worker()
        done = [wait_finished(app, first), wait_finished(app, second)]
        assert [(j.status, j.done, j.total) for j in done] == [("done", 2, 2), ("done", 1, 1)], w.stop()
        assert len(zipfile.ZipFile(io.BytesIO(admin.get(f"/jobs/{first}/file").get_data())).namelist()) == 2
        assert region.get(f"/jobs/{second}/file").status_code == 200
        w.stop()


@pytest.mark.parametrize("queue", QUEUES)
def test_the_roll_up_snapshot_is_a_job_on_the_queue_started_by_the_first_visit(app, client, world, city, worker,
                                                                               queue):
    login(client, city)
    with queue(app, "rollup") as huey:
        html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
        assert "尚无2023年度的汇总数据，已开始统计" in html and "数据截至" not in html
        # A second visit names the same job rather than start another
        assert "尚无2023年度的汇总数据，正在统计" in client.get(f"/region/?year={YEAR}").get_data(as_text=True)
        assert [t.name for t in huey.pending()] == ["run_job"]
        with app.app_context():
            job_id = db.session.scalars(db.select(Job.id)).one()
        w = worker()
        job = wait_finished(app, job_id)
        assert (job.kind, job.status, job.done, job.total) == ("rollup_snapshot", "done", 1, 1), w.stop()
        html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
        assert "数据截至" in html and "尚无" not in html
        # 刷新 while a worker runs
        refresh = _started(client.post(f"/region/refresh?year={YEAR}"))
        assert wait_finished(app, refresh).status == "done", w.stop()
        w.stop()
    with app.app_context():
        from server.region.models import RollupSnapshot
        snaps = db.session.scalars(db.select(RollupSnapshot).order_by(RollupSnapshot.id)).all()
        assert [s.job_id for s in snaps] == [job_id, refresh]
        text = str(snaps[-1].data)
        assert not PHONE.search(text) and not any(p in text for p in PEOPLE)
