"""Time to generate the monthly bulletin: the demo county, and every county of the province-sized data set.

    .venv/bin/python bench/bulletin.py [--url postgresql://postgres@127.0.0.1:5432/postgres]

Uses bench/dashboard.py's loader (300 000 units over 90 counties in PostgreSQL), adds a county admin
per county, and generates each county's bulletin for 2023-11 through the service (figures kept in
the database, as the page and CLI do). The demo county is loaded into a database of its own.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dashboard  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from server import create_app  # noqa: E402
from server.extensions import db  # noqa: E402


def demo_county(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": dashboard.fresh_database(url, "fangxin_bench_bulletin_demo"),
                      "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        from server.demo import loader
        from server.rhythm import bulletin
        loader.load()
        db.session.commit()
        admin = db.session.scalar(sa.select(loader.User).where(loader.User.username == "admin"))
        t = time.perf_counter()
        bulletin.generate(admin, "2023-11")
        db.session.commit()
        print(f"demo county (1122 units): bulletin in {time.perf_counter() - t:.2f} s")
        db.engine.dispose()


def province(url: str) -> None:
    target = dashboard.fresh_database(url, "fangxin_bench_bulletin")
    app = create_app({"SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
    dashboard.load(target)
    with app.app_context():
        from server.account.models import User
        from server.rhythm import bulletin
        admins = []
        for c in range(1, dashboard.COUNTIES + 1):
            admins.append(User(username=f"admin{c}", name="县管理员", role="county_admin", county_id=c,
                               password_hash="x"))
        db.session.add_all(admins)
        db.session.commit()
        t = time.perf_counter()
        for admin in admins:
            bulletin.generate(admin, "2023-11")
        db.session.commit()
        took = time.perf_counter() - t
        print(f"province (300 000 units, 90 counties): every county's bulletin in {took:.1f} s "
              f"({took / len(admins) * 1000:.0f} ms a county)")
        db.engine.dispose()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    demo_county(args.url)
    province(args.url)


if __name__ == "__main__":
    main()
