"""gunicorn's settings for production: `gunicorn wsgi:app` in this folder reads them.

Sync workers, one per core plus one. A push waits on the database for about a sixth of its time
(2 workers on 2 cores kept them 84% busy), so one worker per core leaves the cores idle then; more
workers than one extra only take turns on the cores. With PostgreSQL on the same 2-core machine, 3 workers pushed 10-25% more
inspections per second than 4, in alternating runs of `bench/sync.py --workers N`. With the
database on another machine each request waits longer: set WEB_CONCURRENCY higher, and measure.
"""
import os


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


workers = int(os.environ.get("WEB_CONCURRENCY") or cores() + 1)
worker_class = "sync"
# Sign batches, import confirmation and bulletins are background jobs (server.job); a big import's preview
# is still checked in its request.
timeout = 120
