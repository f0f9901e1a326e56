"""Jobs through the app: the sign batch as a job, its page and file, who may see it, failure and retry,
a dead worker's job, and a queue that cannot be reached (jobs run in process here; see test_queues)."""
import io
import re
from datetime import timedelta

import pypdf
import sqlalchemy as sa

from server.account.models import User
from server.core.clock import utcnow
from server.extensions import db
from server.job import service as jobs
from server.job.models import Job
from server.signage.models import Sign
from tests.conftest import YEAR, login
from tests.job.conftest import queue_config
from tests.photo.conftest import photo_dir  # noqa: F401  (fixture)
from tests.photo.test_seaweed import bucket  # noqa: F401  (fixture)
from tests.signage.conftest import evaluated, issue  # noqa: F401  (fixture)


def _prints(app) -> list[tuple[int, list[str]]]:
    with app.app_context():
        return [(s.print_count, [e.action for e in s.events]) for s in db.session.scalars(sa.select(Sign).order_by(Sign.id))]


def _job(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _start_batch(client, world):
    r = client.post("/signs/batch", data={"station_id": world.ids["a"], "year": YEAR})
    assert r.status_code == 303, r.get_data(as_text=True)
    return int(re.search(r"/jobs/(\d+)$", r.headers["Location"]).group(1))


def test_sign_batch_job_makes_the_file_then_counts_the_prints(app, client, world, evaluated):
    issue(app, world, "unit_a")
    login(client, "a_admin")
    job_id = _start_batch(client, world)
    job = _job(app, job_id)
    assert (job.kind, job.status, job.done, job.total, job.error) == ("sign_batch", "done", 1, 1, "")
    assert job.user_id == world.ids["admin_a"] and job.station_id == world.ids["a"]
    assert job.started_at <= job.finished_at and job.result == {"signs": 1}
    assert job.result_name == "五云所-2023年度标识-全部.pdf"
    assert _prints(app) == [(1, ["issue", "print"])]
    page = client.get(f"/jobs/{job_id}")
    html = page.get_data(as_text=True)
    assert "已完成" in html and 'value="1"' in html and "下载 五云所-2023年度标识-全部.pdf" in html
    assert "<script" not in html and "script-src" not in page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    pdf = client.get(f"/jobs/{job_id}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    assert len(pypdf.PdfReader(io.BytesIO(pdf.get_data())).pages) == 1
    # Downloading again counts nothing more: the print was counted when the file was made.
    client.get(f"/jobs/{job_id}/file")
    assert _prints(app) == [(1, ["issue", "print"])]


def test_a_queued_job_page_refreshes_itself_without_script(app, client, world):
    with app.app_context():
        db.session.add(Job(kind="sign_batch", params={"label": "五云所 2023年度 全部类型"}, user_id=world.ids["admin_a"],
                           county_id=world.ids["county"], station_id=world.ids["a"], status="running",
                           done=120, total=375, started_at=utcnow(), beat_at=utcnow()))
        db.session.commit()
        job_id = db.session.scalar(sa.select(Job.id))
    login(client, "a_admin")
    r = client.get(f"/jobs/{job_id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress id="job-progress" max="375" value="120">' in html and "120 / 375" in html
    assert "进行中" in html and "<script" not in html and "running" not in html
    assert client.get(f"/jobs/{job_id}/file").status_code == 404  # nothing to download yet


def test_only_the_starter_the_county_and_the_stations_admins_see_a_job(app, client, world, evaluated):
    issue(app, world, "unit_a")
    login(client, "admin")
    job_id = _start_batch(client, world)  # started by the county admin for station a
    for username, status in (("admin", 200), ("a_admin", 200), ("b_admin", 404), ("a_insp", 404), ("b_insp", 404)):
        login(client, username)
        assert client.get(f"/jobs/{job_id}").status_code == status, username
        assert client.get(f"/jobs/{job_id}/file").status_code == status, username
        listed = f'/jobs/{job_id}"' in client.get("/jobs").get_data(as_text=True)
        assert listed == (status == 200), username
    login(client, "a_insp")
    assert client.post("/signs/batch", data={"station_id": world.ids["a"], "year": YEAR}).status_code == 403
    login(client, "b_admin")
    assert client.post("/signs/batch", data={"station_id": world.ids["a"], "year": YEAR}).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 1


def test_a_job_whose_store_fails_says_why_counts_nothing_and_can_be_retried(app, client, world, evaluated, tmp_path):
    issue(app, world, "unit_a")
    login(client, "a_admin")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    good = app.config["PHOTO_STORAGE"]
    app.config["PHOTO_STORAGE"] = f"file://{blocker}/photos"  # a store that refuses every write
    try:
        job_id = _start_batch(client, world)
    finally:
        app.config["PHOTO_STORAGE"] = good
    job = _job(app, job_id)
    assert job.status == "failed" and job.error == jobs.STORE_DOWN_MESSAGE
    assert job.result_key is None and _prints(app) == [(0, ["issue"])]
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "失败" in html and job.error in html and "重试" in html and 'http-equiv="refresh"' not in html
    assert client.get(f"/jobs/{job_id}/file").status_code == 404
    # 重试: a new job with the same parameters; this time the file is made and the print counted.
    r = client.post(f"/jobs/{job_id}/retry")
    assert r.status_code == 303
    again = _job(app, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert again.status == "done" and again.retry_of_id == job_id and again.params == job.params
    assert _prints(app) == [(1, ["issue", "print"])]
    assert client.post(f"/jobs/{again.id}/retry").status_code == 422  # only a failed job is retried
    login(client, "b_admin")
    assert client.post(f"/jobs/{job_id}/retry").status_code == 404


def test_a_sign_revoked_while_its_batch_waits_fails_the_job_and_counts_nothing(app, client, world, evaluated):
    issue(app, world, "unit_a")
    login(client, "a_admin")
    with queue_config(app, JOBS_QUEUE="", REDIS_URL="", JOBS_QUEUE_NAME="revoked-test"):
        job_id = _start_batch(client, world)  # queued on the SQLite queue; no worker runs it here
        with app.app_context():
            sign = db.session.scalar(sa.select(Sign))
            sign.status = "revoked"
            db.session.commit()
            jobs.run(job_id)
    job = _job(app, job_id)
    assert job.status == "failed" and job.error == "没有可打印的标识"
    assert _prints(app) == [(0, ["issue"])]


def test_a_job_left_running_by_a_dead_worker_is_failed_with_a_reason(app, world):
    with app.app_context():
        old, fresh = utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 5), utcnow()
        for beat in (old, fresh):
            db.session.add(Job(kind="sign_batch", params={}, user_id=world.ids["admin_a"], county_id=world.ids["county"],
                               station_id=world.ids["a"], status="running", started_at=beat, beat_at=beat))
        db.session.commit()
        assert jobs.sweep() == (1, 0)
        rows = db.session.execute(sa.select(Job.status, Job.error).order_by(Job.id)).all()
        assert rows == [("failed", jobs.STALE_MESSAGE), ("running", "")]
        # A message for a job that is no longer queued runs nothing.
        jobs.run(db.session.scalar(sa.select(Job.id).order_by(Job.id)))
        assert db.session.scalar(sa.select(Job.status).order_by(Job.id)) == "failed"


def test_a_queue_that_cannot_be_reached_fails_the_job_at_once(app, client, world, evaluated):
    issue(app, world, "unit_a")
    login(client, "a_admin")
    with queue_config(app, JOBS_QUEUE="", REDIS_URL="redis://127.0.0.1:1/0", JOBS_QUEUE_NAME="down"):
        job_id = _start_batch(client, world)
    job = _job(app, job_id)
    assert job.status == "failed" and job.error == jobs.QUEUE_DOWN_MESSAGE
    assert _prints(app) == [(0, ["issue"])]


def test_a_job_is_queued_only_when_its_transaction_commits(app, world):
    with app.app_context():
        user = db.session.get(User, world.ids["admin_a"])
        jobs.start(user, "sign_batch", {"station_id": world.ids["a"], "year": YEAR, "type": None})
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0
        assert "jobs_to_enqueue" not in db.session.info


def test_an_import_job_waits_refuses_a_second_confirm_and_fails_with_the_reason_when_data_changed(app, client, world):
    from server.unit.importer import COLUMNS
    from server.unit.models import ImportBatch, Unit
    from tests.conftest import valid_uscc
    login(client, "a_admin")
    head = ",".join(label for _, label in COLUMNS)
    csv = f"{head}\n新店一,{valid_uscc(60)},五云街道3号,餐饮,,,五云所,一般放心消费单位,,,,,\n".encode()
    r = client.post("/units/import", data={"year": str(YEAR), "file": (io.BytesIO(csv), "units.csv")},
                    content_type="multipart/form-data")
    batch_id = int(r.headers["Location"].rsplit("/", 1)[1])
    with queue_config(app, JOBS_QUEUE="", REDIS_URL="", JOBS_QUEUE_NAME="import-test"):  # no worker here
        r = client.post(f"/units/import/{batch_id}/confirm")
        job_id = int(r.headers["Location"].rsplit("/", 1)[1])
        assert _job(app, job_id).status == "queued"
        again = client.post(f"/units/import/{batch_id}/confirm")
        assert again.status_code == 422 and "正在后台处理" in again.get_data(as_text=True)
        assert "正在后台处理" in client.get(f"/units/import/{batch_id}").get_data(as_text=True)
        # Meanwhile another import registers the same credit code: the job fails, saying so, importing nothing.
        with app.app_context():
            db.session.add(Unit(county_id=world.ids["county"], station_id=world.ids["a"], name="抢先登记",
                                uscc=valid_uscc(60), address="x", type="general"))
            db.session.commit()
            jobs.run(job_id)
    job = _job(app, job_id)
    assert job.status == "failed" and job.error.startswith("数据已变化：") and "已登记" in job.error
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 3
        assert db.session.get(ImportBatch, batch_id).status == "queued"
    assert "数据已变化" in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_bulletin_job_is_for_county_admins_and_keeps_the_bulletin_with_its_pdf(app, client, world):
    from server.rhythm.models import Bulletin
    login(client, "a_admin")
    r = client.post("/bulletins", data={"month": "2023-09"}, follow_redirects=True)
    assert "只有县局管理员可以生成月度通报" in r.get_data(as_text=True)
    login(client, "admin")
    r = client.post("/bulletins", data={"month": "2023-09"})
    job = _job(app, int(r.headers["Location"].rsplit("/", 1)[1]))
    assert (job.kind, job.status, job.done, job.total, job.station_id) == ("bulletin", "done", 2, 2, None)
    with app.app_context():
        kept = db.session.scalars(sa.select(Bulletin)).all()
        assert [b.id for b in kept] == [job.result["bulletin_id"]] and kept[0].month == "2023-09"
    pdf = pypdf.PdfReader(io.BytesIO(client.get(f"/jobs/{job.id}/file").get_data()))
    assert "2023年9月放心消费工作通报" in pdf.pages[0].extract_text()
    # A county-wide job is the county's: station admins do not see it.
    login(client, "a_admin")
    assert client.get(f"/jobs/{job.id}").status_code == 404


def test_a_job_whose_message_was_lost_is_queued_again_once_stale(app, world):
    with app.app_context(), queue_config(app, JOBS_QUEUE="", REDIS_URL="", JOBS_QUEUE_NAME="lost-test") as huey:
        long_ago = utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 5)
        for created in (long_ago, utcnow()):
            db.session.add(Job(kind="sign_batch", params={}, user_id=world.ids["admin_a"], county_id=world.ids["county"],
                               station_id=world.ids["a"], status="queued", created_at=created))
        db.session.commit()
        assert huey.pending_count() == 0  # as after Redis lost its data
        assert jobs.sweep() == (0, 1)
        assert huey.pending_count() == 1
        assert jobs.sweep() == (0, 0)  # not again until it has waited as long again
        assert huey.pending_count() == 1


def test_the_batch_file_lands_in_s3_and_is_served_from_there(app, client, world, evaluated, seaweed, bucket):
    """With photos in a real S3-compatible server (SeaweedFS), the job's PDF is an object of the bucket."""
    issue(app, world, "unit_a")
    login(client, "a_admin")
    job_id = _start_batch(client, world)
    job = _job(app, job_id)
    assert job.status == "done", job.error
    stored = seaweed.client().get_object(Bucket=bucket, Key=f"photos/{job.result_key}")["Body"].read()
    served = client.get(f"/jobs/{job_id}/file").get_data()
    assert served == stored and len(pypdf.PdfReader(io.BytesIO(served)).pages) == 1
