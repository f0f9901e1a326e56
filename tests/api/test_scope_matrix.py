"""Every role × own/other station × every endpoint that touches a station's records.

Station admins and inspectors reach only their own station (another station's records are
404, as if they did not exist); county admins reach every station of their county;
inspectors may not manage the programme (403)."""
import pytest

from tests.conftest import YEAR, bearer

ROLES = ["county_admin", "admin_a", "inspector_a"]


def _unit_patch(world, unit_key):
    return {"version": 1, "contact_phone": "0578-3123456"}


# (name, method, path template, body factory or None, who may: {"county", "admin", "inspector"})
ENDPOINTS = [
    ("get unit", "get", "/api/v1/units/{unit}", None, {"county", "admin", "inspector"}),
    ("edit unit", "patch", "/api/v1/units/{unit}", _unit_patch, {"county", "admin", "inspector"}),
    ("unit years", "get", "/api/v1/units/{unit}/years", None, {"county", "admin", "inspector"}),
    ("unit history", "get", "/api/v1/units/{unit}/history", None, {"county", "admin", "inspector"}),
    ("transition", "post", "/api/v1/units/{unit}/transitions",
     lambda w, k: {"year": YEAR, "to_stage": "committed"}, {"county", "admin"}),
    ("get carrier", "get", "/api/v1/carriers/{carrier}", None, {"county", "admin", "inspector"}),
    ("edit carrier", "patch", "/api/v1/carriers/{carrier}",
     lambda w, k: {"version": 1, "leader_name": "新街长"}, {"county", "admin"}),
]


@pytest.fixture
def carriers(world, app):
    from server.carrier.models import Carrier
    from server.extensions import db
    with app.app_context():
        ids = {}
        for key, st in (("a", world.ids["a"]), ("b", world.ids["b"])):
            c = Carrier(county_id=world.ids["county"], station_id=st, kind="district", name=f"街区{key}", since_year=YEAR)
            db.session.add(c)
            db.session.commit()
            ids[key] = c.id
    return ids


def _kind(role):
    return {"county_admin": "county", "admin_a": "admin", "inspector_a": "inspector"}[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("station", ["a", "b"])
@pytest.mark.parametrize("name,method,path,body,allowed", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_scope(client, world, carriers, role, station, name, method, path, body, allowed):
    unit = world.ids[f"unit_{station}"]
    url = path.format(unit=unit, carrier=carriers[station])
    kwargs = {"headers": bearer(world.tokens[role])}
    if body:
        kwargs["json"] = body(world, station)
    r = getattr(client, method)(url, **kwargs)
    kind = _kind(role)
    if station == "b" and kind != "county":
        assert r.status_code == 404, r.get_json()
    elif kind not in allowed:
        assert r.status_code == 403, r.get_json()
    else:
        assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize("role,expected", [("county_admin", {"a", "b"}), ("admin_a", {"a"}), ("inspector_a", {"a"})])
def test_lists_hold_only_what_the_role_may_see(client, world, carriers, role, expected):
    h = bearer(world.tokens[role])
    names = {world.ids["unit_a"]: "a", world.ids["unit_b"]: "b"}
    units = client.get(f"/api/v1/units?year={YEAR}", headers=h).get_json()["items"]
    assert {names[i["unit"]["id"]] for i in units} == expected
    got = {c["name"][-1] for c in client.get("/api/v1/carriers", headers=h).get_json()}
    assert got == expected
    stations = {s["code"] for s in client.get("/api/v1/stations", headers=h).get_json()}
    assert stations == {{"a": "wuyun", "b": "huzhen"}[k] for k in expected}
    dash = client.get(f"/api/v1/dashboard?year={YEAR}", headers=h).get_json()
    assert {r["station"]["code"] for r in dash["rows"]} == stations


# Accounts: station admins manage their station's inspectors (issue 18, item 10; tests/account), inspectors
# nothing.
@pytest.mark.parametrize("role,method,path,body", [
    (role, "put", "/api/v1/targets", {"year": 2024, "entries": [{"station_id": None, "kind": "liaison", "count": 3}]})
    for role in ("admin_a", "inspector_a")] + [
    ("inspector_a", "get", "/api/v1/users", None),
    ("inspector_a", "post", "/api/v1/users", {"username": "x1", "name": "x", "role": "inspector", "password": "longenough1"}),
    ("admin_a", "post", "/api/v1/users", {"username": "x1", "name": "x", "role": "station_admin", "password": "longenough1"}),
])
def test_county_only_endpoints_refuse_station_roles(client, world, role, method, path, body):
    r = getattr(client, method)(path, headers=bearer(world.tokens[role]), json=body)
    assert r.status_code == 403
    assert r.get_json()["error"]["message"]


@pytest.mark.parametrize("role", ["admin_a", "inspector_a"])
def test_station_roles_cannot_create_in_another_station(client, world, role):
    from tests.conftest import valid_uscc
    body = {"name": "越界单位", "uscc": valid_uscc(99), "address": "某路1号", "type": "general",
            "station_id": world.ids["b"]}
    r = client.post("/api/v1/units", headers=bearer(world.tokens[role]), json=body)
    assert r.status_code in (403, 422)
    assert client.get("/api/v1/units?q=越界", headers=bearer(world.tokens["county_admin"])).get_json()["total"] == 0


def test_another_users_tokens_are_not_reachable_by_station_roles(client, world):
    h = bearer(world.tokens["admin_a"])
    assert client.get(f"/api/v1/users/{world.ids['admin_b']}/tokens", headers=h).status_code == 404
    mine = client.get("/api/v1/tokens", headers=bearer(world.tokens["admin_b"])).get_json()
    assert client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=h).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(world.tokens["admin_b"])).status_code == 200
