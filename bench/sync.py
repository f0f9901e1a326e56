"""Sync figures: pull size and time for the largest station; push throughput under gunicorn.

    .venv/bin/python bench/sync.py [--db sqlite|postgresql|both] [--seconds 10] [--clients 8]
                                   [--workers N] [--threads 1] [--only push]

Pull: the demo's largest station (五云所, 375 units) with a task for every unit and the checklist
templates, as its inspector's first pull: bytes on the wire gzipped and the round trip (median).
Push: inspections of 16 items, one per request as phones send them, from 8 concurrent clients
against gunicorn as the README runs it (gunicorn.conf.py: sync workers, one per core plus one;
--workers N to change that, --threads N > 1 for gthread), without a photo and with one ~300 KB
photo each (uploaded by PUT first, inside the timed loop), first time and replayed; and batches of
20 per request. Request bodies are made before the clock starts (a phone's outbox is ready when it
syncs). The load generator runs on the same 2-core machine. Beside each rate: CPU per record of the
app's processes, of the load generator, of PostgreSQL's processes (when it runs on this machine) and
of the whole machine (everything included).
"""
import argparse
import gzip
import hashlib
import http.client
import io
import json
import os
import random
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from server.inspection import signing  # noqa: E402  (after the path is set)
PORT = 5191


