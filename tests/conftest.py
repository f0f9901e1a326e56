"""Fixtures: the app on a real database (SQLite or PostgreSQL by TEST_DATABASE_URL), a clean
database for every test, a small two-station world, and login helpers."""
import os
import tempfile

import pytest
import sqlalchemy as sa

from server import create_app
from server.account.models import User
from server.account.service import hash_password, issue_token
from server.extensions import db as _db
from server.station.models import County, Station, Target
from server.unit.models import LifecycleEvent, Unit, UnitYear

PASSWORD = "correct-horse-9"
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for the whole run
YEAR = 2023


def _database_url(tmpdir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmpdir}/test.db"


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    """A real S3-compatible server (SeaweedFS) for the session, on loopback; see tests/seaweed.py."""
    from tests.seaweed import Seaweed
    server = Seaweed(str(tmp_path_factory.mktemp("seaweedfs")))
    server.start()
    yield server
    server.stop()


def _photo_storage(request, tmp: str) -> str:
    """Photos in a folder (the embedded default), or with TEST_PHOTO_STORAGE=seaweedfs in a fresh
    bucket of a real SeaweedFS for the whole run (CI runs the PostgreSQL suite so)."""
    if os.environ.get("TEST_PHOTO_STORAGE", "file") != "seaweedfs":
        return f"file://{tmp}/photos"
    server = request.getfixturevalue("seaweed")
    os.environ.update(server.env())
    return f"s3://{server.new_bucket()}/photos"


@pytest.fixture(scope="session")
def app(request):
    tmp = tempfile.mkdtemp(prefix="fangxin-test-")
    os.environ.setdefault("INSTANCE_PATH", tmp)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp),
        "WTF_CSRF_ENABLED": False,
        "PHOTO_STORAGE": _photo_storage(request, tmp),
        "SECRET_KEY": "test-secret",
        # Jobs run in the process that starts them, once committed; tests/job runs them on real queues.
        "JOBS_QUEUE": "inline",
        # The lookups at /s/ are throttled per address; the tests all come from one (test_public_lookup sets
        # a small limit to test it).
        "LOOKUP_RATE_LIMIT": "100000 per minute",
    })
    with app.app_context():
        _wipe(_db.engine, drop=True)
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _wipe(_db.engine, drop=True)
        _db.engine.dispose()


