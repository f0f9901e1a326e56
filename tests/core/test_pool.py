"""Pooled connections to PostgreSQL: an idle one the server dropped is replaced before a request uses
it; a busy one that dies fails one request with 503 "try again", and the next request works."""
import os

import pytest
import sqlalchemy as sa

from server import create_app
from server.extensions import db

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"),
                                reason="a database server that drops connections (PostgreSQL; CI runs it there)")


def _app(idle_seconds: float):
    """An app with a pool of its own (the suite's pool is left alone) on the test database."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": URL, "SECRET_KEY": "x",
                       "DB_PING_AFTER_IDLE_SECONDS": idle_seconds})


def _pooled_backend(app) -> int:
    """The server process behind the app's pooled connection (it goes back to the pool afterwards)."""
    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.rollback()
    return pid


def _drop(pid: int) -> None:
    """The server ends that connection, as a restart or a failover would."""
    killer = sa.create_engine(URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with killer.connect() as c:
        assert c.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        for _ in range(100):  # until it is gone
            if not c.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
                break
    killer.dispose()


def _login(client):
    return client.post("/api/v1/auth/token", json={"username": "nobody", "password": "wrong-password"})


def test_an_idle_connection_the_server_dropped_is_replaced_before_the_request_uses_it():
    app = _app(idle_seconds=0)  # every pooled connection counts as idle: pinged at each checkout
    old = _pooled_backend(app)
    _drop(old)
    r = _login(app.test_client())
    assert r.status_code == 422 and r.get_json()["error"]["message"] == "用户名或密码不正确"
    assert _pooled_backend(app) != old
    with app.app_context():
        db.engine.dispose()


def test_a_busy_connection_that_dies_fails_one_request_with_try_again_and_the_next_works():
    app = _app(idle_seconds=3600)  # in use a moment ago: not pinged
    client = app.test_client()
    _drop(_pooled_backend(app))
    r = _login(client)
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    assert r.get_json()["error"] == {"code": "retry", "message": "服务器繁忙，本次未保存，请稍后重试"}
    r = _login(client)
    assert r.status_code == 422 and r.get_json()["error"]["message"] == "用户名或密码不正确"
    with app.app_context():
        db.engine.dispose()


def test_the_public_page_answers_503_with_retry_after_when_its_connection_was_dropped():
    """The sign page reads the change stamp on a raw pooled connection: a dropped one is a 503 to retry, not
    a 500 (issue 16), and the pool renews it for the next scan."""
    from server.qrsign import payload
    app = _app(idle_seconds=3600)
    client = app.test_client()
    token = payload.new_token()
    assert client.get(f"/s/{token}").status_code == 404  # the stamp's connection is now in the pool
    _drop(_pooled_backend(app))
    r = client.get(f"/s/{token}")
    assert r.status_code == 503 and r.headers["Retry-After"] == "1" and "请稍后重试" in r.get_data(as_text=True)
    assert client.get(f"/s/{token}").status_code == 404
    with app.app_context():
        db.engine.dispose()
