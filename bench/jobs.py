"""A station's batch of signs as a background job: how long from the button to the file, on a real queue.

Builds a throwaway database with one station of N units that passed post-evaluation and issues their
signs, starts `flask jobs worker` as its own process (the SQLite queue of the embedded default, or Redis
with --redis), starts the batch as the signs page does (POST /signs/batch as the station admin), and
watches the job row as its page would, then prints:
  - time from the click to 进行中 (queue latency) and to 已完成 (the whole job), and signs per second;
  - how many distinct progress values the page could have shown (polled every 0.5 s);
  - the PDF's size, and the worker's peak RSS (ru_maxrss of the process, from os.wait4).

    .venv/bin/python bench/jobs.py [--signs 375] [--redis redis://127.0.0.1:6379/0] [--database-url URL]
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
YEAR = 2023


def build(app, n: int) -> None:
    """One county, station 'wuyun' with a station admin 'a' (password 'bench-pass-1') and n signs."""
    from server.account.service import hash_password
    from server.extensions import db
    from bench.world import station_with_signs
    with app.app_context():
        db.drop_all()
        db.create_all()
        station_with_signs(n, "a", hash_password("bench-pass-1"), year=YEAR)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--signs", type=int, default=375)
    ap.add_argument("--redis", default="", help="REDIS_URL for the queue (default: the SQLite queue file)")
    ap.add_argument("--database-url", default="", help="default: a SQLite file in a temporary folder")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fangxin-bench-jobs-")
    env = {**os.environ, "INSTANCE_PATH": tmp, "FLASK_APP": "wsgi", "SECRET_KEY": "bench",
           "DATABASE_URL": a.database_url or f"sqlite:///{tmp}/bench.db", "PHOTO_STORAGE": f"file://{tmp}/photos",
           "REDIS_URL": a.redis, "JOBS_QUEUE": "", "JOBS_QUEUE_NAME": f"fangxin-bench-{uuid.uuid4().hex[:8]}"}
    os.environ.update(env)
    from server import create_app
    from server.extensions import db
    from server.job.models import Job
    from server.station.models import Station
    app = create_app({"WTF_CSRF_ENABLED": False})
    build(app, a.signs)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    worker.stdout.readline()  # its start-up line: the worker is ready before the click
    try:
        client = app.test_client()
        client.post("/login", data={"username": "a", "password": "bench-pass-1"})
        with app.app_context():
            station_id = db.session.scalar(db.select(Station.id).where(Station.code == "wuyun"))
        t0 = time.perf_counter()
        r = client.post("/signs/batch", data={"station_id": station_id, "year": YEAR})
        clicked = time.perf_counter() - t0
        job_id = int(r.headers["Location"].rsplit("/", 1)[1])
        started = None
        values = set()
        while True:
            with app.app_context():
                job = db.session.get(Job, job_id)
                values.add(job.done)
                if started is None and job.status != "queued":
                    started = time.perf_counter() - t0
                if job.finished:
                    break
            time.sleep(0.5)
        took = time.perf_counter() - t0
        with app.app_context():
            job = db.session.get(Job, job_id)
            size = os.path.getsize(Path(tmp, "photos", *job.result_key.split("/"))) / 1e6
            status, error, total = job.status, job.error, job.total
    finally:
        worker.send_signal(signal.SIGINT)
        _, _, usage = os.wait4(worker.pid, 0)
        if "job_queue" in app.extensions:
            app.extensions["job_queue"].storage.flush_all()
    queue = "Redis" if a.redis else "SQLite queue file"
    database = env["DATABASE_URL"].split(":")[0]
    print(f"sign batch job of {total} signs, {queue}, {database} database: {status}{' ' + error if error else ''}")
    print(f"  POST /signs/batch answered in {clicked * 1000:.0f} ms; job started after {started:.2f} s; "
          f"done after {took:.1f} s ({total / took:.1f} signs/s)")
    print(f"  progress values seen polling every 0.5 s: {len(values)}; PDF {size:.0f} MB; "
          f"worker peak RSS {usage.ru_maxrss / 1024:.0f} MB; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
