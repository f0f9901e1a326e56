"""The public directory at province scale on PostgreSQL (issue 19, item 1).

Loads 300 000 units over 90 counties (stations, targets, yearly stages; a sign for every unit that reached
标识发放 or 标识张贴, some of them revoked) into a fresh database, then times the directory through the real
app: the first page (no filters), a county's first page, a township's 无理由退货 units, a text search, a deep
page and the read-only JSON. Server time = the request handled in process (routing, queries, rendering).
Prints median and p90, and the first page's size: HTML and CSS, plain and gzipped (the goal: < 30 KB, no JS).

    .venv/bin/python bench/directory.py [--url postgresql://postgres@127.0.0.1:5432/postgres] [--runs 50]
"""
import argparse
import gzip
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import create_app  # noqa: E402
from server.extensions import db  # noqa: E402

COUNTIES, UNITS, YEAR = 90, 300_000, 2023
STAGES = ["pool", "committed", "profiled", "evaluated", "sign_issued", "sign_posted", "removed"]
TYPES = ["general", "no_reason_return", "factory"]
INDUSTRIES = ["服装", "餐饮", "超市", "五金", "茶叶", "鞋帽", "家电", "药店"]


def fresh_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def load(url: str) -> int:
    """Fill the database; the number of signs made."""
    rng = random.Random(1)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        stations = []
        for c in range(1, COUNTIES + 1):
            cur.execute("INSERT INTO county (id, code, name, authority) VALUES (%s, %s, %s, %s)",
                        (c, f"county{c}", f"第{c}县", f"第{c}县市场监督管理局"))
            for _ in range(9 + c % 3):
                stations.append((c, len(stations) + 1))
        with cur.copy("COPY station (id, county_id, code, name, position) FROM STDIN") as cp:
            for c, sid in stations:
                cp.write_row((sid, c, f"s{sid}", f"第{sid}所", sid))
        with cur.copy("COPY target (year, county_id, station_id, kind, count, updated_at) FROM STDIN") as cp:
            for c, sid in stations:
                for t in TYPES:
                    cp.write_row((YEAR, c, sid, t, rng.randint(5, 200), "2023-01-01"))
        stages = [rng.choice(STAGES) for _ in range(UNITS + 1)]
        with cur.copy("COPY unit (id, county_id, station_id, name, uscc, address, industry, contact_name, "
                      "contact_phone, type, return_days, return_exclusions, tags, business_status, version, "
                      "created_at, updated_at) FROM STDIN") as cp:
            for i in range(1, UNITS + 1):
                c, sid = stations[i % len(stations)]
                kind = TYPES[i % 3]
                cp.write_row((i, c, sid, f"单位{i:06d}号商店", f"X{i:017d}", f"某县某路{i}号", INDUSTRIES[i % 8],
                              "张三", "13800000000", kind, 7 if kind == "no_reason_return" else None,
                              "定制商品" if kind == "no_reason_return" else "",
                              '["\\u515a\\u5458\\u7ecf\\u8425\\u6237"]' if i % 11 == 0 else "[]",
                              "open", 1, "2023-01-01", "2023-01-01"))
        with cur.copy("COPY unit_year (unit_id, year, stage, updated_at) FROM STDIN") as cp:
            for i in range(1, UNITS + 1):
                cp.write_row((i, YEAR, stages[i], "2023-06-01"))
        signs = 0
        with cur.copy("COPY sign (county_id, station_id, unit_id, year, type, seq, serial, token, status, "
                      "issued_at, print_count, valid_until) FROM STDIN") as cp:
            for i in range(1, UNITS + 1):
                if stages[i] in ("sign_issued", "sign_posted"):
                    c, sid = stations[i % len(stations)]
                    signs += 1
                    cp.write_row((c, sid, i, YEAR, TYPES[i % 3], i, f"B-{YEAR}-{i:06d}", f"t{i:015d}",
                                  "revoked" if i % 50 == 0 else "issued", "2023-06-01", 1,
                                  "2099-03-31" if i % 7 else "2024-03-31"))  # some expired
        for table in ("county", "station", "unit"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        cur.execute("ANALYZE")
    return signs


def timed(client, path, runs) -> tuple[list[float], bytes]:
    out, body = [], b""
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.status_code
        body = r.get_data()
    return out, body


def report(name, samples):
    samples = sorted(samples)
    p90 = samples[int(len(samples) * 0.9) - 1]
    print(f"{name:44s} median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms   (n={len(samples)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--db", default="fangxin_bench_directory")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--keep", action="store_true", help="reuse the database loaded by an earlier run")
    args = ap.parse_args()
    url = args.url.rsplit("/", 1)[0] + "/" + args.db if args.keep else fresh_database(args.url, args.db)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    if not args.keep:
        with app.app_context():
            db.create_all()
        t = time.perf_counter()
        signs = load(url)
        print(f"loaded {UNITS} units over {COUNTIES} counties, {signs} signs, in {time.perf_counter() - t:.1f} s")
    client = app.test_client()
    timed(client, "/directory", 3)  # warm up
    paths = [("first page /directory", "/directory"),
             ("a county's first page", "/directory?county_id=1"),
             ("a township's 无理由退货", "/directory?station_id=1&type=no_reason_return"),
             ("search q=服装", "/directory?q=%E6%9C%8D%E8%A3%85"),
             ("search q=单位123 (a name)", "/directory?q=%E5%8D%95%E4%BD%8D123"),
             ("page 50", "/directory?page=50"),
             ("JSON /api/v1/directory", "/api/v1/directory")]
    first = b""
    for name, path in paths:
        samples, body = timed(client, path, args.runs)
        report(name, samples)
        first = first or body
    css = client.get("/static/public.css").get_data()
    print(f"first page: HTML {len(first)} B + CSS {len(css)} B = {len(first) + len(css)} B "
          f"({(len(first) + len(css)) / 1024:.1f} KB); gzipped {len(gzip.compress(first))} + "
          f"{len(gzip.compress(css))} B; scripts: {first.count(b'<script')}")


if __name__ == "__main__":
    main()
