"""Dashboard and unit list at province scale on PostgreSQL.

Loads 300 000 units over 90 counties (each with its stations, targets and yearly stages) into a
fresh database, then times, through the real app and API, the county dashboard for one county
admin and one station's first page of units for its station admin, and the pace (53 weekly counts from
the dated lifecycle history) for both; then the view from above (issue 20): the province's roll-up of all 90
counties and a city's of its 10 (targets, stages, milestones as of 30 June and 30 November from the history,
complaint rates): the background job that counts it into a snapshot, the page /region/ served from the
snapshot, and the count done live; and one county's page as the province sees it (its dashboard, pace and
rates, live). Prints the median and p90 (the job and the live count run runs/5 times, at least twice).

    .venv/bin/python bench/dashboard.py [--url postgresql://postgres@127.0.0.1:5432/postgres] [--runs 50]
        [--only-region]   # skip the county and station timings
"""
import argparse
import math
from datetime import date, timedelta
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import create_app  # noqa: E402
from server.account.service import hash_password, issue_token  # noqa: E402
from server.extensions import db  # noqa: E402

COUNTIES, UNITS, YEAR = 90, 300_000, 2023
CITIES = 9  # of 10 counties each, under one province
STAGES = ["pool", "committed", "profiled", "evaluated", "sign_issued", "sign_posted", "removed"]
TYPES = ["general", "no_reason_return", "factory"]


