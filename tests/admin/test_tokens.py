"""My devices: list, create (shown once), revoke; change my own password."""
from server.account.models import DeviceToken
from tests.conftest import PASSWORD, login


def test_list_and_create(as_user, world, count):
    client = as_user("a_insp")
    page = client.get("/tokens").get_data(as_text=True)
    assert "我的设备" in page and "test" in page and "有效" in page
    response = client.post("/tokens", data={"name": "我的新手机"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "此令牌只显示这一次" in page and "fx_" in page
    assert count(DeviceToken, DeviceToken.user_id == world.ids["inspector_a"]) == 2
    assert "此令牌只显示这一次" not in client.get("/tokens").get_data(as_text=True)


def test_empty_name_is_refused(as_user, world, count):
    response = as_user("a_insp").post("/tokens", data={"name": ""})
    assert response.status_code == 422 and "此项为必填项" in response.get_data(as_text=True)
    assert count(DeviceToken) == 5


def test_revoke_mine_but_not_others(as_user, world, count):
    client = as_user("a_insp")
    page = client.get("/tokens").get_data(as_text=True)
    token_id = page.split("/tokens/")[1].split("/")[0]
    assert client.post(f"/tokens/{token_id}/revoke").status_code == 303
    assert count(DeviceToken, DeviceToken.revoked_at.is_not(None)) == 1
    assert "已停用" in client.get("/tokens").get_data(as_text=True)
    other = int(token_id) + 1  # b_insp's token, made after a_insp's in the world fixture
    assert client.post(f"/tokens/{other}/revoke").status_code == 404
    assert count(DeviceToken, DeviceToken.revoked_at.is_not(None)) == 1


def test_change_password(as_user, client, world):
    response = as_user("a_insp").post("/tokens/password", data={"old_password": "wrong", "new_password": "new-password-1"})
    assert response.status_code == 422 and "原密码不正确" in response.get_data(as_text=True)
    response = client.post("/tokens/password", data={"old_password": PASSWORD, "new_password": "new-password-1"})
    assert response.status_code == 303
    assert client.get("/tokens").status_code == 200  # still logged in on this browser
    client.post("/logout")
    assert login(client, "a_insp", "new-password-1").status_code == 302
