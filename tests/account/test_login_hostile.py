"""Login that attackers cannot turn against users, and sessions that end (issue 16)."""
import threading
from datetime import timedelta

import sqlalchemy as sa

from server.account import service as accounts
from server.account.models import LoginAttempt, User
from server.core.clock import utcnow
from server.extensions import db
from tests.conftest import PASSWORD, bearer

ATTACKER, OFFICE = {"REMOTE_ADDR": "203.0.113.66"}, {"REMOTE_ADDR": "10.0.0.1"}


def token_login(client, username, password, where=OFFICE):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password}, environ_base=where)


def test_five_wrong_passwords_elsewhere_do_not_lock_the_real_user_out(client, world):
    for _ in range(8):
        assert token_login(client, "a_admin", "wrong-guess", ATTACKER).status_code in (422, 429)
    assert token_login(client, "a_admin", "wrong-guess", ATTACKER).status_code == 429
    assert token_login(client, "a_admin", PASSWORD).status_code == 201  # from the office, at once
    assert client.post("/login", data={"username": "a_admin", "password": PASSWORD},
                       environ_base=OFFICE).status_code == 302


def test_the_wait_grows_with_failures_and_ends(app, client, world):
    """Beyond 5 failures of one account from one address: 30, 60, 120 … seconds after the latest, up to 15 min."""
    with app.app_context():
        now = utcnow()
        for n in range(7):  # 7 failures, the latest a minute ago: 30 × 2^(7-5) = 120 s to wait from it
            db.session.add(LoginAttempt(username="a_admin", address="203.0.113.66", success=False,
                                        at=now - timedelta(seconds=60 + n)))
        db.session.commit()
        assert 55 <= accounts.login_wait("a_admin", "203.0.113.66") <= 61
        assert accounts.login_wait("a_admin", "203.0.113.66", now + timedelta(seconds=61)) == 0
        assert accounts.login_wait("a_admin", "10.0.0.1") == 0  # the account itself is not locked
    r = token_login(client, "a_admin", PASSWORD, ATTACKER)
    assert r.status_code == 429 and r.json["error"]["message"] == "登录失败次数过多，请1分钟后再试"


def test_an_office_behind_one_address_is_not_locked_by_its_typos(client, world):
    for name in ("a_admin", "b_admin", "a_insp", "b_insp", "admin", "nobody", "wuyun", "x1", "x2", "x3"):
        for _ in range(3):
            assert token_login(client, name, "typo-typo").status_code == 422
    assert token_login(client, "a_insp", PASSWORD).status_code == 201


def test_twenty_guesses_at_once_get_five_checked(app, world):
    codes, barrier = [], threading.Barrier(20)

    def guess():
        c = app.test_client()
        barrier.wait()
        codes.append(token_login(c, "a_admin", "guess-guess", ATTACKER).status_code)
    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [422] * 5 + [429] * 15, codes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 5


def test_an_unknown_user_costs_a_password_check_too(client, world, monkeypatch):
    checked = []
    real = type(accounts._hasher).verify
    monkeypatch.setattr(type(accounts._hasher), "verify", lambda self, h, p: checked.append(h) or real(self, h, p))
    assert token_login(client, "no-such-user", "whatever1").status_code == 422
    assert token_login(client, "a_admin", "whatever1").status_code == 422
    assert len(checked) == 2 and checked[0] != checked[1]  # the dummy hash, then the real one


def test_logout_ends_the_session_even_for_a_copy_of_its_cookie(client, world, app):
    assert client.post("/login", data={"username": "a_admin", "password": PASSWORD}).status_code == 302
    copy = app.test_client()
    cookie = client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/units").status_code == 200
    client.post("/logout")
    assert copy.get("/units").status_code == 302  # back to the login page


def test_password_reset_and_deactivation_end_device_tokens_for_good(client, world):
    admin, insp = bearer(world.tokens["county_admin"]), bearer(world.tokens["inspector_a"])
    assert client.get("/api/v1/sync/pull", headers=insp).status_code == 200
    r = client.patch(f"/api/v1/users/{world.ids['inspector_a']}", headers=admin, json={"password": "new-pass-123"})
    assert r.status_code == 200
    assert client.get("/api/v1/sync/pull", headers=insp).status_code == 401
    other = bearer(token_login(client, "b_insp", PASSWORD).json["token"])
    client.patch(f"/api/v1/users/{world.ids['inspector_b']}", headers=admin, json={"active": False})
    assert client.get("/api/v1/sync/pull", headers=other).status_code == 401
    client.patch(f"/api/v1/users/{world.ids['inspector_b']}", headers=admin, json={"active": True})
    assert client.get("/api/v1/sync/pull", headers=other).status_code == 401  # reactivation revives nothing
    assert client.get("/api/v1/sync/pull", headers=bearer(world.tokens["inspector_b"])).status_code == 401
    assert token_login(client, "b_insp", PASSWORD).status_code == 201  # a new login works
