"""Kept sign pages sent before Flask (server.public.fast): every request gets from it the very status,
headers and bytes Flask would send it, and it answers only the requests it may."""
import gzip
import itertools

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from server.extensions import db
from server.public.fast import KeptPages
from server.signage.models import Sign
from tests.signage.conftest import evaluated, issue  # noqa: F401

GZIP_TAKERS = ("gzip, deflate, br", "gzip", "br;q=1.0, gzip;q=0.8")
OTHER_ENCODINGS = ("", "br", "identity", "gzip;q=0", "*", "deflate")
PLAIN_QUERIES = ("", "from=singlemessage&isappinstalled=0")
OTHER_QUERIES = ("done=evaluation", "done=complaint", "done=x", "x=%00", "q=%E4%B8%AD")
COOKIES = ("", "big=1", "big=0")


@pytest.fixture
def both(app):
    """(through the layer, straight to Flask, calls that reached Flask through the layer)."""
    layer = app.wsgi_app
    assert isinstance(layer, KeptPages)
    passed = []

    def flask(environ, start_response):
        passed.append(environ["PATH_INFO"])
        return layer.wsgi_app(environ, start_response)
    counted = KeptPages(app, flask)
    return Client(counted, use_cookies=False), Client(layer.wsgi_app, use_cookies=False), passed


def _answer(r):
    """Status, headers and body. What flask-compress compressed now (a page Flask rendered fresh) bears the
    time twice, in its Date header and in the gzip header's mtime: two requests may fall in two seconds (seen
    as a flake), so such an answer is compared without its Date and by its unzipped body."""
    body = r.get_data()
    compressed_now = "Date" in r.headers
    if compressed_now and r.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return (r.status_code, sorted((k.lower(), v) for k, v in r.headers.items() if k.lower() != "date"), body)


def _same(both, path, **kw):
    """The answer through the layer and straight from Flask; True when the layer answered itself."""
    fast, flask, passed = both
    before = len(passed)
    through = fast.get(path, **kw)
    answered = len(passed) == before
    assert _answer(through) == _answer(flask.get(path, **kw)), (path, kw)
    return answered


