"""Inspection pages: the list and detail in station scope, the version answered, photos, corrections."""
import hashlib
import io

from PIL import Image

from server.checklist.service import base_items
from server.demo.loader import checklist_base
from tests.conftest import bearer
from tests.sync.conftest import change, checklist, due, inspection_body  # noqa: F401


def push(client, token, *bodies):
    """Submit inspections through the sync API as the field app does."""
    r = client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": [change(b) for b in bodies]})
    results = r.get_json()["results"]
    assert all(x["status"] == "applied" for x in results), results
    return results


def png(color=(200, 30, 30), size=(64, 48)) -> tuple[str, bytes]:
    """A small PNG and its SHA-256."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    data = out.getvalue()
    return hashlib.sha256(data).hexdigest(), data


def upload(client, token, data: bytes) -> str:
    """Upload a photo through the API; its hash."""
    sha = hashlib.sha256(data).hexdigest()
    r = client.put(f"/api/v1/photos/{sha}", data=data, headers=bearer(token) | {"Content-Type": "image/png"})
    assert r.status_code in (200, 201), r.get_data(as_text=True)
    return sha


def inspection_with_photos(client, world, version_id, *, upload_photo=True, **kw):
    """An inspection of unit A with a photo on the first item and an uploaded signature; (body, photo sha)."""
    token = world.tokens["inspector_a"]
    photo_sha, photo = png()
    sig_sha, sig = png((20, 20, 20), (120, 40))
    if upload_photo:
        upload(client, token, photo)
    upload(client, token, sig)
    body = inspection_body(world.ids["unit_a"], version_id, photos=[photo_sha], signature=sig_sha, **kw)
    push(client, token, body)
    return body, photo_sha


def inspection_id(client, world, unit_id=None) -> int:
    """The id of the newest inspection as the county admin's list links it."""
    import re
    page = client.get("/inspections").get_data(as_text=True)
    return int(re.search(r'/inspections/(\d+)"', page).group(1))


def test_list_and_detail_for_own_station(client, world, checklist, as_user):
    body, photo_sha = inspection_with_photos(client, world, checklist, conclusion="rectify",
                                             fail_items=["pricing.have"],
                                             rectifications=[{"item_code": "pricing.have", "demand": "补齐价签",
                                                              "due_date": due(7)}])
    c = as_user("a_admin")
    page = c.get("/inspections").get_data(as_text=True)
    assert "五云放心超市" in page and "限期整改" in page and "共 1 条" in page
    iid = inspection_id(c, world)
    page = c.get(f"/inspections/{iid}").get_data(as_text=True)
    standard = base_items(checklist_base())
    assert all(i["text"] in page for i in standard)
    assert "八有八无" in page and "第 1 版" in page
    assert "不符合" in page and "现场发现问题" in page and "补齐价签" in page and "待整改" in page
    assert f"/photos/{photo_sha}/thumb" in page and f"/photos/{body['signature_sha256']}" in page
    assert "精度约 12 米" in page and "王老板" in page
    assert "等待照片" not in page


def test_filters(client, world, checklist, as_user):
    push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist))
    c = as_user("a_admin")
    assert "共 1 条" in c.get("/inspections?conclusion=pass").get_data(as_text=True)
    assert "共 0 条" in c.get("/inspections?conclusion=fail").get_data(as_text=True)
    assert "共 1 条" in c.get("/inspections?date_from=2023-09-01&date_to=2023-09-01").get_data(as_text=True)
    assert "共 0 条" in c.get("/inspections?date_from=2023-09-02").get_data(as_text=True)
    assert "共 1 条" in c.get("/inspections?q=放心超市").get_data(as_text=True)
    assert "共 0 条" in c.get(f"/inspections?unit_id={world.ids['unit_b']}").get_data(as_text=True)
    bad = c.get("/inspections?date_from=2023-02-30")  # refused with a reason, never dropped silently
    assert bad.status_code == 422 and "不是有效日期" in bad.get_data(as_text=True)