def _wipe(engine, drop=False):
    """Empty (or drop) every table. SQLite: with foreign keys off, since tasks and inspections refer
    to each other; PostgreSQL: one TRUNCATE ... CASCADE."""
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            if drop:
                conn.execute(sa.text("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
            else:
                # DELETE with triggers (and so foreign-key checks) off is much faster than TRUNCATE
                # for tables that are mostly empty, as between tests.
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                conn.execute(sa.text("; ".join(f'DELETE FROM "{t}"' for t in tables)))
        return
    raw = engine.raw_connection()
    try:
        raw.execute("PRAGMA foreign_keys=OFF")
        for t in tables:
            raw.execute(f'DROP TABLE IF EXISTS "{t}"' if drop else f'DELETE FROM "{t}"')
        raw.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Every test starts with empty tables."""
    yield
    with app.app_context():
        _db.session.remove()
        _wipe(_db.engine)


@pytest.fixture
def ctx(app):
    """An application context, for calling services directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def valid_uscc(n: int, head: str = "92") -> str:
    """A valid credit code, different for every n."""
    from server.core.uscc import check_char
    body = f"{head}331122MA{n:07d}"
    return body + check_char(body)


class World:
    """Two stations of one county, a user of every role, and a unit in each station."""

    def __init__(self):
        self.county = County(code="jinyun", name="缙云县", authority="缙云县市场监督管理局")
        _db.session.add(self.county)
        _db.session.flush()
        self.a = Station(county_id=self.county.id, code="wuyun", name="五云所", position=0)
        self.b = Station(county_id=self.county.id, code="huzhen", name="壶镇分局", position=1)
        _db.session.add_all([self.a, self.b])
        _db.session.flush()
        self.county_admin = self.user("admin", "county_admin", None)
        self.admin_a = self.user("a_admin", "station_admin", self.a)
        self.admin_b = self.user("b_admin", "station_admin", self.b)
        self.inspector_a = self.user("a_insp", "inspector", self.a)
        self.inspector_b = self.user("b_insp", "inspector", self.b)
        self.unit_a = self.unit("五云放心超市", self.a, 1)
        self.unit_b = self.unit("壶镇诚信五金店", self.b, 2)
        for st, n in ((self.a, 10), (self.b, 8)):
            _db.session.add(Target(year=YEAR, county_id=self.county.id, station_id=st.id, kind="general", count=n))
        _db.session.commit()

    def user(self, username, role, station):
        u = User(username=username, name=username, role=role, county_id=self.county.id,
                 station_id=station.id if station else None, password_hash=_HASH)
        _db.session.add(u)
        _db.session.flush()
        return u

    def unit(self, name, station, n, stage="pool", type="general"):
        u = Unit(county_id=self.county.id, station_id=station.id, name=name, uscc=valid_uscc(n),
                 address=f"{station.name}路{n}号", type=type, return_days=7 if type == "no_reason_return" else None,
                 industry="零售", contact_name="王老板", contact_phone=f"1380000{n:04d}")
        _db.session.add(u)
        _db.session.flush()
        _db.session.add(UnitYear(unit_id=u.id, year=YEAR, stage=stage))
        _db.session.add(LifecycleEvent(unit_id=u.id, year=YEAR, from_stage=None, to_stage=stage, note="纳入年度名单"))
        _db.session.flush()
        return u

    def token(self, user) -> str:
        _, plain = issue_token(user, "test")
        _db.session.commit()
        return plain


@pytest.fixture(autouse=True)
def _signs_seen_in_the_worlds_year(monkeypatch):
    """The test world's programme year is YEAR: the public page judges a sign's validity as of
    1 December YEAR (a test of expiry passes its own date, or moves this one)."""
    from datetime import date
    from server.signage import state
    monkeypatch.setattr(state, "today", lambda: date(YEAR, 12, 1))


def certify(user, unit, year: int = YEAR, *, to: str = "evaluated") -> None:
    """Walk a unit through the services to `to`: the manual steps, then a recorded passing evaluation
    (with its document number), then a sign issued, then posted with a photo row of the user's."""
    from datetime import date
    from server.unit import lifecycle
    from server.unit.models import STAGE_ORDER
    record = lifecycle.unit_year(unit, year)
    if record is None:
        record = lifecycle.enroll(user, unit, year)
    order = STAGE_ORDER.index
    for stage in ("committed", "profiled"):
        if order(record.stage) < order(stage) <= order(to):
            lifecycle.transition(user, unit, year, stage)
    if order(record.stage) < order("evaluated") <= order(to):
        lifecycle.record_evaluation(user, unit, year, passed=True, evaluated_on=date(year, 9, 1),
                                    evidence_ref=f"后评〔{year}〕{unit.id}号")
    if order(record.stage) < order("sign_issued") <= order(to):
        from server.signage.service import issue_sign
        issue_sign(user, unit.id, year)
    if order(record.stage) < order("sign_posted") <= order(to):
        from server.signage.service import mark_posted
        mark_posted(user, unit.id, year, photo_row(user))


def photo_row(user, n: int = 0) -> str:
    """A photo record uploaded by the user (no file: enough for the rules that check who uploaded it)."""
    import hashlib
    from server.photo.models import Photo
    sha = hashlib.sha256(f"{user.id}-{n}".encode()).hexdigest()
    if _db.session.get(Photo, sha) is None:
        _db.session.add(Photo(sha256=sha, size=1, mime="image/jpeg", width=1, height=1, original_key=f"o/{sha}",
                              thumb_key=f"t/{sha}", uploaded_by=user.id, station_id=user.station_id,
                              county_id=user.county_id))
        _db.session.flush()
    return sha


@pytest.fixture
def world(app):
    with app.app_context():
        w = World()
        ids = {k: getattr(w, k).id for k in ("county", "a", "b", "county_admin", "admin_a", "admin_b",
                                             "inspector_a", "inspector_b", "unit_a", "unit_b")}
        tokens = {k: w.token(getattr(w, k)) for k in ("county_admin", "admin_a", "admin_b",
                                                      "inspector_a", "inspector_b")}
    w.ids, w.tokens = ids, tokens
    return w


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str = PASSWORD):
    """Log in through the admin login page."""
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture(autouse=True)
def _nobody_acting_after_a_test():
    """Every test starts with no one acting (server.core.context) and must leave it so: a command run in-process
    that left its admin acting made a later test's changes that admin's in the audit log (seen in CI)."""
    from server.core.context import SYSTEM, current_actor
    assert current_actor() == SYSTEM, f"an earlier test left {current_actor()} acting"
    yield
    assert current_actor() == SYSTEM, f"this test left {current_actor()} acting"
