"""Field-level conflicts (issue 18, item 9): only fields both sides changed conflict; the others merge."""
import uuid

from tests.conftest import bearer
from tests.sync.conftest import change


def _push(client, token, data):
    return client.post("/api/v1/sync/push", headers=bearer(token),
                       json={"changes": [change(data, "unit_edit", str(uuid.uuid4()))]}).get_json()["results"][0]


def _unit(client, world):
    return client.get(f"/api/v1/units/{world.ids['unit_a']}", headers=bearer(world.tokens["admin_a"])).get_json()


def test_edits_of_different_fields_merge(client, world):
    before = _unit(client, world)
    # Given the office changed the phone number after the phone pulled the unit
    client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=bearer(world.tokens["admin_a"]),
                 json={"version": before["version"], "contact_phone": "0578-3000001"})
    # When the phone's edit of the address arrives, based on the old version
    r = _push(client, world.tokens["inspector_a"], {"unit_id": world.ids["unit_a"], "base_version": before["version"],
                                                     "changes": {"address": "新建路8号"}, "base": {"address": before["address"]}})
    # Then both changes stand
    assert r["status"] == "applied", r
    after = _unit(client, world)
    assert after["address"] == "新建路8号" and after["contact_phone"] == "0578-3000001"


def test_only_the_fields_both_changed_conflict_and_nothing_is_applied(client, world):
    before = _unit(client, world)
    client.patch(f"/api/v1/units/{world.ids['unit_a']}", headers=bearer(world.tokens["admin_a"]),
                 json={"version": before["version"], "address": "办公室改的地址"})
    r = _push(client, world.tokens["inspector_a"], {
        "unit_id": world.ids["unit_a"], "base_version": before["version"],
        "changes": {"address": "手机上改的地址", "contact_phone": "13900000000"},
        "base": {"address": before["address"], "contact_phone": before["contact_phone"]}})
    assert r["status"] == "conflict" and r["record"]["conflicts"] == ["address"]
    assert "地址" in r["message"] and r["record"]["address"] == "办公室改的地址"
    assert _unit(client, world)["contact_phone"] == before["contact_phone"]  # all or nothing
    # The same value on both sides is no conflict
    r = _push(client, world.tokens["inspector_a"], {
        "unit_id": world.ids["unit_a"], "base_version": before["version"],
        "changes": {"address": "办公室改的地址", "contact_phone": "13900000000"},
        "base": {"address": before["address"], "contact_phone": before["contact_phone"]}})
    assert r["status"] == "applied" and _unit(client, world)["contact_phone"] == "13900000000"