def fresh_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def load(url: str) -> None:
    rng = random.Random(1)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO region (id, code, name, kind) VALUES (1, 'province', '浙江省', 'province')")
        for k in range(CITIES):
            cur.execute("INSERT INTO region (id, code, name, kind, parent_id) VALUES (%s, %s, %s, 'city', 1)",
                        (k + 2, f"city{k + 1}", f"第{k + 1}市"))
        station_ids = []
        for c in range(1, COUNTIES + 1):
            cur.execute("INSERT INTO county (id, code, name, authority, region_id) VALUES (%s, %s, %s, %s, %s)",
                        (c, f"county{c}", f"第{c}县", f"第{c}县市场监督管理局", 2 + (c - 1) * CITIES // COUNTIES))
            for s in range(9 + c % 3):
                station_ids.append((c, len(station_ids) + 1))
        with cur.copy("COPY station (id, county_id, code, name, position) FROM STDIN") as cp:
            for c, sid in station_ids:
                cp.write_row((sid, c, f"s{sid}", f"第{sid}所", sid))
        with cur.copy("COPY target (year, county_id, station_id, kind, count, updated_at) FROM STDIN") as cp:
            for c, sid in station_ids:
                for t in TYPES:
                    cp.write_row((YEAR, c, sid, t, rng.randint(5, 200), "2023-01-01"))
        with cur.copy("COPY unit (id, county_id, station_id, name, uscc, address, industry, contact_name, "
                      "contact_phone, type, return_exclusions, tags, business_status, version, created_at, "
                      "updated_at) FROM STDIN") as cp:
            for i in range(1, UNITS + 1):
                c, sid = station_ids[i % len(station_ids)]
                cp.write_row((i, c, sid, f"单位{i:06d}号商店", f"X{i:017d}", f"某县某路{i}号", "零售", "张三",
                              "13800000000", TYPES[i % 3], "", "[]", "open", 1, "2023-01-01", "2023-01-01"))
        stages = {i: rng.choice(STAGES) for i in range(1, UNITS + 1)}
        with cur.copy("COPY unit_year (unit_id, year, stage, updated_at) FROM STDIN") as cp:
            for i in range(1, UNITS + 1):
                cp.write_row((i, YEAR, stages[i], "2023-06-01"))
        # The dated history the pace is counted from: each unit's steps up to its stage, spread over the year.
        with cur.copy("COPY lifecycle_event (unit_id, year, from_stage, to_stage, note, at) FROM STDIN") as cp:
            for i in range(1, UNITS + 1):
                path = STAGES[:STAGES.index(stages[i]) + 1] if stages[i] != "removed" else \
                    STAGES[:rng.randint(1, 5)] + ["removed"]
                day, before = rng.randint(0, 120), None
                for stage in path:
                    cp.write_row((i, YEAR, before, stage, "", date(YEAR, 1, 1) + timedelta(days=min(day, 360))))
                    day, before = day + rng.randint(3, 60), stage
        for table in ("region", "county", "station", "unit"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        cur.execute("ANALYZE")


def timed_call(fn, runs) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def region_timings(app, runs) -> None:
    """The province's and a city's roll-up: the job that makes its snapshot (as a worker runs it), the page
    /region/ served from that snapshot, and the roll-up counted live (the service the job calls); then one
    county's page as the province sees it (live: its dashboard, pace and rates)."""
    from server.account.models import User
    from server.job import service as jobs
    from server.job.models import Job
    from server.region import service as region
    heavy = max(2, runs // 5)
    with app.app_context():
        pw = hash_password("bench-password")
        db.session.add_all([User(username="p1", name="省局", role="province", region_id=1, password_hash=pw),
                            User(username="m1", name="市局", role="city", region_id=2, password_hash=pw)])
        db.session.commit()
    for username, label in (("p1", "province, 90 counties"), ("m1", "city, 10 counties")):
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))

            def job():
                # The worker's path (jobs.run) on a job row of its own, not put on any queue.
                row = Job(kind="rollup_snapshot", params={"year": YEAR}, user_id=user.id, status="queued", total=1)
                db.session.add(row)
                db.session.commit()
                jobs.run(row.id)
                assert db.session.get(Job, row.id).status == "done", db.session.get(Job, row.id).error
            report(f"snapshot job ({label})", timed_call(job, heavy))
        client = app.test_client()
        r = client.post("/login", data={"username": username, "password": "bench-password"})
        assert r.status_code == 302, r.status_code
        timed(client, f"/region/?year={YEAR}", {}, 2)  # warm up
        page = timed(client, f"/region/?year={YEAR}", {}, runs)
        assert "数据截至" in client.get(f"/region/?year={YEAR}").get_data(as_text=True)
        report(f"roll-up page from snapshot ({label})", page)
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            report(f"roll-up counted live ({label})", timed_call(lambda: region.overview(user, YEAR), heavy))
        if username == "p1":
            report("county page seen by the province (live)", timed(client, f"/region/counties/1?year={YEAR}", {},
                                                                     max(3, runs // 5)))


def timed(client, path, headers, runs) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(path, headers=headers)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.get_json()
    return out


def report(name, samples):
    samples = sorted(samples)
    p90 = samples[max(0, math.ceil(len(samples) * 0.9) - 1)]  # with few samples, the largest
    print(f"{name:48s} median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms   (n={len(samples)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--db", default="fangxin_bench")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--only-region", action="store_true", help="only the roll-up and the county page from above")
    args = ap.parse_args()
    url = fresh_database(args.url, args.db)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
    t = time.perf_counter()
    load(url)
    print(f"loaded {UNITS} units over {COUNTIES} counties in {time.perf_counter() - t:.1f} s")
    region_timings(app, args.runs)
    if args.only_region:
        return
    with app.app_context():
        from server.account.models import User
        pw = hash_password("bench-password")
        county = User(username="c1", name="县管理员", role="county_admin", county_id=1, password_hash=pw)
        station = User(username="s1", name="所管理员", role="station_admin", county_id=1, station_id=1,
                       password_hash=pw)
        db.session.add_all([county, station])
        db.session.flush()
        tokens = {u.username: issue_token(u, "bench")[1] for u in (county, station)}
        db.session.commit()
        per_county = db.session.scalar(sa.text("SELECT count(*) FROM unit WHERE county_id = 1"))
        per_station = db.session.scalar(sa.text("SELECT count(*) FROM unit WHERE station_id = 1"))
    client = app.test_client()
    h = {"Authorization": "Bearer " + tokens["c1"]}
    hs = {"Authorization": "Bearer " + tokens["s1"]}
    timed(client, f"/api/v1/dashboard?year={YEAR}", h, 3)  # warm up
    report(f"county dashboard ({per_county} units)", timed(client, f"/api/v1/dashboard?year={YEAR}", h, args.runs))
    report(f"station unit list ({per_station} units)",
           timed(client, f"/api/v1/units?year={YEAR}&per_page=20", hs, args.runs))
    report("station unit search 'q=0001'", timed(client, f"/api/v1/units?year={YEAR}&q=0001", hs, args.runs))
    with app.app_context():
        from server.dashboard.pace import pace
        from server.station.service import list_stations, targets_for
        for username in ("c1", "s1"):
            user = db.session.scalar(sa.select(User).where(User.username == username))
            samples = []
            for _ in range(max(3, args.runs // 5)):
                t = time.perf_counter()
                pace(user, YEAR, list_stations(user), targets_for(user, YEAR), date(YEAR, 12, 31))
                samples.append((time.perf_counter() - t) * 1000)
            report(f"pace, 53 weeks ({username})", samples)


if __name__ == "__main__":
    main()
