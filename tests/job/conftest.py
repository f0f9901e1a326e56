"""Fixtures for jobs: the app's queue switched to a real one for a test, and a real worker process."""
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from server.extensions import db
from server.job.models import Job
from server.job.queue import get_queue

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN = uuid.uuid4().hex[:10]  # every test run has its own queue names in Redis


@contextmanager
def queue_config(app, **config):
    """The app's job queue as `config` says (JOBS_QUEUE, REDIS_URL, JOBS_QUEUE_NAME) for a while; the
    queue is emptied afterwards."""
    old = {k: app.config[k] for k in config}
    app.config.update(config)
    app.extensions.pop("job_queue", None)
    try:
        yield get_queue(app)
    finally:
        huey = app.extensions.pop("job_queue", None)
        if huey is not None and not huey.immediate:
            try:
                huey.storage.flush_all()
            except Exception:  # noqa: BLE001 — a queue that was meant to be unreachable
                pass
        app.config.update(old)


def redis_queue(app, name: str):
    """The app's queue in Redis (TEST_REDIS_URL), under a name of this run; never a silent skip."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as err:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({err}); start it (.ci/run does)")
    return queue_config(app, JOBS_QUEUE="", REDIS_URL=REDIS_URL, JOBS_QUEUE_NAME=f"fangxin-test-{RUN}-{name}")


def sqlite_queue(app, name: str):
    return queue_config(app, JOBS_QUEUE="", REDIS_URL="", JOBS_QUEUE_NAME=f"fangxin-test-{RUN}-{name}")


class Worker:
    """`flask jobs worker --no-periodic` as its own process, on the test's database, photo store and queue.
    Without its periodic tasks: the roll-up refresh at :00 and :30 of the clock would add a snapshot to a
    test that happens to run across the half hour (tests/region/test_snapshot.py tests the schedule)."""

    def __init__(self, app):
        env = {**os.environ, "FLASK_APP": "wsgi", "INSTANCE_PATH": app.instance_path,
               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PHOTO_STORAGE": app.config["PHOTO_STORAGE"],
               "SECRET_KEY": app.config["SECRET_KEY"], "REDIS_URL": app.config["REDIS_URL"],
               "JOBS_QUEUE": app.config["JOBS_QUEUE"], "JOBS_QUEUE_NAME": app.config["JOBS_QUEUE_NAME"]}
        command = [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1", "--no-periodic"]
        self.proc = subprocess.Popen(command,
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop(self) -> str:
        """Stop it as Ctrl-C does (jobs in hand finish first); its output."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=60)
        return out


@pytest.fixture
def worker(app):
    started = []

    def start():
        w = Worker(app)
        started.append(w)
        return w
    yield start
    for w in started:
        w.stop()


def wait_finished(app, job_id: int, limit: float = 90.0) -> Job:
    """The job once it is done or failed (polled; `limit` seconds only bounds a worker that never comes)."""
    deadline = time.monotonic() + limit
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.finished:
                db.session.expunge(job)
                return job
        assert time.monotonic() < deadline, f"job {job_id} still {job.status} after {limit} s"
        time.sleep(0.2)
