"""Checklist pages: everyone reads the versions; county admins publish new ones; old versions never change."""
import re

from server.checklist.models import ChecklistVersion
from server.checklist.service import base_items
from server.demo.loader import checklist_base
from tests.admin.test_inspections import push
from tests.sync.conftest import checklist, inspection_body  # noqa: F401

BASE = base_items(checklist_base())


def _template_id(client) -> int:
    return int(re.search(r"/checklists/(\d+)/edit", client.get("/checklists").get_data(as_text=True)).group(1))


def test_everyone_reads_versions(checklist, as_user, client):
    c = as_user("a_insp")
    page = c.get("/checklists").get_data(as_text=True)
    assert "八有八无" in page and "第 1 版" in page and "尚未使用" in page and "/edit" not in page
    page = c.get(f"/checklists/versions/{checklist}").get_data(as_text=True)
    assert all(i["text"] in page for i in BASE) and "现行版本" in page


def test_publishing_makes_a_new_version_and_the_old_one_stays(checklist, as_user, count):
    c = as_user("admin")
    tid = _template_id(c)
    form = c.get(f"/checklists/{tid}/edit").get_data(as_text=True)
    assert "pricing.have | " in form
    lines = [f"{i['code']} | {i['text']} | base | 是 | 否" for i in BASE]
    lines.append("x.return_notice | 公示七日无理由退货承诺 | x | 是 | 是")
    r = c.post(f"/checklists/{tid}/edit", data={"items": "\n".join(lines[1:]), "note": "增加退货公示"})
    assert r.status_code == 303 and count(ChecklistVersion) == 2
    new = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "已发布“八有八无”第 2 版" in new and "公示七日无理由退货承诺" in new and BASE[0]["text"] not in new
    assert "须说明、须拍照" in new and "增加退货公示" in new
    old = c.get(f"/checklists/versions/{checklist}").get_data(as_text=True)
    assert BASE[0]["text"] in old and "公示七日无理由退货承诺" not in old and "已有更新版本" in old
    # Publishing the same items again makes no version.
    r = c.post(f"/checklists/{tid}/edit", data={"items": "\n".join(lines[1:])})
    assert r.status_code == 303 and count(ChecklistVersion) == 2
    assert "没有变化" in c.get(r.headers["Location"]).get_data(as_text=True)


def test_used_versions_are_marked(client, world, checklist, as_user):
    push(client, world.tokens["inspector_a"], inspection_body(world.ids["unit_a"], checklist))
    page = as_user("admin").get("/checklists").get_data(as_text=True)
    assert "已使用·不可更改" in page and "已被检查记录使用的版本永不更改" in page


def test_bad_lines_are_refused_and_nothing_is_published(checklist, as_user, count):
    c = as_user("admin")
    tid = _template_id(c)
    bad = "a.1 | 有价签\nonly-one-cell\n | 无编码 | x\na.1 | 重复 | x\nb.2 | 分组错 | y\nc.3 | 须拍照错 | x | 是 | 也许"
    r = c.post(f"/checklists/{tid}/edit", data={"items": bad})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "第2行" in page and "第3行：编码：长度应在1到40个字之间" in page and "第5行：分组不正确" in page and "第6行" in page
    assert count(ChecklistVersion) == 1
    r = c.post(f"/checklists/{tid}/edit", data={"items": "a.1 | 有价签\na.1 | 重复 | x"})
    assert r.status_code == 422 and "检查项编码不能重复" in r.get_data(as_text=True)
    r = c.post(f"/checklists/{tid}/edit", data={"items": "  \n"})
    assert r.status_code == 422 and "检查表至少要有一项" in r.get_data(as_text=True)
    assert count(ChecklistVersion) == 1


def test_only_county_admins_edit(checklist, as_user, client):
    c = as_user("admin")
    tid = _template_id(c)
    client.post("/logout")
    c = as_user("a_admin")
    assert c.get(f"/checklists/{tid}/edit").status_code == 403
    assert c.post(f"/checklists/{tid}/edit", data={"items": "a | b"}).status_code == 403
    assert c.get("/checklists/versions/999999").status_code == 404
