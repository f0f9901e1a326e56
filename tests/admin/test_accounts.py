"""Accounts: county admins, and station admins for their station's inspectors (issue 18, item 10); create
with errors in Chinese; edit; revoke a user's devices."""
import pytest

from server.account.models import DeviceToken, User


@pytest.mark.parametrize("url", ["/accounts", "/accounts/new"])
def test_refused_to_inspectors(as_user, world, url):
    assert as_user("a_insp").get(url).status_code == 403


def test_station_admin_cannot_raise_an_inspector_or_touch_another_station(as_user, world, fetch):
    client = as_user("a_admin")
    assert client.get(f"/accounts/{world.ids['inspector_b']}/edit").status_code == 404
    assert client.get(f"/accounts/{world.ids['admin_a']}/edit").status_code == 404
    response = client.post(f"/accounts/{world.ids['inspector_a']}/edit", data={"name": "x", "role": "county_admin"})
    assert response.status_code in (403, 422) and "本所的执法人员" in response.get_data(as_text=True)
    assert fetch(User, world.ids["inspector_a"])["role"] == "inspector"


def test_list(as_user):
    page = as_user("admin").get("/accounts").get_data(as_text=True)
    assert "a_insp" in page and "执法人员" in page and "壶镇分局" in page


def test_create_and_bad_input(as_user, world, count):
    client = as_user("admin")
    response = client.post("/accounts/new", data={"username": "x", "name": "", "role": "inspector", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "长度应在2到60个字之间" in page and "长度应在8到128个字之间" in page
    response = client.post("/accounts/new", data={"username": "new_insp", "name": "新人", "role": "inspector",
                                                  "password": "long-enough-1"})
    assert response.status_code == 422 and "请选择所属所（分局）" in response.get_data(as_text=True)
    assert count(User) == 5
    response = client.post("/accounts/new", data={"username": "new_insp", "name": "新人", "role": "inspector",
                                                  "station_id": world.ids["a"], "password": "long-enough-1"})
    assert response.status_code == 303
    assert count(User, User.username == "new_insp", User.station_id == world.ids["a"]) == 1


def test_edit_and_deactivate(as_user, world, fetch):
    client = as_user("admin")
    page = client.get(f"/accounts/{world.ids['inspector_a']}/edit").get_data(as_text=True)
    assert "a_insp" in page and "的设备" in page and "test" in page
    response = client.post(f"/accounts/{world.ids['inspector_a']}/edit", data={
        "name": "王五", "phone": "", "role": "inspector", "station_id": world.ids["b"], "active": "false"})
    assert response.status_code == 303
    user = fetch(User, world.ids["inspector_a"])
    assert (user["name"], user["station_id"], user["active"]) == ("王五", world.ids["b"], False)


def test_cannot_demote_self(as_user, world, fetch):
    response = as_user("admin").post(f"/accounts/{world.ids['county_admin']}/edit", data={
        "name": "admin", "role": "inspector", "station_id": world.ids["a"], "active": "true"})
    assert response.status_code == 422 and "不能降低或停用自己的账号" in response.get_data(as_text=True)
    assert fetch(User, world.ids["county_admin"])["role"] == "county_admin"


def test_revoke_a_users_token(as_user, world, count):
    with_token = DeviceToken.user_id == world.ids["inspector_a"]
    client = as_user("admin")
    page = client.get(f"/accounts/{world.ids['inspector_a']}/edit").get_data(as_text=True)
    token_id = page.split(f"/accounts/{world.ids['inspector_a']}/tokens/")[1].split("/")[0]
    response = client.post(f"/accounts/{world.ids['inspector_a']}/tokens/{token_id}/revoke")
    assert response.status_code == 303
    assert count(DeviceToken, with_token, DeviceToken.revoked_at.is_not(None)) == 1