def test_other_station_is_404(client, world, checklist, as_user):
    inspection_with_photos(client, world, checklist)
    admin = as_user("admin")
    iid = inspection_id(admin, world)
    page = admin.get("/inspections").get_data(as_text=True)
    assert "五云所" in page
    client.post("/logout")
    c = as_user("b_admin")
    assert "共 0 条" in c.get("/inspections").get_data(as_text=True)
    for url in (f"/inspections/{iid}", f"/inspections/{iid}/report", f"/inspections/{iid}/report.pdf"):
        assert c.get(url).status_code == 404, url


def test_detail_shows_the_answered_version_after_a_newer_one(client, world, checklist, as_user):
    push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist))
    c = as_user("admin")
    template_id = c.get(f"/api/v1/checklists/versions/{checklist}", headers=bearer(world.tokens["county_admin"])
                        ).get_json()["template_id"]
    text = "\n".join(f"{i['code']} | 新版：{i['text']} | base" for i in base_items(checklist_base()))
    assert c.post(f"/checklists/{template_id}/edit", data={"items": text}).status_code == 303
    page = c.get(f"/inspections/{inspection_id(c, world)}").get_data(as_text=True)
    assert "新版：" not in page and base_items(checklist_base())[0]["text"] in page and "第 1 版" in page


def test_photo_routes_in_scope_only(client, world, checklist, as_user):
    _, photo_sha = inspection_with_photos(client, world, checklist)
    c = as_user("a_admin")
    thumb = c.get(f"/photos/{photo_sha}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and thumb.data[:2] == b"\xff\xd8"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    original = c.get(f"/photos/{photo_sha}")
    assert original.status_code == 200 and original.mimetype == "image/png" and original.data[:4] == b"\x89PNG"
    assert "sandbox" in original.headers["Content-Security-Policy"]
    assert c.get("/photos/" + "0" * 64).status_code == 404
    assert c.get("/photos/not-a-hash/thumb").status_code == 404
    client.post("/logout")
    other = as_user("b_admin")
    assert other.get(f"/photos/{photo_sha}/thumb").status_code == 404
    assert other.get(f"/photos/{photo_sha}").status_code == 404
    client.post("/logout")
    assert client.get(f"/photos/{photo_sha}/thumb").status_code == 302  # login first


def test_missing_photo_waits(client, world, checklist, as_user):
    inspection_with_photos(client, world, checklist, upload_photo=False)
    c = as_user("a_admin")
    page = c.get(f"/inspections/{inspection_id(c, world)}").get_data(as_text=True)
    assert "等待照片" in page and "还有 1 张照片" in page


def test_correction_links_both_ways(client, world, checklist, as_user):
    first = inspection_body(world.ids["unit_a"], checklist, conclusion="fail")
    push(client, world.tokens["inspector_a"], first)
    push(client, world.tokens["inspector_a"],
         inspection_body(world.ids["unit_a"], checklist, supersedes=first["client_id"]))
    c = as_user("a_admin")
    page = c.get("/inspections").get_data(as_text=True)
    assert "共 2 条" in page and "已被更正" in page
    import re
    ids = sorted(int(x) for x in set(re.findall(r'/inspections/(\d+)"', page)))
    old, new = c.get(f"/inspections/{ids[0]}").get_data(as_text=True), c.get(f"/inspections/{ids[1]}").get_data(as_text=True)
    assert f"此记录已被更正：见 <a href=\"/inspections/{ids[1]}\"" in old
    assert f"本记录更正了 <a href=\"/inspections/{ids[0]}\"" in new


def test_inspector_sees_own_only(client, world, checklist, as_user):
    push(client, world.tokens["admin_a"], inspection_body(world.ids["unit_a"], checklist))
    c = as_user("a_insp")
    assert "共 0 条" in c.get("/inspections").get_data(as_text=True)
