"""Signs: render time, a station's batch PDF (time and peak memory), and the public page (size, req/s).

Builds a throwaway SQLite database with one station of 375 units that passed post-evaluation,
issues their signs, then prints:
  - the time to render one sign as a 300-DPI PNG (median of 10);
  - the time and peak RSS of `flask signs print` for all 375 (run as a subprocess, ru_maxrss);
  - the public page's HTML bytes, with and without its one CSS file;
  - requests per second of /s/<token> under gunicorn (2 sync workers) against a bare Flask endpoint
    served the same way on the same machine in the same run, from a threaded http.client load
    generator sending a phone browser's headers (keep-alive where the server keeps the connection): real
    scans — tokens drawn Zipf-like (s = 1.1) from --signs signs in all (default 300 000), so that many
    scans find no kept page — alternating with the bare endpoint, --rounds times; then one sign scanned
    over and over (the worker's kept page, server/public/cache.py), /healthz, and real scans from a
    client that sends no Accept-Encoding (each kept page unzipped for it).

    .venv/bin/python bench/signs.py [--units 375] [--signs 300000] [--seconds 10] [--threads 8] [--rounds 3]
        [--skip-batch] [--database-url postgresql://…]   (default: a throwaway SQLite file)
"""
import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
YEAR = 2023
ADMIN = "wuyun_admin"  # the station admin who issues and prints the bench's signs
BARE = "from flask import Flask\napp = Flask(__name__)\n\n\n@app.get('/')\ndef index():\n    return 'ok'\n"


def build(tmp: str, n: int, url: str | None = None) -> tuple[str, str]:
    """The database with n signs of station 'wuyun'; (database URL, one token)."""
    os.environ["INSTANCE_PATH"] = tmp
    url = url or f"sqlite:///{tmp}/bench.db"
    from server import create_app
    from server.extensions import db
    from server.signage import service
    from server.station.models import Target
    from bench.world import station_with_signs
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        county, st, admin = station_with_signs(n, ADMIN, "x", "缙云县第{i}号放心消费示范超市有限公司", YEAR)
        db.session.add(Target(year=YEAR, county_id=county.id, station_id=st.id, kind="general", count=n))
        db.session.commit()
        token = service.list_signs(admin, year=YEAR)[0].token
        from server.signage import printing
        sign = service.list_signs(admin, year=YEAR)[0]
        printing.render_png(sign)  # warm the font caches
        times = []
        for _ in range(10):
            t = time.perf_counter()
            printing.render_png(sign)
            times.append(time.perf_counter() - t)
        print(f"render one sign (PNG, 300 DPI):   median {statistics.median(times) * 1000:.0f} ms")
        client = app.test_client()
        html = client.get(f"/s/{token}").get_data()
        css = client.get("/static/public.css").get_data()
        print(f"public page: HTML {len(html)} B + CSS {len(css)} B = {len(html) + len(css)} B (goal < 20480)")
        zipped = client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip"}).get_data()
        print(f"public page gzipped: HTML {len(zipped)} B")
    return url, token


def populate(url: str, total: int, chunk: int = 20000) -> list[str]:
    """Signs up to `total` in all, in force, of units in a second station (Core inserts: fast, and no
    audit rows — the bench measures reading). Returns every sign's token, oldest first."""
    import sqlalchemy as sa

    from datetime import date

    from server import create_app
    from server.core.clock import today
    from server.extensions import db
    from server.qrsign import payload
    from server.signage.models import Sign
    from server.station.models import County, Station
    from server.unit.models import Unit, UnitYear
    from tests.conftest import valid_uscc
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        county = db.session.scalar(sa.select(County))
        st = Station(county_id=county.id, code="huzhen", name="壶镇分局", position=1)
        db.session.add(st)
        db.session.commit()
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Sign))
        valid_until = date(today().year + 1, 11, 30)  # in force: every scan finds a page with its facts
        next_unit = db.session.scalar(sa.select(sa.func.max(Unit.id))) + 1
        next_seq = db.session.scalar(sa.select(sa.func.max(Sign.seq))) + 1
        t = time.perf_counter()
        for start in range(0, total - have, chunk):
            n = min(chunk, total - have - start)
            ids = range(next_unit + start, next_unit + start + n)
            db.session.execute(sa.insert(Unit), [
                {"id": i, "county_id": county.id, "station_id": st.id, "name": f"壶镇第{i}号放心商店",
                 "uscc": valid_uscc(i), "address": f"壶镇镇{i}号", "type": "general"} for i in ids])
            db.session.execute(sa.insert(UnitYear), [{"unit_id": i, "year": YEAR, "stage": "sign_posted"} for i in ids])
            db.session.execute(sa.insert(Sign), [
                {"county_id": county.id, "station_id": st.id, "unit_id": i, "year": YEAR, "type": "general",
                 "seq": next_seq + start + k, "serial": f"JY-{YEAR}-{next_seq + start + k:06d}",
                 "token": payload.new_token(), "status": "issued", "valid_until": valid_until}
                for k, i in enumerate(ids)])
            db.session.commit()
        tokens = list(db.session.scalars(sa.select(Sign.token).order_by(Sign.id)))
    print(f"signs in the database: {len(tokens)} (made in {time.perf_counter() - t:.0f} s)")
    return tokens


