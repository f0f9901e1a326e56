"""Jobs on real queues, run by a real `flask jobs worker` process: Redis (as in production) and the
embedded default (a SQLite queue file). A job started while no worker runs waits in the queue and is
done once one starts: the queue, not a process, holds it."""
import io

import pypdf
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.signage.models import Sign
from tests.conftest import YEAR, login
from tests.job.conftest import redis_queue, sqlite_queue, wait_finished
from tests.signage.conftest import evaluated, issue  # noqa: F401  (fixture)


QUEUES = [pytest.param(redis_queue, id="redis"), pytest.param(sqlite_queue, id="sqlite")]


@pytest.mark.parametrize("queue", QUEUES)
def test_a_batch_waits_in_the_queue_until_a_worker_runs_it(app, client, world, evaluated, worker, queue):
    issue(app, world, "unit_a")
    issue(app, world, "unit_b", admin="admin_b")
    login(client, "a_admin")
    with queue(app, "batch") as huey:
        # Given no worker: the job is queued, the page says so and refreshes itself.
        r = client.post("/signs/batch", data={"station_id": world.ids["a"], "year": YEAR})
        job_id = int(r.headers["Location"].rsplit("/", 1)[1])
        assert [t.name for t in huey.pending()] == ["run_job"]
        html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert "排队中" in html and 'http-equiv="refresh"' in html
        # When a worker starts (as after a restart), it takes the job and makes the file.
        w = worker()
        job = wait_finished(app, job_id)
        assert (job.status, job.done, job.total, job.error) == ("done", 1, 1, ""), w.stop()
        assert "run_job" not in [t.name for t in huey.pending()]  # (the minute's sweep may be waiting)
        pdf = client.get(f"/jobs/{job_id}/file")
        assert len(pypdf.PdfReader(io.BytesIO(pdf.get_data())).pages) == 1
        with app.app_context():
            counts = dict(db.session.execute(sa.select(Sign.station_id, Sign.print_count)).all())
        assert counts == {world.ids["a"]: 1, world.ids["b"]: 0}
        # A second job goes to the running worker at once.
        r = client.post("/signs/batch", data={"station_id": world.ids["a"], "year": YEAR})
        second = wait_finished(app, int(r.headers["Location"].rsplit("/", 1)[1]))
        assert second.status == "done"
        out = w.stop()
    assert "后台任务进程" in out
    with app.app_context():
        assert db.session.scalar(sa.select(Sign.print_count).where(Sign.station_id == world.ids["a"])) == 2


@pytest.mark.parametrize("flag,periodic", [([], True), (["--no-periodic"], False)])
def test_only_the_worker_asked_to_schedules_the_periodic_tasks(app, monkeypatch, flag, periodic):
    # Given the embedded queue, and a consumer that records how it was made instead of running
    from huey import Huey
    made = []

    class Consumer:
        def run(self):
            pass
    monkeypatch.setattr(Huey, "create_consumer", lambda self, **kw: made.append(kw) or Consumer())
    with sqlite_queue(app, "periodic"):
        # When `flask jobs worker` starts with or without --no-periodic
        result = app.test_cli_runner().invoke(args=["jobs", "worker", *flag])
    # Then its consumer schedules the periodic tasks only when asked to, and it says so in Chinese
    assert result.exit_code == 0, result.output
    assert made[0]["periodic"] is periodic
    assert ("不发起周期任务" in result.output) is not periodic
