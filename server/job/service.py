"""Jobs: start one (it is queued once its row is committed), run it in a worker, report progress, see
it (the starter, the county's admins, the station's admins), retry a failed one, and fail the ones a
dead worker left behind.

A job's kind names a handler registered with `handler(kind)` by the domain that owns the work
(server.signage.jobs, server.unit.jobs, server.rhythm.jobs). A handler is called as
`fn(job, user, progress)` inside the worker's app context with the starter as the actor; it reads
`job.params`, calls `progress(done, total)` while it has no writes pending, and returns a
`Result`. The file in a Result is put in the photo store before anything the handler wrote is
committed, so whatever the work counts (a sign's print) is counted only once its file exists.
"""
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO, Callable

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.session import Session

from server.account.models import User
from server.core.clock import utcnow
from server.core.context import Actor, reset_actor, set_actor
from server.core.errors import DomainError, Invalid, NotFound
from server.extensions import db
from server.job.models import KINDS, Job

log = logging.getLogger(__name__)
HANDLERS: dict[str, Callable] = {}
PROGRESS_EVERY_SECONDS = 0.5
STALE_MESSAGE = "后台处理中断（处理进程已停止或重启），本次未完成，请重试"
QUEUE_DOWN_MESSAGE = "任务队列暂时不可用，未能开始，请稍后重试"
STORE_DOWN_MESSAGE = "文件存储暂时不可用，本次未完成，请稍后重试"
INTERNAL_MESSAGE = "处理时出错，本次未完成，请重试；仍不成功请联系管理员"


@dataclass
class Result:
    """What a handler made: a file (bytes or a readable file, which is closed once stored; its download
    name and type) and/or a small summary."""

    data: bytes | BinaryIO | None = None
    name: str = ""
    mimetype: str = "application/octet-stream"
    summary: dict = field(default_factory=dict)


def handler(kind: str):
    """Register the function that does a kind of job (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")

    def wrap(fn):
        HANDLERS[kind] = fn
        return fn
    return wrap


def start(user: User, kind: str, params: dict, *, station_id: int | None = None, total: int = 0) -> Job:
    """A new job for the user, flushed; it goes on the queue when the caller's transaction commits."""
    job = Job(kind=kind, params=params, user_id=user.id, county_id=user.county_id, station_id=station_id,
              status="queued", total=total)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault("jobs_to_enqueue", []).append(job.id)
    return job


def visible_clause(user: User):
    """Which jobs a user may see, as a WHERE clause: the ones they started, and in their county every
    job (county admins) or their station's (station admins)."""
    mine = Job.user_id == user.id
    if user.role == "county_admin":
        return sa.or_(mine, Job.county_id == user.county_id)
    if user.role == "station_admin" and user.station_id:
        return sa.or_(mine, sa.and_(Job.county_id == user.county_id, Job.station_id == user.station_id))
    return mine


def recent(user: User, limit: int = 50) -> list[Job]:
    """The newest jobs the user may see, newest first."""
    return db.session.scalars(sa.select(Job).where(visible_clause(user)).order_by(Job.id.desc()).limit(limit)).all()


def get(user: User, job_id: int) -> Job:
    """A job the user may see; NotFound (404) otherwise, so others cannot learn that it exists."""
    job = db.session.scalar(sa.select(Job).where(Job.id == job_id, visible_clause(user)))
    if job is None:
        raise NotFound("找不到该任务")
    return job


def retry(user: User, job_id: int) -> Job:
    """Start a failed job again (same kind and parameters) as a new job run for this user."""
    old = get(user, job_id)
    if old.status != "failed":
        raise Invalid("只有失败的任务可以重试")
    job = start(user, old.kind, dict(old.params), station_id=old.station_id, total=old.total)
    job.retry_of_id = old.id
    return job


