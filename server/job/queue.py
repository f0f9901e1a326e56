"""The queue jobs wait on, from Huey (a maintained task queue): Redis in production, a SQLite file for
the embedded default, or nothing at all (run in process).

- REDIS_URL set: RedisHuey, keys under JOBS_QUEUE_NAME (several app servers and workers share it).
- otherwise: SqliteHuey in the instance folder (`jobs-queue.db`), which `flask jobs worker` reads;
  `make run` starts that worker beside the web server, and the queue outlives both.
- JOBS_QUEUE=inline: no queue; a job runs in the process that started it, once its row is committed.

The queue carries only a job's id; everything else is in the Job row (server.job.models), so a job
survives a restart of the app and of the worker as long as the queue keeps its message.
"""
import os

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab


# Every so many minutes a worker makes a new roll-up snapshot of each city and the province
# (region.snapshot.refresh_all; said in the README's roll-up section).
ROLLUP_REFRESH_MINUTES = 30


def make_queue(app: Flask) -> Huey:
    """A Huey instance for the app's settings, with the job runner, the stale-job sweep and the roll-up
    refresh as its tasks."""
    name = app.config["JOBS_QUEUE_NAME"]
    if app.config["JOBS_QUEUE"] == "inline":
        huey = Huey(name, immediate=True, results=False)
    elif app.config["REDIS_URL"]:
        huey = RedisHuey(name, url=app.config["REDIS_URL"], results=False)
    else:
        huey = SqliteHuey(name, filename=os.path.join(app.instance_path, "jobs-queue.db"), results=False)

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        from server.job import service
        with app.app_context():
            service.run(job_id)

    @huey.periodic_task(crontab(minute="*"), name="sweep_jobs")
    def sweep_jobs() -> None:
        from server.job import service
        with app.app_context():
            service.sweep()

    @huey.periodic_task(crontab(minute=f"*/{ROLLUP_REFRESH_MINUTES}"), name="refresh_rollups")
    def refresh_rollups() -> None:
        from server.region import snapshot
        with app.app_context():
            snapshot.refresh_all()

    huey.run_job = run_job
    return huey


def get_queue(app: Flask | None = None) -> Huey:
    """The app's queue, made once per app."""
    app = app or current_app._get_current_object()
    huey = app.extensions.get("job_queue")
    if huey is None:
        huey = app.extensions["job_queue"] = make_queue(app)
    return huey


def enqueue(job_id: int) -> None:
    """Put a job's id on the queue (or, inline, run it now). Raises the queue's own error when it is
    unreachable (redis.exceptions.ConnectionError, sqlite3.OperationalError)."""
    get_queue().run_job(job_id)
