"""The whole system under a province-like load, bounded: PostgreSQL, photos in SeaweedFS, jobs on Redis
(where the app has them), app servers behind nginx (where Debian's nginx is installed; else the load
generator spreads requests over the app servers itself and says so), for --seconds (default 60):

  - inspectors (--inspectors, default 50), each in a loop: pull what changed, upload a ~120 KB photo,
    push one inspection using it, wait a second (a phone that syncs, not a flood);
  - scans of signs at --scan-rate per second (default 200), open loop, tokens drawn Zipf-like (s = 1.1)
    over every sign in the database;
  - staff (--staff, default 5 admins with a browser session) opening the dashboard, units, signs and
    complaints pages, one page a second each (reported page by page);
  - one station's batch of signs started on the signs page as staff do, at the start.

It prints, per kind of request: count, throughput, p50 / p95 / p99 latency and errors (goal 0), then
checks that every inspection the server acknowledged is stored exactly once.

    .venv/bin/python bench/load.py [--seconds 60] [--inspectors 50] [--scan-rate 200] [--staff 5]
        [--app-servers 2] [--workers N] [--database-url postgresql://…]   (default: a fresh database
        fangxin_load on 127.0.0.1)

Everything runs on this machine: the load generator competes with the servers for the same cores.
"""
import argparse
import hashlib
import http.client
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
PASSWORD = "fangxin2023"  # the demo's


