"""Login, rate limiting, device tokens and account management."""
import sqlalchemy as sa

from server.account.models import DeviceToken, User
from server.extensions import db
from tests.conftest import PASSWORD, bearer, login


def test_password_is_stored_as_argon2(app, world):
    with app.app_context():
        assert db.session.get(User, world.ids["admin_a"]).password_hash.startswith("$argon2id$")


def test_token_login_wrong_password_is_chinese_422(client, world):
    r = client.post("/api/v1/auth/token", json={"username": "a_admin", "password": "nope"})
    assert r.status_code == 422
    assert r.get_json()["error"]["message"] == "用户名或密码不正确"


def test_login_is_rate_limited_per_account_and_address(client, world, app):
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json={"username": "a_admin", "password": "bad"}).status_code == 422
    r = client.post("/api/v1/auth/token", json={"username": "a_admin", "password": PASSWORD})
    assert r.status_code == 429 and "秒后再试" in r.get_json()["error"]["message"] and int(r.headers["Retry-After"]) >= 1
    # the page login is limited by the same count
    assert login(client, "a_admin").status_code == 429
    # another user is not held up
    assert client.post("/api/v1/auth/token", json={"username": "b_admin", "password": PASSWORD}).status_code == 201


def test_revoked_token_stops_working_at_once(client, world):
    h = bearer(world.tokens["inspector_a"])
    tokens = client.get("/api/v1/tokens", headers=h).get_json()
    assert len(tokens) == 1 and tokens[0]["prefix"].startswith("fx_")
    r = client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=h)
    assert r.status_code == 200 and r.get_json()["revoked_at"]
    assert client.get("/api/v1/me", headers=h).status_code == 401


def test_county_admin_lists_and_revokes_anyones_token(client, world):
    admin = bearer(world.tokens["county_admin"])
    tokens = client.get(f"/api/v1/users/{world.ids['inspector_b']}/tokens", headers=admin).get_json()
    assert client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(world.tokens["inspector_b"])).status_code == 401


def test_token_is_stored_only_as_a_hash(app, world):
    with app.app_context():
        stored = db.session.scalars(sa.select(DeviceToken.token_hash)).all()
    assert world.tokens["admin_a"] not in stored and all(len(h) == 64 for h in stored)


def test_deactivated_user_loses_tokens_and_sessions(client, world, app):
    page = app.test_client()
    assert login(page, "a_insp").status_code == 302
    admin = bearer(world.tokens["county_admin"])
    r = client.patch(f"/api/v1/users/{world.ids['inspector_a']}", headers=admin, json={"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer(world.tokens["inspector_a"])).status_code == 401
    assert page.get("/units").status_code == 302


def test_create_user_validates_and_refuses_duplicates(client, world, app):
    admin = bearer(world.tokens["county_admin"])
    r = client.post("/api/v1/users", headers=admin, json={"username": "x", "name": "", "role": "boss", "password": "short"})
    assert r.status_code == 422
    f = r.get_json()["error"]["fields"]
    assert f["role"] == ["角色不正确"] and f["password"] == ["长度应在8到128个字之间"] and "username" in f
    r = client.post("/api/v1/users", headers=admin, json={"username": "a_admin", "name": "重名", "role": "inspector",
                                                           "station_id": world.ids["a"], "password": "longenough1"})
    assert r.status_code == 409
    r = client.post("/api/v1/users", headers=admin, json={"username": "new_insp", "name": "新人", "role": "inspector",
                                                           "password": "longenough1"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["station_id"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 5


def test_page_login_and_logout(client, world):
    r = login(client, "a_admin")
    assert r.status_code == 302
    assert client.get("/units").status_code == 200
    client.post("/logout")
    assert client.get("/units").status_code == 302


def test_login_next_never_leaves_the_site(client, world):
    r = client.post("/login?next=//evil.example/x", data={"username": "a_admin", "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"
