"""Station admins manage their own station's inspectors (issue 18, item 10): list and revoke their devices'
tokens (a lost phone), create inspector accounts of the station; nothing of other stations or roles."""
from tests.conftest import bearer, login


def test_a_station_admin_revokes_a_lost_phone_of_the_stations_inspector(client, world):
    admin = bearer(world.tokens["admin_a"])
    tokens = client.get(f"/api/v1/users/{world.ids['inspector_a']}/tokens", headers=admin)
    assert tokens.status_code == 200 and len(tokens.get_json()) == 1
    assert client.delete(f"/api/v1/tokens/{tokens.get_json()[0]['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(world.tokens["inspector_a"])).status_code == 401


def test_nothing_of_another_station_or_another_role(client, world):
    admin = bearer(world.tokens["admin_a"])
    assert client.get(f"/api/v1/users/{world.ids['inspector_b']}/tokens", headers=admin).status_code == 404
    assert client.get(f"/api/v1/users/{world.ids['admin_b']}/tokens", headers=admin).status_code == 404
    b_token = client.get(f"/api/v1/users/{world.ids['inspector_b']}/tokens",
                         headers=bearer(world.tokens["county_admin"])).get_json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{b_token}", headers=admin).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(world.tokens["inspector_b"])).status_code == 200
    listed = {u["username"] for u in client.get("/api/v1/users", headers=admin).get_json()}
    assert listed == {"a_insp"}


def test_a_station_admin_creates_inspectors_of_the_station_only(client, world):
    admin = bearer(world.tokens["admin_a"])
    r = client.post("/api/v1/users", headers=admin, json={"username": "a_insp2", "name": "新执法员", "role": "inspector",
                                                           "password": "longenough1"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["station_id"] == world.ids["a"]
    for body in ({"role": "station_admin"}, {"role": "inspector", "station_id": world.ids["b"]}):
        r = client.post("/api/v1/users", headers=admin, json={"username": "x_" + body["role"], "name": "某人",
                                                               "password": "longenough1", **body})
        assert r.status_code == 403 and "本所的执法人员" in r.get_json()["error"]["message"]


def test_the_accounts_page_lists_the_stations_inspectors_with_their_devices(client, world):
    login(client, "a_admin")
    page = client.get("/accounts").get_data(as_text=True)
    assert "a_insp" in page and "b_insp" not in page and "本所执法人员" in page
    edit = client.get(f"/accounts/{world.ids['inspector_a']}/edit")
    assert edit.status_code == 200 and "停用" in edit.get_data(as_text=True)
    assert client.get(f"/accounts/{world.ids['inspector_b']}/edit").status_code == 404
