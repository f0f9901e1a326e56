"""Exports safe to open: a person's text starting with = + - @ is a text cell, never a live formula (issue 16)."""
import io

from openpyxl import load_workbook

from tests.conftest import bearer, login
from tests.signage.conftest import evaluated, issue  # noqa: F401

LINK = '=HYPERLINK("http://evil.example/x","点此领取补贴")'


def cells(data: bytes) -> dict:
    """{value: data_type} of every non-empty cell, as Excel would read the file."""
    ws = load_workbook(io.BytesIO(data)).active
    return {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value is not None}


def test_an_inspectors_address_edit_is_text_in_the_unit_export(app, client, world):
    push = {"changes": [{"id": "5f0c3a52-1111-4aaa-8aaa-000000000001", "type": "unit_edit",
                         "data": {"unit_id": world.ids["unit_a"], "base_version": 1, "changes": {"address": LINK}}}]}
    r = client.post("/api/v1/sync/push", json=push, headers=bearer(world.tokens["inspector_a"]))
    assert r.json["results"][0]["status"] == "applied", r.json
    login(client, "admin")
    got = cells(client.get("/units/export.xlsx?year=2023").get_data())
    assert got[LINK] == "s"
    assert not any(t == "f" for t in got.values())


def test_a_consumers_complaint_text_is_text_in_the_complaint_export(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    for text in (LINK, "+86 800 cmd", "-2+3 cmd|' /C calc'!A0", "@SUM(1,2)"):
        r = client.post(f"/s/{token}/complain", data={"kind": "report", "description": text,
                                                       "phone": "13800000000"})
        assert r.status_code == 303, r.get_data(as_text=True)[-500:]
    login(client, "admin")
    r = client.get("/complaints/export.xlsx")
    assert r.status_code == 200
    got = cells(r.get_data())
    for text in (LINK, "+86 800 cmd", "-2+3 cmd|' /C calc'!A0", "@SUM(1,2)"):
        assert got.get(text) == "s", (text, got)
    assert not any(t == "f" for t in got.values())
