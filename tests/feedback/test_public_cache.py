"""The sign page kept rendered per process: what changes it shows at once, what within the TTL, and how
it is sent (no query on a hit, gzip, 304, headers)."""
import gzip
import threading
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from server.core.clock import utcnow
from server.extensions import db
from server.feedback.models import Evaluation
from server.core import pool
from server.public import cache
from server.qrsign import payload
from server.signage.models import Sign
from server.station.models import Target
from server.unit.models import Unit
from tests.conftest import YEAR, bearer
from tests.signage.conftest import evaluated, issue  # noqa: F401
from tests.sync.conftest import checklist, inspection_body  # noqa: F401


def text(r):
    return r.get_data(as_text=True)


def stamp(app):
    with app.app_context():
        return cache.change_stamp()


@contextmanager
def statements(app):
    """The SQL statements the app runs through SQLAlchemy inside the block."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def fake_clock(monkeypatch, start_ns: int):
    """Stop the cache's clock at start_ns; returns move(seconds)."""
    now = [start_ns]
    monkeypatch.setattr(cache, "monotonic_ns", lambda: now[0])

    def move(seconds):
        now[0] += round(seconds * 1e9)
    return move


@pytest.fixture
def later(monkeypatch):
    """Move the cache's clock: later(seconds)."""
    return fake_clock(monkeypatch, cache.monotonic_ns())


def add_evaluation_elsewhere(app, world, sign_id, stars):
    """An evaluation stored by another process: this one hears nothing of it."""
    with app.app_context():
        unit = db.session.get(Unit, world.ids["unit_a"])
        db.session.add(Evaluation(unit_id=unit.id, sign_id=sign_id, county_id=unit.county_id,
                                  station_id=unit.station_id, stars=stars, tags=[], comment="",
                                  address_hash="x", created_at=utcnow()))
        db.session.commit()


def test_a_hit_runs_no_query_for_the_facts(app, client, world, evaluated, monkeypatch):
    from server.public import service
    _, token, _ = issue(app, world)
    facts = []  # the statements run straight on a DBAPI connection for the facts (server.core.pool.hand_run_one)

    def counted(engine, statement, values):
        facts.append(statement)
        return pool.hand_run_one(engine, statement, values)
    monkeypatch.setattr(service, "hand_run_one", counted)
    with statements(app) as first:
        page = client.get(f"/s/{token}")
    assert facts == [service._FACTS]
    with statements(app) as second:
        again = client.get(f"/s/{token}")
    # A render is one query (the sign, its unit and the unit's record: post-evaluation, stars), and no ORM or
    # engine statement; a hit runs none (only the stamp, straight on a DBAPI connection).
    assert first == [] and second == [] and facts == [service._FACTS]
    assert again.get_data() == page.get_data() and "本标识真实有效" in text(again)
    # Query strings a messenger appends do not matter; the note after a form is rendered fresh.
    with statements(app) as shared:
        assert client.get(f"/s/{token}?from=singlemessage").get_data() == page.get_data()
    assert shared == [] and len(facts) == 1
    assert "感谢您的评价" in text(client.get(f"/s/{token}?done=evaluation"))
    assert len(facts) == 2


def test_revoke_shows_on_the_very_next_scan(app, client, world, evaluated):
    sid, token, _ = issue(app, world)
    assert "本标识真实有效" in text(client.get(f"/s/{token}"))
    before = stamp(app)
    client.post(f"/api/v1/signs/{sid}/revoke", json={"reason": "violations"}, headers=bearer(world.tokens["admin_a"]))
    assert stamp(app) != before
    body = text(client.get(f"/s/{token}"))
    assert "已撤销" in body and "存在违法违规行为" in body


def test_replacement_shows_at_once(app, client, world, evaluated):
    sid, token, _ = issue(app, world)
    client.get(f"/s/{token}")
    client.post(f"/api/v1/signs/{sid}/replace", json={}, headers=bearer(world.tokens["admin_a"]))
    assert "已更换" in text(client.get(f"/s/{token}"))


