"""gunicorn.conf.py as gunicorn itself reads it, the way the README runs production."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings(**env) -> dict:
    base = {k: v for k, v in os.environ.items() if k != "WEB_CONCURRENCY"}
    out = subprocess.run([sys.executable, "-m", "gunicorn", "--print-config", "wsgi:app"], cwd=ROOT,
                         env={**base, **env}, capture_output=True, text=True, timeout=60, check=True).stdout
    return dict(re.findall(r"^(\w+)\s+= (.*)$", out, re.M))


def test_one_sync_worker_per_core_plus_one_and_a_timeout_for_sign_batches():
    got = settings()
    assert got["config"] == "./gunicorn.conf.py"
    assert int(got["workers"]) == len(os.sched_getaffinity(0)) + 1
    assert got["worker_class"] == "sync"
    assert int(got["timeout"]) == 120


def test_web_concurrency_sets_the_workers():
    assert int(settings(WEB_CONCURRENCY="7")["workers"]) == 7