def run(job_id: int) -> None:
    """Run a queued job to the end (in the worker, inside an app context). A job already taken by
    another worker, finished or gone is left alone, so a message delivered twice runs once."""
    import server.job.kinds  # noqa: F401  (every kind's handler registered)
    now = utcnow()
    claimed = db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status == "queued")
                                 .values(status="running", started_at=now, beat_at=now))
    db.session.commit()
    if claimed.rowcount != 1:
        return
    job = db.session.get(Job, job_id)
    user = db.session.get(User, job.user_id)
    token = set_actor(Actor(user.id, f"job:{job.id}"))
    # Handlers render templates (a bulletin's PDF) as a request would: url_for needs a request context.
    request_ctx = current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"])
    request_ctx.push()
    try:
        from flask import g
        g.user = user
        result = HANDLERS[job.kind](job, user, _progress(job))
        if result.data is not None:
            from server.photo.storage import current_storage
            key = f"jobs/{job.id}/result"
            try:
                current_storage().put(key, result.data)
            finally:
                getattr(result.data, "close", lambda: None)()
            job.result_key, job.result_name, job.result_type = key, result.name, result.mimetype
        job.result = result.summary or None
        job.status, job.finished_at = "done", utcnow()
        job.done = max(job.done, job.total)
        db.session.commit()
    except Exception as err:  # noqa: BLE001 — every failure is the job's, said in Chinese, and logged
        db.session.rollback()
        _fail(job_id, _reason(err))
    finally:
        request_ctx.pop()
        reset_actor(token)


def _reason(err: Exception) -> str:
    from server.photo.storage import StorageUnavailable
    if isinstance(err, DomainError):
        return err.message[:500]
    if isinstance(err, StorageUnavailable):
        return STORE_DOWN_MESSAGE
    from server.qrsign.font import FontError
    if isinstance(err, FontError):
        return err.message[:500]
    log.exception("job failed")
    return INTERNAL_MESSAGE


def _fail(job_id: int, message: str) -> None:
    db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status.in_(("queued", "running")))
                       .values(status="failed", error=message, finished_at=utcnow()))
    db.session.commit()


def _progress(job: Job) -> Callable[[int, int | None], None]:
    """progress(done, total): kept on the job row at most every PROGRESS_EVERY_SECONDS (and at the
    end); each write commits, so call it only while the handler has nothing else pending."""
    last = [0.0]

    def report(done: int, total: int | None = None) -> None:
        if total is not None:
            job.total = total
        job.done = done
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS or done >= job.total:
            last[0] = now
            job.beat_at = utcnow()
            db.session.commit()
    return report


def sweep(now=None) -> tuple[int, int]:
    """Jobs nobody is seeing to, after JOBS_STALE_SECONDS: a running job whose worker went silent (it
    died or was restarted mid-job; its message is gone) is failed with a reason, and a job still queued
    (its message lost, say Redis restarted without its data) is queued again — `run` takes a job once,
    so a second message is harmless. Returns (failed, queued again)."""
    from server.job.queue import enqueue
    now = now or utcnow()
    limit = now - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    failed = db.session.execute(sa.update(Job).where(Job.status == "running", Job.beat_at < limit)
                                .values(status="failed", error=STALE_MESSAGE, finished_at=now)).rowcount
    waiting = db.session.scalars(sa.select(Job.id).where(
        Job.status == "queued", sa.func.coalesce(Job.beat_at, Job.created_at) < limit)).all()
    if waiting:  # beat_at marks when it was queued again, so the next sweep waits as long again
        db.session.execute(sa.update(Job).where(Job.id.in_(waiting), Job.status == "queued").values(beat_at=now))
    db.session.commit()
    for job_id in waiting:
        enqueue(job_id)
    return failed, len(waiting)


@sa.event.listens_for(Session, "after_commit")
def _enqueue_committed(session) -> None:
    """Jobs started in a transaction go on the queue once it is committed (a worker must find the row).
    A queue that cannot be reached fails the job with a reason at once, rather than leave it waiting."""
    ids = session.info.pop("jobs_to_enqueue", None)
    if not ids:
        return
    from server.job.queue import enqueue
    app = current_app._get_current_object()
    for job_id in ids:
        try:
            enqueue(job_id)
        except Exception:  # noqa: BLE001 — redis or SQLite refusing: the job says so, the request stands
            log.exception("could not queue job %s", job_id)
            with app.app_context():
                _fail(job_id, QUEUE_DOWN_MESSAGE)


@sa.event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop("jobs_to_enqueue", None)