def test_unit_removal_shows_at_once(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    client.get(f"/s/{token}")
    before = stamp(app)
    r = client.post(f"/api/v1/units/{world.ids['unit_a']}/transitions", headers=bearer(world.tokens["admin_a"]),
                    json={"year": YEAR, "to_stage": "removed", "reason": "violations"})
    assert r.status_code == 200, r.json
    assert stamp(app) != before
    assert "已撤销" in text(client.get(f"/s/{token}"))


def test_unit_edit_shows_at_once(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    client.get(f"/s/{token}")
    with app.app_context():
        db.session.get(Unit, world.ids["unit_a"]).address = "五云街道新建路8号"
        db.session.commit()
    assert "五云街道新建路8号" in text(client.get(f"/s/{token}"))


def test_new_post_evaluation_shows_at_once(app, client, world, evaluated, checklist):
    from datetime import datetime, timezone
    _, token, _ = issue(app, world)
    assert "2023年09月01日 · 合格" in text(client.get(f"/s/{token}"))  # the result staff recorded
    before = stamp(app)
    # An inspection in the app, ended at 16:10 UTC on 1 Nov: 2 Nov in China
    body = inspection_body(world.ids["unit_a"], checklist, kind="post_evaluation",
                           started=datetime(YEAR, 11, 1, 15, 50, tzinfo=timezone.utc))
    r = client.post("/api/v1/sync/push", json={"changes": [{"id": body["client_id"], "type": "inspection",
                                                             "data": body}]},
                    headers=bearer(world.tokens["inspector_a"]))
    assert r.json["results"][0]["status"] == "applied", r.json
    assert stamp(app) != before
    assert "2023年11月02日 · 合格" in text(client.get(f"/s/{token}"))


def test_evaluations_and_targets_show_within_the_ttl(app, client, world, evaluated, later):
    """Not in the change log: another process's evaluation shows once the TTL passed; a new year's target
    changes nothing on the page."""
    sid, token, _ = issue(app, world)
    assert "暂无评价" in text(client.get(f"/s/{token}"))
    add_evaluation_elsewhere(app, world, sid, 3)
    later(app.config["PUBLIC_PAGE_TTL"] - 1)
    assert "暂无评价" in text(client.get(f"/s/{token}"))
    later(1)
    assert "3.0（1条）" in text(client.get(f"/s/{token}"))
    with app.app_context():
        db.session.add(Target(year=YEAR + 1, county_id=world.ids["county"], station_id=world.ids["a"],
                              kind="general", count=5))
        db.session.commit()
    assert "本标识真实有效" in text(client.get(f"/s/{token}"))
    later(app.config["PUBLIC_PAGE_TTL"])
    assert "本标识真实有效" in text(client.get(f"/s/{token}"))  # a new year's targets change no sign


def test_an_evaluation_made_here_shows_here_at_once(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    assert "暂无评价" in text(client.get(f"/s/{token}"))
    assert client.post(f"/s/{token}/evaluate", data={"stars": "4"}).status_code == 303
    assert "4.0（1条）" in text(client.get(f"/s/{token}"))


def test_gzip_etag_and_headers(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    plain = client.get(f"/s/{token}", headers={"Accept-Encoding": "identity"})
    zipped = client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data())
    for r in (plain, zipped):
        assert r.headers["Cache-Control"] == "no-cache" and "Set-Cookie" not in r.headers
        assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Accept-Encoding" in r.headers["Vary"] and r.headers["X-Content-Type-Options"] == "nosniff"
    etag = plain.headers["ETag"]
    assert etag.startswith('W/"') and zipped.headers["ETag"] == etag
    other = client.get(f"/s/{token}", headers={"Accept-Encoding": "br"})  # flask-compress's to do
    assert other.headers["Content-Encoding"] == "br" and other.headers["ETag"] == etag
    unchanged = client.get(f"/s/{token}", headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert unchanged.status_code == 304 and unchanged.get_data() == b"" and unchanged.headers["ETag"] == etag
    with app.app_context():
        db.session.scalar(sa.select(Sign).where(Sign.token == token)).status = "revoked"
        db.session.commit()
    changed = client.get(f"/s/{token}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and "已撤销" in text(changed)


def test_unknown_tokens_are_not_kept(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    client.get(f"/s/{token}")
    kept = len(app.extensions["public_pages"])
    for _ in range(5):
        assert client.get(f"/s/{payload.new_token()}").status_code == 404
    assert len(app.extensions["public_pages"]) == kept


@pytest.mark.parametrize("uptime", [475.3, 2 ** 20 - 45.3, 1_000_000.123456789])
def test_the_ttl_holds_at_any_clock_value(monkeypatch, uptime):
    """Exact at every clock value: in float seconds, 475.3 s after boot (475.3 + 60) − (475.3 + 30) < 30."""
    move = fake_clock(monkeypatch, round(uptime * 1e9))
    pages = cache.PageCache(2)
    move(30)
    pages.put("a", cache.cached_page(b"a", 7))
    move(29.999)
    assert pages.get("a", 7, 30) is not None
    move(0.001)
    assert pages.get("a", 7, 30) is None


def test_page_cache_is_bounded_and_checks_stamp_and_age(later):
    pages = cache.PageCache(2)
    for key in "abc":
        pages.put(key, cache.cached_page(key.encode(), 7))
    assert pages.get("a", 7, 30) is None and len(pages) == 2  # the least recently used went
    assert pages.get("b", 7, 30).html == b"b"
    pages.put("d", cache.cached_page(b"d", 7))
    assert pages.get("c", 7, 30) is None and pages.get("b", 7, 30) is not None  # b was used, c went
    assert pages.get("b", 8, 30) is None  # a new stamp: not fresh, but kept to be checked against the facts
    assert pages.last("b").html == b"b"
    later(31)
    assert pages.get("d", 7, 30) is None and pages.last("d").html == b"d"


def test_stamp_moves_with_every_synced_commit(app, world, evaluated):
    before = stamp(app)
    with app.app_context():
        db.session.get(Unit, world.ids["unit_a"]).name = "改名" + uuid.uuid4().hex[:4]
        db.session.commit()
    assert stamp(app) != before


@pytest.fixture
def renders(monkeypatch):
    """The pages rendered (server.public.views._render_page), in order: a list of tokens."""
    from server.public import views
    done = []
    real = views._render_page

    def counted(page, token, done_note=""):
        done.append(token)
        return real(page, token, done_note)
    monkeypatch.setattr(views, "_render_page", counted)
    return done


def test_a_page_whose_facts_did_not_change_is_kept_without_a_render(app, client, world, evaluated, renders,
                                                                     later):
    """Every synced commit moves the stamp, and the TTL runs out: the facts are read again, and while they
    are the same the same page is sent, not rendered again; the first fact that changes renders it."""
    _, token, _ = issue(app, world)
    first = client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip"})
    assert renders == [token]
    before = stamp(app)
    with app.app_context():  # another unit's change: the stamp moves for every page
        db.session.get(Unit, world.ids["unit_b"]).address = "壶镇镇新街1号"
        db.session.commit()
    assert stamp(app) != before
    again = client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip"})
    later(app.config["PUBLIC_PAGE_TTL"])
    third = client.get(f"/s/{token}", headers={"Accept-Encoding": "gzip"})
    assert renders == [token]
    assert again.get_data() == third.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    with app.app_context():
        db.session.get(Unit, world.ids["unit_a"]).address = "五云街道新建路8号"
        db.session.commit()
    changed = client.get(f"/s/{token}")
    assert renders == [token, token] and "五云街道新建路8号" in text(changed)
    assert changed.headers["ETag"] != first.headers["ETag"]
    client.get(f"/s/{token}")
    assert renders == [token, token]  # fresh again: no query, no render


def test_a_page_made_yesterday_is_rendered_again_though_its_facts_are_the_same(app, client, world, evaluated,
                                                                                renders, monkeypatch):
    """Signs expire by the China date: a page is kept only on the day it was made, whatever its facts."""
    from datetime import timedelta

    from server.signage import state
    _, token, _ = issue(app, world)
    client.get(f"/s/{token}")
    tomorrow = state.today() + timedelta(days=1)
    monkeypatch.setattr(state, "today", lambda: tomorrow)
    client.get(f"/s/{token}")
    assert renders == [token, token]


def test_an_evaluation_committed_during_a_scan_shows_on_the_next(app, client, world, evaluated, monkeypatch):
    """A scan reads the old facts; before it keeps its page, a consumer's evaluation is committed in this
    process. The page kept from the old facts must not pass for fresh: the next scan shows the new stars
    (found by a breaker: the page was dropped before the commit and kept again by the scan in between)."""
    from server.public import views
    _, token, _ = issue(app, world)
    real = views.sign_page
    other = app.test_client()

    def evaluated_meanwhile(*args, **kwargs):
        page = real(*args, **kwargs)
        monkeypatch.setattr(views, "sign_page", real)
        done = []  # another request of this process, in a thread of its own as the server would run it
        consumer = threading.Thread(target=lambda: done.append(
            other.post(f"/s/{token}/evaluate", data={"stars": "2"}).status_code))
        consumer.start()
        consumer.join()
        assert done == [303]
        return page
    monkeypatch.setattr(views, "sign_page", evaluated_meanwhile)
    assert "暂无评价" in text(client.get(f"/s/{token}"))
    assert "2.0（1条）" in text(client.get(f"/s/{token}"))


def test_a_render_across_midnight_is_kept_under_the_day_it_judged(app, client, world, evaluated, monkeypatch,
                                                                  later):
    """The first reading of the date is the sign's last valid day, every later one the day after: the page
    judged valid must not be filed under the new day (where the facts, unchanged, would keep it for good)."""
    from datetime import timedelta

    from server.signage import state
    _, token, _ = issue(app, world)
    with app.app_context():
        until = db.session.scalar(sa.select(Sign.valid_until).where(Sign.token == token))
    days = iter([until])
    monkeypatch.setattr(state, "today", lambda: next(days, until + timedelta(days=1)))
    assert "本标识真实有效" in text(client.get(f"/s/{token}"))
    assert "已过期" in text(client.get(f"/s/{token}"))
    later(app.config["PUBLIC_PAGE_TTL"])
    assert "已过期" in text(client.get(f"/s/{token}"))


def test_a_query_string_of_one_scan_is_not_kept_for_the_next(app, client, world, evaluated):
    """The kept page is every scan's: its 大字 link returns to the sign's own address, whatever the first
    scan's address carried."""
    _, token, _ = issue(app, world)
    first = text(client.get(f"/s/{token}?utm=请拨打400-000-0000&done=x"))
    for body in (first, text(client.get(f"/s/{token}"))):
        assert "utm" not in body and "400-000" not in body
        assert f'href="/text-size?big=1&amp;next=/s/{token}"' in body
