"""A database that cannot be reached (down, restarting, refusing connections) is no fault of the request:
every kind of request answers 503 with Retry-After, never 500 — the sign page's raw connection included."""
import socket

import pytest

from server import create_app
from server.qrsign import payload


def _closed_port() -> int:
    """A loopback port nothing listens on: a connection there is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def down(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"postgresql://postgres@127.0.0.1:{_closed_port()}/nothing"})
    return app.test_client()


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/s/{token}", None),  # the scan: the change stamp on a raw pooled connection
    ("GET", "/s/{token}?done=evaluation", None),  # rendered fresh, through an engine connection
    ("GET", "/s/?q=JY-2023-000001", None),
    ("POST", "/api/v1/auth/token", {"username": "admin", "password": "x"}),
    ("GET", "/directory", None),
])
def test_every_request_answers_503_with_retry_after(down, method, path, body):
    r = down.open(path.format(token=payload.new_token()), method=method, json=body)
    assert r.status_code == 503, r.get_data(as_text=True)[:300]
    assert r.headers["Retry-After"] == "1"
    assert "请稍后重试" in r.get_data(as_text=True)
