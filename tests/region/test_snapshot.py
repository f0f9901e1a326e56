"""The roll-up as a dated report (issue 20 item 5, issue 21 item 2): a job counts it with the one roll-up
(region.service.overview) and keeps it; /region/ reads the latest, with its time; the scope; no person in
it. On real queues with a worker: tests/job/test_bulletins_rollup.py."""
import json
import re
from datetime import datetime

import sqlalchemy as sa

from server.extensions import db
from server.job.models import Job
from server.region import service as region
from server.region import snapshot
from server.region.models import RollupSnapshot
from tests.conftest import YEAR, login
from tests.region.test_region import ON, PHONE, _utc, land  # noqa: F401  (the hand-built land)


def _snaps(region_id):
    return db.session.scalars(sa.select(RollupSnapshot).where(RollupSnapshot.region_id == region_id)
                              .order_by(RollupSnapshot.id)).all()


def test_the_snapshot_is_the_live_roll_up(land):
    city = land.users["ls_user"]
    snap = snapshot.make(land.lishui.id, YEAR, on=ON)
    assert snap.data == json.loads(json.dumps(snapshot.to_data(region.overview(city, YEAR, ON))))
    # By hand (as in test_region): targets 19, certified 3; entered as of 30 June 3, posted as of 30 Nov 2
    data = snap.data
    assert (data["total_all"]["target"], data["total_all"]["certified"]) == (19, 3)
    entry, posted = data["deadlines"]
    assert (entry["done"], entry["today"], entry["due"], posted["done"]) == (3, 4, f"{YEAR}-06-30", 2)
    assert [(c["name"], c["total_all"]["certified"]) for c in data["counties"]] == [("缙云县", 2), ("莲都区", 1)]
    # The periodic refresh makes one for each region with an account, each its own
    assert snapshot.refresh_all(on=ON) == 3
    whole = snapshot.latest(land.users["zj_user"], YEAR)
    assert whole.data == json.loads(json.dumps(snapshot.to_data(region.overview(land.users["zj_user"], YEAR, ON))))
    assert (whole.data["total_all"]["target"], whole.data["total_all"]["certified"]) == (119, 4)
    assert [c["name"] for c in snapshot.latest(land.users["hz_user"], YEAR).data["counties"]] == ["西湖区"]
    # Only the newest few are kept
    for _ in range(snapshot.KEEP + 2):
        snapshot.make(land.lishui.id, YEAR, on=ON)
    assert len(_snaps(land.lishui.id)) == snapshot.KEEP


def test_no_person_in_the_snapshot(land):
    snapshot.refresh_all(on=ON)
    for username in ("ls_user", "zj_user"):
        text = json.dumps(snapshot.latest(land.users[username], YEAR).data, ensure_ascii=False)
        assert not PHONE.search(text)
        for person in ("张三丰", "欧阳明", "王老板", "3123456", "1390000", "汇总查看"):
            assert person not in text
        assert "五云所" not in text  # no station, no unit: counties and sums only


def test_the_page_shows_the_latest_snapshot_and_its_time_not_a_live_count(app, client, land):
    snap = snapshot.make(land.lishui.id, YEAR, on=ON)
    snap.made_at = datetime(2026, 11, 29, 2, 5)  # 10:05 in Beijing
    db.session.commit()
    # A unit certified after the snapshot is not on the page until it is counted again
    u = land.unit(land.b1, [("pool", _utc(YEAR, 2, 1)), ("profiled", _utc(YEAR, 3, 1)),
                            ("evaluated", _utc(YEAR, 4, 1)), ("sign_issued", _utc(YEAR, 5, 1))])
    db.session.commit()
    assert u.id
    login(client, "ls_user")
    html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
    assert "数据截至 2026-11-29 10:05（北京时间）" in html
    assert re.search(r"放心消费单位合计</span>\s*<span class=\"stat-value\">3<small>", html)
    assert "尚无" not in html and not db.session.scalars(sa.select(Job)).all()
    # 刷新 starts the job (in process here), whose page leads back; the page then shows 4
    r = client.post(f"/region/refresh?year={YEAR}")
    assert r.status_code == 303
    job_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "各县进度汇总刷新" in job_page and "查看各县进度汇总" in job_page
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.kind, job.status, job.done, job.total, job.county_id) == ("rollup_snapshot", "done", 1, 1, None)
    newest = snapshot.latest(land.users["ls_user"], YEAR)
    assert newest.job_id == job.id and job.result["snapshot_id"] == newest.id
    html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
    assert re.search(r"放心消费单位合计</span>\s*<span class=\"stat-value\">4<small>", html)
    assert "10:05" not in html


def test_with_no_snapshot_yet_the_page_starts_one(app, client, land):
    login(client, "ls_user")
    html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
    # In process (JOBS_QUEUE=inline) the job has run before the page is drawn; on a queue the page says
    # it has started (tests/job/test_bulletins_rollup.py)
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.kind, job.status, job.params["year"]) == ("rollup_snapshot", "done", YEAR)
    assert "数据截至" in html and "缙云县" in html and "莲都区" in html


def test_each_region_sees_only_its_own_snapshot(app, client, land):
    snapshot.refresh_all(on=ON)
    login(client, "hz_user")
    html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
    assert "西湖区" in html and "缙云县" not in html and "莲都区" not in html
    assert "杭州市市场监督管理局" in html
    login(client, "ls_user")
    html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
    assert "缙云县" in html and "西湖区" not in html
    for username in ("a_admin", "a1_admin"):
        login(client, username)
        assert client.get(f"/region/?year={YEAR}").status_code == 403
        assert client.post(f"/region/refresh?year={YEAR}").status_code == 403
    assert len(db.session.scalars(sa.select(Job)).all()) == 0


def test_no_person_on_the_page_from_a_snapshot(app, client, land):
    snapshot.refresh_all(on=ON)
    login(client, "zj_user")
    html = client.get(f"/region/?year={YEAR}").get_data(as_text=True)
    assert "西湖区" in html and "数据截至" in html
    assert not PHONE.search(html)
    for person in ("张三丰", "欧阳明", "王老板", "3123456", "1390000"):
        assert person not in html


def test_a_worker_makes_them_every_30_minutes(app, land):
    from server.job.queue import get_queue
    huey = get_queue(app)

    def due(minute):
        return sorted(t.name for t in huey.read_periodic(datetime(2026, 11, 29, 10, minute)))
    assert due(30) == due(0) == ["refresh_rollups", "sweep_jobs"]
    assert due(7) == ["sweep_jobs"]
    task = next(t for t in huey.read_periodic(datetime(2026, 11, 29, 10, 30)) if t.name == "refresh_rollups")
    huey.execute(task)
    db.session.rollback()  # see what the task committed
    for username in ("ls_user", "hz_user", "zj_user"):
        assert snapshot.latest(land.users[username], YEAR).job_id is None