def test_the_layer_sends_what_flask_sends_for_every_kind_of_scan(app, world, evaluated, both):
    _, token, _ = issue(app, world)
    _, revoked, _ = issue(app, world, "unit_b", "admin_b")
    with app.app_context():
        db.session.scalar(sa.select(Sign).where(Sign.token == revoked)).status = "revoked"
        db.session.commit()
    for t in (token, revoked):
        for cookie in COOKIES:  # kept by Flask first: the first scan of a page is always Flask's
            Client(app.wsgi_app, use_cookies=False).get(f"/s/{t}", headers={"Accept-Encoding": "gzip", "Cookie": cookie})
        for encoding, query, cookie in itertools.product(GZIP_TAKERS, PLAIN_QUERIES, COOKIES):
            headers = {"Accept-Encoding": encoding, "Cookie": cookie}
            assert _same(both, f"/s/{t}?{query}", headers=headers)
            assert _same(both, f"/s/{t}?{query}", headers=headers, environ_overrides={"wsgi.url_scheme": "https"})
        # Flask's to answer, and answered the same
        for encoding in OTHER_ENCODINGS:
            assert not _same(both, f"/s/{t}", headers={"Accept-Encoding": encoding})
        for query in OTHER_QUERIES:
            assert not _same(both, f"/s/{t}?{query}", headers={"Accept-Encoding": "gzip"})
        for cookie in ("session=abc", "big=1; remember_token=x"):
            assert not _same(both, f"/s/{t}", headers={"Accept-Encoding": "gzip", "Cookie": cookie})
        etag = both[1].get(f"/s/{t}", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
        assert not _same(both, f"/s/{t}", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        fast, flask, _ = both
        assert _answer(fast.head(f"/s/{t}", headers={"Accept-Encoding": "gzip"})) == _answer(
            flask.head(f"/s/{t}", headers={"Accept-Encoding": "gzip"}))
    for path in ("/s/" + "Q" * 16, f"/s/{token}/", f"/s/{token}%0A", f"/S/{token}", f"/s/{token.lower()}x"):
        assert not _same(both, path, headers={"Accept-Encoding": "gzip"})


def test_a_page_not_fresh_is_flasks_and_a_change_shows_at_once(app, world, evaluated, both):
    _, token, _ = issue(app, world)
    fast, _, passed = both
    gz = {"Accept-Encoding": "gzip"}
    assert "本标识真实有效" in _text(fast.get(f"/s/{token}", headers=gz))  # not kept yet: Flask
    assert passed == [f"/s/{token}"]
    fast.get(f"/s/{token}", headers=gz)
    assert len(passed) == 1  # kept: the layer
    with app.app_context():
        db.session.scalar(sa.select(Sign).where(Sign.token == token)).status = "revoked"
        db.session.commit()
    assert "已撤销" in _text(fast.get(f"/s/{token}", headers=gz))
    assert len(passed) == 2


def test_a_database_that_fails_is_flasks_to_answer(app, world, evaluated, both, monkeypatch):
    from server.public import fast
    _, token, _ = issue(app, world)
    client, _, passed = both
    client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip"})

    def down(engine=None):
        raise RuntimeError("the database is down")
    monkeypatch.setattr(fast, "change_stamp", down)
    r = client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and len(passed) == 2  # Flask read the stamp itself (and would answer 503)


def _text(r):
    return gzip.decompress(r.get_data()).decode()


def test_behind_the_proxy_the_layer_sees_the_clients_scheme(app, world, evaluated):
    """ProxyFix stays outermost: a scan that came over HTTPS through the proxy gets HSTS from the layer too."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from server import create_app
    _, token, _ = issue(app, world)
    proxied = create_app({"TESTING": True, "SECRET_KEY": "x", "TRUSTED_PROXY_HOPS": 1, "JOBS_QUEUE": "inline",
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "PHOTO_STORAGE": app.config["PHOTO_STORAGE"]})
    assert isinstance(proxied.wsgi_app, ProxyFix) and isinstance(proxied.wsgi_app.app, KeptPages)
    client = Client(proxied.wsgi_app, use_cookies=False)
    headers = {"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    first, second = (_answer(client.get(f"/s/{token}", headers=headers)) for _ in range(2))  # Flask, then the layer
    assert first == second and ("strict-transport-security", "max-age=31536000; includeSubDomains") in second[1]
    with proxied.app_context():
        db.engine.dispose()


def test_a_page_kept_under_another_mount_point_is_not_sent_here(app, world, evaluated, both):
    """SCRIPT_NAME (a proxy may forward it from the client) is part of a kept page's links and of its key:
    a page kept for /evil is not the one a plain scan gets, with the layer or without."""
    _, token, _ = issue(app, world)
    fast, _, passed = both
    gz = {"Accept-Encoding": "gzip"}
    for _ in range(2):
        poisoned = fast.get(f"/s/{token}", headers=gz, environ_overrides={"SCRIPT_NAME": "/evil"})
    assert "/evil/static/public.css" in _text(poisoned) and len(passed) == 1  # kept under /evil, then sent
    for _ in range(2):
        assert "/evil" not in _text(fast.get(f"/s/{token}", headers=gz))
    assert _same(both, f"/s/{token}", headers=gz, environ_overrides={"SCRIPT_NAME": "/evil/"})
    assert not _same(both, f"/s/{token}", headers=gz, environ_overrides={"SCRIPT_NAME": "/é"})


def test_a_websocket_request_is_flasks_to_refuse(app, world, evaluated, both):
    _, token, _ = issue(app, world)
    gz = {"Accept-Encoding": "gzip"}
    both[0].get(f"/s/{token}", headers=gz)
    upgrade = {**gz, "Connection": "Upgrade", "Upgrade": "websocket"}
    assert not _same(both, f"/s/{token}", headers=upgrade)
    assert not _same(both, f"/s/{token}", headers=gz, environ_overrides={"wsgi.url_scheme": "wss"})


def test_a_page_never_kept_costs_the_layer_no_query(app, world, evaluated, both, monkeypatch):
    """A first scan or a guessed token goes to Flask before the layer reads the stamp: one read, Flask's."""
    from server.public import fast
    from server.qrsign import payload
    _, token, _ = issue(app, world)
    reads = []
    real = fast.change_stamp
    monkeypatch.setattr(fast, "change_stamp", lambda engine=None: reads.append(1) or real(engine))
    client, _, passed = both
    gz = {"Accept-Encoding": "gzip"}
    assert client.get(f"/s/{payload.new_token()}", headers=gz).status_code == 404
    assert client.get(f"/s/{token}", headers=gz).status_code == 200
    assert reads == [] and len(passed) == 2
    assert client.get(f"/s/{token}", headers=gz).status_code == 200
    assert reads == [1] and len(passed) == 2