class Stats:
    """Latencies and errors per kind of request, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = {}

    def add(self, kind: str, seconds: float, ok: bool, note: str = ""):
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                self.samples.setdefault(kind, note[:200])

    def report(self, wall: float):
        print(f"{'kind':<16}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for kind in sorted(self.times):
            t = sorted(self.times[kind])
            q = statistics.quantiles(t, n=100) if len(t) >= 2 else [t[0] * 1.0] * 99
            print(f"{kind:<16}{len(t):>8}{len(t) / wall:>9.1f}{q[49] * 1000:>9.0f}{q[94] * 1000:>9.0f}"
                  f"{q[98] * 1000:>9.0f}{self.errors[kind]:>8}")
        for kind, note in self.samples.items():
            print(f"  first error of {kind}: {note}")


def call(base: tuple, method: str, path: str, body=None, headers=None, conn=None):
    """(status, headers, body bytes, seconds) on a kept connection (made when None)."""
    c = conn or http.client.HTTPConnection(*base, timeout=60)
    t = time.perf_counter()
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r.status, r, data, time.perf_counter() - t


def setup(url: str, instance: str, env: dict, inspectors: int) -> None:
    """Migrate, seed, load the demo, and add inspectors spread over the stations."""
    for args in (["db", "upgrade"], ["workdays", "seed"], ["demo", "load"]):
        subprocess.run([str(BIN / "flask"), *args], env=env, check=True, capture_output=True, cwd=ROOT)
    os.environ.update(env)
    import sqlalchemy as sa

    from server import create_app
    from server.account.models import User
    from server.account.service import hash_password
    from server.extensions import db
    from server.station.models import Station
    app = create_app()
    with app.app_context():
        stations = list(db.session.scalars(sa.select(Station).order_by(Station.position)))
        pw = hash_password(PASSWORD)
        for i in range(inspectors):
            st = stations[i % len(stations)]
            db.session.add(User(username=f"load_insp_{i}", name=f"压测执法人员{i}", role="inspector",
                                county_id=st.county_id, station_id=st.id, password_hash=pw))
        db.session.commit()
        db.engine.dispose()


def tokens_of_signs(url: str) -> list[str]:
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.connect() as c:
        found = [r[0] for r in c.execute(sa.text("SELECT token FROM sign ORDER BY id"))]
    engine.dispose()
    return found


def photo(seed: int) -> bytes:
    from PIL import Image
    rnd = random.Random(seed)
    img = Image.effect_noise((480, 360), 50).convert("RGB")
    img.putpixel((rnd.randrange(480), rnd.randrange(360)), (rnd.randrange(256), rnd.randrange(256), 0))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def inspector(base, n: int, stop: float, stats: Stats, acked: list, lock: threading.Lock):
    """One phone: log in, then pull / photo / push / rest until `stop`."""
    from server.inspection import signing
    conn = http.client.HTTPConnection(*base, timeout=60)
    body = json.dumps({"username": f"load_insp_{n}", "password": PASSWORD, "device_name": "压测手机"})
    status, _, data, _ = call(base, "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"}, conn)
    if status != 201:
        stats.add("login", 0, False, f"HTTP {status} {data[:150]!r}")
        return
    auth = {"Authorization": "Bearer " + json.loads(data)["token"]}
    cursor, units, version, i = "0", [], None, 0
    while time.perf_counter() < stop:
        status, _, data, took = call(base, "GET", f"/api/v1/sync/pull?cursor={cursor}&limit=2000", None, auth, conn)
        stats.add("pull", took, status == 200, f"HTTP {status} {data[:150]!r}")
        if status == 200:
            page = json.loads(data)
            cursor = str(page.get("cursor", cursor))
            units += page["records"].get("unit", [])
            versions = page["records"].get("template", [])
            if versions:
                version = max(versions, key=lambda v: (v["unit_type"] is None, v["number"]))
        if units and version:
            img = photo(n * 100000 + i)
            sha = hashlib.sha256(img).hexdigest()
            status, _, data, took = call(base, "PUT", f"/api/v1/photos/{sha}", img,
                                         {**auth, "Content-Type": "image/jpeg"}, conn)
            stats.add("photo", took, status in (200, 201), f"HTTP {status} {data[:150]!r}")
            unit = random.choice(units)
            cid = str(uuid.uuid4())
            answers = [{"item_code": it["code"], "result": "yes", "note": "", "photos": []} for it in version["items"]]
            answers[0]["photos"] = [sha]
            record = {"client_id": cid, "unit_id": unit["id"], "template_version_id": version["id"],
                      "kind": "service_visit", "started_at": "2026-09-01T02:00:00+00:00",
                      "ended_at": "2026-09-01T02:20:00+00:00", "lat": 28.66, "lng": 120.08, "accuracy_m": 10,
                      "answers": answers, "conclusion": "pass", "signature_sha256": sha, "signer_name": "店主",
                      "photos": []}
            record["signed_hash"] = signing.content_hash(record)
            push = json.dumps({"changes": [{"id": cid, "type": "inspection", "data": record}]})
            status, _, data, took = call(base, "POST", "/api/v1/sync/push", push,
                                         {**auth, "Content-Type": "application/json"}, conn)
            results = json.loads(data).get("results", []) if status == 200 else []
            ok = bool(results) and results[0]["status"] in ("applied", "duplicate")
            stats.add("push", took, ok, f"HTTP {status} {data[:200]!r}")
            if ok:
                with lock:
                    acked.append(cid)
            i += 1
        time.sleep(1)


def scanner(base, paths: list[str], rate: float, stop: float, stats: Stats):
    """Open loop: one scan every 1/rate s, late ones sent at once (latency counts the wait in the server)."""
    conn = http.client.HTTPConnection(*base, timeout=60)
    period, nxt, k = 1 / rate, time.perf_counter(), random.randrange(len(paths))
    while nxt < stop:
        wait = nxt - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        try:
            status, r, data, took = call(base, "GET", paths[k % len(paths)], None, {"Accept-Encoding": "gzip"}, conn)
            stats.add("scan", took, status == 200, f"HTTP {status}")
            if (r.getheader("Connection") or "").lower() == "close":
                conn = http.client.HTTPConnection(*base, timeout=60)
        except OSError as e:
            stats.add("scan", 0, False, repr(e))
            conn = http.client.HTTPConnection(*base, timeout=60)
        k += 1
        nxt += period


class Browser:
    """A staff member's browser: a cookie jar on one kept connection."""

    def __init__(self, base):
        self.base, self.conn, self.cookies = base, http.client.HTTPConnection(*base, timeout=120), {}

    def go(self, method, path, form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            from urllib.parse import urlencode
            body, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        status, r, data, took = call(self.base, method, path, body, headers, self.conn)
        for h in r.headers.get_all("Set-Cookie") or []:
            name, value = h.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return status, r, data, took

    def csrf(self, path) -> str:
        _, _, data, _ = self.go("GET", path)
        m = re.search(rb'name="csrf_token" value="([^"]+)"', data)
        return m.group(1).decode() if m else ""

    def login(self, username):
        token = self.csrf("/login")
        status, _, _, _ = self.go("POST", "/login", {"csrf_token": token, "username": username, "password": PASSWORD})
        return status in (302, 303)


def staff(base, username: str, stop: float, stats: Stats):
    b = Browser(base)
    if not b.login(username):
        stats.add("staff page", 0, False, f"login of {username} failed")
        return
    pages = ["/", "/units", "/signs", "/complaints"]
    i = 0
    while time.perf_counter() < stop:
        page = pages[i % len(pages)]
        status, _, data, took = b.go("GET", page)
        stats.add(f"staff {page}", took, status == 200, f"{page}: HTTP {status}")
        i += 1
        time.sleep(1)


def sign_batch(base, stats: Stats, stop: float):
    """The station admin starts 五云所's batch of signs on the signs page; waits for the file."""
    b = Browser(base)
    if not b.login("wuyun_admin"):
        stats.add("sign batch", 0, False, "login failed")
        return
    _, _, page, _ = b.go("GET", "/signs")
    station = re.search(rb'name="station_id" value="(\d+)"', page)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    year = re.search(rb'name="year" value="(\d+)"', page)
    if not (station and token and year):
        stats.add("sign batch", 0, False, "no batch form on /signs")
        return
    t = time.perf_counter()
    status, r, data, _ = b.go("POST", "/signs/batch", {"csrf_token": token.group(1).decode(),
                                                      "station_id": station.group(1).decode(),
                                                      "year": year.group(1).decode(), "type": ""})
    location = r.getheader("Location") or ""
    if status in (302, 303) and "/jobs/" in location:  # a background job: watch it until the file is ready
        path = location.split("://", 1)[-1].split("/", 1)[-1]
        path = "/" + path if not path.startswith("/") else path
        while time.perf_counter() < stop + 300:
            status, _, data, _ = b.go("GET", path)
            if b"/download" in data or "已完成".encode() in data:
                break
            if "失败".encode() in data:
                stats.add("sign batch", time.perf_counter() - t, False, "job failed")
                return
            time.sleep(1)
        stats.add("sign batch", time.perf_counter() - t, status == 200, f"HTTP {status}")
    else:
        ok = status == 200 and data[:5] == b"%PDF-"
        stats.add("sign batch", time.perf_counter() - t, ok, f"HTTP {status}, {len(data)} bytes")


def stored_once(url: str, acked: list[str]) -> tuple[int, int, int]:
    """(acknowledged, stored, stored more than once) for the acknowledged inspections."""
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT client_id, count(*) FROM inspection GROUP BY client_id")).all()
    engine.dispose()
    counts = {str(cid): n for cid, n in rows}
    return len(acked), sum(1 for cid in acked if counts.get(cid)), sum(1 for cid in acked if counts.get(cid, 0) > 1)


def start(cmd, env, cwd, log):
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_http(port: int, path: str = "/healthz", timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _, _, _ = call(("127.0.0.1", port), "GET", path)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"nothing answered on port {port}")


NGINX = """daemon off; worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
  access_log off; client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  client_max_body_size 20m; proxy_buffering on; proxy_request_buffering on;
  upstream app {{ {servers} keepalive 32; }}
  server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://app; proxy_http_version 1.1;
    proxy_set_header Connection ""; proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_read_timeout 300s; }} }}
}}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--inspectors", type=int, default=50)
    ap.add_argument("--scan-rate", type=float, default=200)
    ap.add_argument("--staff", type=int, default=5)
    ap.add_argument("--app-servers", type=int, default=2)
    ap.add_argument("--workers", type=int, default=None, help="gunicorn workers per app server")
    ap.add_argument("--database-url", default=None)
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="fangxin-load-")
    url = a.database_url
    if url is None:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS fangxin_load WITH (FORCE)"], check=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE fangxin_load"], check=True)
        url = "postgresql://postgres@127.0.0.1:5432/fangxin_load"
    from tests.seaweed import Seaweed
    store = Seaweed(os.path.join(tmp, "seaweedfs"))
    store.start()
    env = {**os.environ, **store.env(), "DATABASE_URL": url, "INSTANCE_PATH": tmp, "FLASK_APP": "wsgi",
           "PHOTO_STORAGE": f"s3://{store.new_bucket()}/photos", "REDIS_URL": "redis://127.0.0.1:6379/14",
           "PUBLIC_BASE_URL": "http://127.0.0.1:5300"}
    procs = []
    log = open(os.path.join(tmp, "servers.log"), "ab")
    try:
        print(f"setting up (demo on PostgreSQL, {a.inspectors} inspectors) …", flush=True)
        setup(url, tmp, env, a.inspectors)
        workers = ["-w", str(a.workers)] if a.workers else []
        ports = [5301 + i for i in range(a.app_servers)]
        for p in ports:
            procs.append(start([str(BIN / "gunicorn"), *workers, "-b", f"127.0.0.1:{p}", "wsgi:app"], env, ROOT, log))
        jobs = subprocess.run([str(BIN / "flask"), "jobs", "--help"], env=env, cwd=ROOT, capture_output=True)
        if jobs.returncode == 0:
            procs.append(start([str(BIN / "flask"), "jobs", "worker"], env, ROOT, log))
        for p in ports:
            wait_http(p)
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if nginx:
            os.chmod(tmp, 0o755)  # nginx's workers run as an unprivileged user: they buffer bodies here
            for d in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
                os.makedirs(os.path.join(tmp, d), exist_ok=True)
                os.chmod(os.path.join(tmp, d), 0o777)
            conf = os.path.join(tmp, "nginx.conf")
            Path(conf).write_text(NGINX.format(tmp=tmp, port=5300,
                                               servers=" ".join(f"server 127.0.0.1:{p};" for p in ports)))
            procs.append(start([nginx, "-c", conf, "-p", tmp], env, ROOT, log))
            wait_http(5300)
            bases = [("127.0.0.1", 5300)]
            front = f"nginx in front of {a.app_servers} app servers"
        else:
            bases = [("127.0.0.1", p) for p in ports]
            front = f"NO nginx on this machine (apt-get install nginx): clients spread over {a.app_servers} app servers"
        print(f"{front}; jobs: {'flask jobs worker on Redis' if jobs.returncode == 0 else 'in the request (no job queue)'}")
        tokens = tokens_of_signs(url)
        rng = random.Random(11)
        ranked = tokens[:]
        rng.shuffle(ranked)
        weights = [1 / k ** 1.1 for k in range(1, len(ranked) + 1)]
        paths = [f"/s/{t}" for t in rng.choices(ranked, weights=weights, k=50000)]
        stats, acked, lock = Stats(), [], threading.Lock()
        stop = time.perf_counter() + a.seconds
        threads = [threading.Thread(target=sign_batch, args=(bases[0], stats, stop))]
        threads += [threading.Thread(target=inspector, args=(bases[i % len(bases)], i, stop, stats, acked, lock))
                    for i in range(a.inspectors)]
        scan_threads = 16
        threads += [threading.Thread(target=scanner, args=(bases[i % len(bases)], paths, a.scan_rate / scan_threads,
                                                           stop, stats)) for i in range(scan_threads)]
        admins = ["admin"] + [f"{c}_admin" for c in ("wuyun", "huzhen", "xiandu", "xinbi", "xinjian", "shuhong")]
        threads += [threading.Thread(target=staff, args=(bases[i % len(bases)], admins[i % len(admins)], stop, stats))
                    for i in range(a.staff)]
        print(f"load for {a.seconds:.0f} s: {a.inspectors} inspectors, {a.scan_rate:.0f} scans/s over "
              f"{len(tokens)} signs, {a.staff} staff, one sign batch …", flush=True)
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"(all done after {time.perf_counter() - t0:.0f} s; rates per second of the {a.seconds:.0f} s of load)")
        stats.report(a.seconds)
        n, stored, twice = stored_once(url, acked)
        print(f"acknowledged inspections: {n}; stored: {stored}; stored more than once: {twice}"
              f" — {'every acknowledged record stored once' if n == stored and not twice else 'MISMATCH'}")
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, 15)
            except ProcessLookupError:
                pass
        for p in procs:
            p.wait()
        store.stop()
        log.close()


if __name__ == "__main__":
    main()