def setup(url: str, instance: str) -> None:
    """Migrate, load the demo, give every 五云所 unit a task for its inspector."""
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": instance, "FLASK_APP": "wsgi"}
    flask = str(ROOT / ".venv" / "bin" / "flask")
    subprocess.run([flask, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run([flask, "demo", "load"], env=env, check=True, capture_output=True, cwd=ROOT)
    os.environ.update(DATABASE_URL=url, INSTANCE_PATH=instance)
    from datetime import date

    import sqlalchemy as sa

    from server import create_app
    from server.account.models import User
    from server.extensions import db
    from server.unit.models import Unit
    from server.visit.models import VisitTask
    app = create_app()
    with app.app_context():
        insp = db.session.scalar(sa.select(User).where(User.username == "wuyun_inspector"))
        for unit in db.session.scalars(sa.select(Unit).where(Unit.station_id == insp.station_id)):
            db.session.add(VisitTask(county_id=unit.county_id, station_id=unit.station_id, unit_id=unit.id,
                                     kind="post_evaluation", assignee_id=insp.id, due_date=date(2023, 11, 20),
                                     year=2023))
        db.session.commit()
        db.engine.dispose()


def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    return resp, resp.read()


def login(conn) -> dict:
    body = json.dumps({"username": "wuyun_inspector", "password": "fangxin2023", "device_name": "bench"})
    resp, data = request(conn, "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    return {"Authorization": "Bearer " + json.loads(data)["token"]}


def bench_pull(h):
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    times, size, raw = [], 0, 0
    for _ in range(15):
        t = time.perf_counter()
        resp, data = request(conn, "GET", "/api/v1/sync/pull?cursor=0&limit=5000", None,
                             {**h, "Accept-Encoding": "gzip"})
        times.append((time.perf_counter() - t) * 1000)
        size = len(data)
        raw = len(gzip.decompress(data)) if resp.getheader("Content-Encoding") == "gzip" else len(data)
    page = json.loads(gzip.decompress(data) if resp.getheader("Content-Encoding") == "gzip" else data)
    counts = {k: len(v) for k, v in page["records"].items()}
    print(f"pull (first, 五云所) {counts}: {size / 1024:.1f} KB gzipped ({raw / 1024:.0f} KB raw), "
          f"median {statistics.median(times):.0f} ms (round trip on loopback)")
    return page


def make_photo(seed: int) -> bytes:
    from PIL import Image
    rnd = random.Random(seed)
    img = Image.effect_noise((640, 480), 60).convert("RGB")
    img.putpixel((rnd.randrange(640), rnd.randrange(480)), (rnd.randrange(256), 0, 0))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95)
    return out.getvalue()


def inspection(page, photo_sha=None) -> dict:
    unit = random.choice(page["records"]["unit"])
    version = max(page["records"]["template"], key=lambda v: (v["unit_type"] is None, v["number"]))
    items = version["items"][:16]
    cid = str(uuid.uuid4())
    answers = [{"item_code": i["code"], "result": "yes", "note": "", "photos": []} for i in version["items"]]
    if photo_sha:
        answers[0]["photos"] = [photo_sha]
    assert len(items) == 16
    return {"id": cid, "type": "inspection", "data": {
        "client_id": cid, "unit_id": unit["id"], "template_version_id": version["id"], "kind": "service_visit",
        "started_at": "2023-09-01T02:00:00+00:00", "ended_at": "2023-09-01T02:20:00+00:00", "lat": 28.66,
        "lng": 120.08, "accuracy_m": 10, "answers": answers, "conclusion": "pass",
        "signature_sha256": photo_sha or "a" * 64, "signer_name": "店主", "photos": [],
        "signed_hash": signing.content_hash({"unit_id": unit["id"], "conclusion": "pass", "answers": answers,
                                             "signer_name": "店主"})}}


def prepared(make_changes, count, batch=1, sent=None):
    """Request bodies made before the clock starts, as a phone has its outbox ready before it syncs.
    The changes of each body handed out are added to `sent`."""
    ready = [(changes, json.dumps({"changes": changes}).encode())
             for changes in (make_changes(batch) for _ in range(count))]

    def next_body(conn, n):
        changes, body = ready.pop() if ready else (make_changes(n), None)
        if sent is not None:
            sent.extend(changes)
        return body or json.dumps({"changes": changes}).encode()
    return next_body


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's master and workers)."""
    total = 0.0
    for p in [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    cols = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(cols) - cols[3] - cols[4]) / TICK  # minus idle and iowait


def database_seconds() -> dict[int, float]:
    """CPU seconds of each PostgreSQL process on this machine ({} where there is none, or it is elsewhere)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(" (", 1)[1].rsplit(") ", 1)
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
        if name == "postgres":
            fields = rest.split()
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / TICK
    return found


def load(h, make_body, seconds, clients, batch=1):
    """Clients push as fast as they can for `seconds`; returns (records per second, errors).
    make_body(conn, batch) gives the next request body (it may upload a photo first on conn)."""
    done, errors, stop = [0], [0], time.perf_counter() + seconds
    lock = threading.Lock()
    headers = {**h, "Content-Type": "application/json"}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        while time.perf_counter() < stop:
            resp, data = request(conn, "POST", "/api/v1/sync/push", make_body(conn, batch), headers)
            results = json.loads(data)["results"] if resp.status == 200 else []
            ok = bool(results) and all(r["status"] in ("applied", "duplicate") for r in results)
            with lock:
                done[0] += len(results) if ok else 0
                errors[0] += 0 if ok else 1
                if not ok and errors[0] <= 3:
                    print(f"  error: HTTP {resp.status}: {data[:300].decode(errors='replace')}")
    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0, server0, busy0, me0 = time.perf_counter(), cpu_seconds(SERVER[0]), machine_busy_seconds(), time.process_time()
    db0 = database_seconds()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    n = max(done[0], 1)
    db1 = database_seconds()  # a backend that started during the load counts from zero
    CPU.append(((cpu_seconds(SERVER[0]) - server0) / n * 1000, (machine_busy_seconds() - busy0) / n * 1000,
                (time.process_time() - me0) / n * 1000, sum(v - db0.get(p, 0) for p, v in db1.items()) / n * 1000))
    return done[0] / (time.perf_counter() - t0), errors[0]


SERVER, CPU = [0], []


def cpu_note() -> str:
    """CPU per record of the last load: the app's processes, the load generator, the database server's
    processes (PostgreSQL on this machine), the whole machine."""
    app, machine, generator, database = CPU[-1]
    db = f", database {database:.1f} ms" if database else ""
    return f"CPU per record: app {app:.1f} ms, load generator {generator:.1f} ms{db}, machine {machine:.1f} ms"


def run(kind: str, url: str, args) -> None:
    instance = tempfile.mkdtemp(prefix="fangxin-bench-")
    setup(url, instance)
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": instance}
    workers = ["-k", "gthread", "--threads", str(args.threads)] if args.threads > 1 else ["-k", "sync"]
    if args.workers:
        workers += ["-w", str(args.workers)]
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), *workers,
                               "-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "wsgi:app"], env=env, cwd=ROOT)
    SERVER[0] = server.pid
    try:
        time.sleep(3)
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        h = login(conn)
        count = args.workers or runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
        print(f"--- {kind} (gunicorn: {count} workers{f', {args.threads} threads each' if args.threads > 1 else ''})")
        page = bench_pull(h)
        sent = []

        def fresh(n):
            return [inspection(page) for _ in range(n)]

        ahead = int(args.seconds * 1000)  # more than the server can take in the time
        rate, err = load(h, prepared(fresh, ahead, sent=sent), args.seconds, args.clients)
        print(f"push, no photo, first time:   {rate:6.0f} inspections/s  ({err} errors)  {cpu_note()}")
        if args.only == "push":
            return
        replay_pool = list(sent)
        rate, err = load(h, prepared(lambda n: [random.choice(replay_pool) for _ in range(n)], ahead),
                         args.seconds, args.clients)
        print(f"push, no photo, replayed:     {rate:6.0f} inspections/s  ({err} errors)  {cpu_note()}")
        rate, err = load(h, prepared(fresh, ahead // 20, batch=20), args.seconds, args.clients, batch=20)
        print(f"push, batches of 20:          {rate:6.0f} inspections/s  ({err} errors)  {cpu_note()}")
        photos = [make_photo(i) for i in range(64)]
        print(f"photo size {statistics.mean(len(p) for p in photos) / 1024:.0f} KB")
        counter = [0]
        with_photo = []

        def fresh_photo(conn, n):
            counter[0] += 1
            data = photos[counter[0] % len(photos)][:-2] + counter[0].to_bytes(8, "big") + b"\xff\xd9"
            sha = hashlib.sha256(data).hexdigest()
            resp, body = request(conn, "PUT", f"/api/v1/photos/{sha}", data, {**h, "Content-Type": "image/jpeg"})
            assert resp.status in (200, 201), body[:200]
            change = inspection(page, sha)
            with_photo.append(change)
            return json.dumps({"changes": [change]}).encode()

        rate, err = load(h, fresh_photo, args.seconds, args.clients)
        print(f"push + 1 photo, first time:   {rate:6.0f} inspections/s  ({err} errors)  {cpu_note()}")
        rate, err = load(h, prepared(lambda n: [random.choice(with_photo)], ahead), args.seconds, args.clients)
        print(f"push + 1 photo, replayed:     {rate:6.0f} inspections/s  ({err} errors)  {cpu_note()}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(instance, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="both", choices=["sqlite", "postgresql", "both"])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, help="gunicorn worker processes (default: gunicorn.conf.py's)")
    ap.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (more than 1: gthread)")
    ap.add_argument("--only", choices=["push"], help="stop after the first push figure (to compare changes)")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    args = ap.parse_args()
    if args.db in ("sqlite", "both"):
        path = tempfile.mkdtemp(prefix="fangxin-bench-db-")
        try:
            run("SQLite", f"sqlite:///{path}/bench.db", args)
        finally:
            shutil.rmtree(path, ignore_errors=True)
    if args.db in ("postgresql", "both"):
        import psycopg
        with psycopg.connect(args.pg + "/postgres", autocommit=True) as c:
            c.execute('DROP DATABASE IF EXISTS "fangxin_bench_sync" WITH (FORCE)')
            c.execute('CREATE DATABASE "fangxin_bench_sync"')
        run("PostgreSQL", args.pg + "/fangxin_bench_sync", args)


if __name__ == "__main__":
    main()