def cache_memory(url: str, tokens: list[str], n: int = 2000) -> None:
    """Bytes a kept page costs a worker: n real pages rendered and kept, measured with tracemalloc."""
    import tracemalloc

    from server import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    pages = app.extensions["public_pages"]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for t in tokens[:n]:
        client.get(f"/s/{t}")
    kept = len(pages)
    per_page = (tracemalloc.get_traced_memory()[0] - before) / kept
    tracemalloc.stop()
    size = app.config["PUBLIC_PAGE_CACHE_SIZE"]
    print(f"kept page: {per_page:.0f} B each; the cache of {size} pages ≈ {per_page * size / 1e6:.0f} MB a worker")


def zipf_paths(tokens: list[str], draws: int, s: float = 1.1, seed: int = 7) -> list[str]:
    """`draws` sign paths, the k-th most scanned sign drawn with weight 1/k^s (ranks shuffled over signs)."""
    import random
    rng = random.Random(seed)
    ranked = tokens[:]
    rng.shuffle(ranked)
    weights = [1 / (k ** s) for k in range(1, len(ranked) + 1)]
    return [f"/s/{t}" for t in rng.choices(ranked, weights=weights, k=draws)]


def batch(tmp: str, url: str, n: int) -> None:
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": tmp, "FLASK_APP": "wsgi"}
    out = f"{tmp}/batch.pdf"
    t = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "flask"), "signs", "print", "--station", "wuyun", "--year", str(YEAR),
                             "--out", out, "--as", ADMIN], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - t
    size = os.path.getsize(out) / 1e6
    print(f"batch PDF of {n} signs: {took:.1f} s (goal < 60), peak RSS {usage.ru_maxrss / 1024:.0f} MB "
          f"(goal < 300), file {size:.0f} MB, exit {os.waitstatus_to_exitcode(status)}")


def serve(app_ref: str, port: int, env: dict, cwd: str) -> subprocess.Popen:
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             app_ref], cwd=cwd, env=env)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/healthz" if "wsgi" in app_ref else "/")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


PHONE = {"Accept-Encoding": "gzip, deflate, br",  # what every phone browser sends (WeChat's, Safari, Chrome)
         "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0"}


def load(port: int, path, seconds: float, threads: int, headers: dict | None = None) -> float:
    """Requests per second from `threads` clients for `seconds`; `path` is one path or a list to cycle
    through (each thread from its own offset); every request carries `headers` (default: a phone's)."""
    counts, stop = [0] * threads, time.perf_counter() + seconds
    paths = [path] if isinstance(path, str) else path
    headers = PHONE if headers is None else headers

    def run(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = i * (len(paths) // threads)
        while time.perf_counter() < stop:
            conn.request("GET", paths[n % len(paths)], headers=headers)
            n += 1
            r = conn.getresponse()
            r.read()
            if r.status >= 400 and r.status != 404:
                raise SystemExit(f"status {r.status}")
            counts[i] += 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / seconds


def throughput(tmp: str, url: str, token: str, scans: list[str], seconds: float, threads: int,
               rounds: int) -> None:
    """The bare endpoint and the real scans in alternating rounds (the machine's speed drifts by ±15 % from
    minute to minute: a ratio is taken within a round), then the kept page, /healthz and clients that
    send no Accept-Encoding. Each run of scans takes the next stretch of the draws, so no run replays the
    scans of one before it (whose pages the workers would still keep)."""
    Path(tmp, "bare.py").write_text(BARE)
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": tmp, "PYTHONPATH": str(ROOT)}
    bare = serve("bare:app", 8761, env, tmp)
    real = serve("wsgi:app", 8762, env, str(ROOT))
    pairs = []
    stretch = len(scans) // (rounds + 2)
    runs = iter(scans[k * stretch:(k + 1) * stretch] for k in range(rounds + 2))
    try:
        load(8761, "/", 2, threads)
        load(8762, next(runs), 2, threads)
        for _ in range(rounds):
            pairs.append((load(8761, "/", seconds, threads), load(8762, next(runs), seconds, threads)))
        base = statistics.median(b for b, _ in pairs)
        hot = load(8762, f"/s/{token}", seconds, threads)
        health = load(8762, "/healthz", seconds, threads)
        plain = load(8762, next(runs), seconds, threads, headers={})
    finally:
        for p in (bare, real):
            p.terminate()
            p.wait()
    ratios = [r / b for b, r in pairs]
    print(f"gunicorn -w 2, {threads} client threads sending a phone's headers, {rounds} rounds of {seconds:.0f} s:")
    print("  bare Flask " + ", ".join(f"{b:.0f}" for b, _ in pairs) + " req/s (median "
          f"{base:.0f})")
    print("  scans spread Zipf-like over every sign " + ", ".join(f"{r:.0f} ({q:.0%})" for (_, r), q in
                                                                 zip(pairs, ratios)))
    print(f"  = median {statistics.median(ratios):.0%} of bare (goal ≥ 50%)")
    print(f"  one sign scanned over and over (kept page): {hot:.0f} req/s = {hot / base:.0%}; "
          f"the full app's /healthz {health:.0f} req/s = {health / base:.0%}")
    print(f"  spread scans from clients sending no Accept-Encoding: {plain:.0f} req/s = {plain / base:.0%}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=375)
    ap.add_argument("--signs", type=int, default=300_000)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fangxin-bench-signs-")
    url, token = build(tmp, a.units, a.database_url)
    if not a.skip_batch:
        batch(tmp, url, a.units)
    tokens = populate(url, a.signs)
    cache_memory(url, tokens)
    scans = zipf_paths(tokens, 200_000)
    distinct = len(set(scans))
    print(f"scans drawn: {len(scans)}, of {distinct} distinct signs")
    throughput(tmp, url, token, scans, a.seconds, a.threads, a.rounds)


if __name__ == "__main__":
    main()
