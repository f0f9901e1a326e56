"""Fixtures for the field side: a checklist for the world's county and a builder of inspections."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from server.checklist.service import base_items, create_template
from server.demo.loader import checklist_base
from server.extensions import db
from server.inspection import signing


@pytest.fixture
def checklist(app, world):
    """The base 八有八无 template; returns its first version's id."""
    with app.app_context():
        t = create_template(world.ids["county"], "base", "八有八无", None, base_items(checklist_base()))
        db.session.commit()
        return t.versions[0].id


def inspection_body(unit_id: int, version_id: int, *, client_id: str | None = None, conclusion="pass",
                    kind="service_visit", task_id=None, fail_items=(), rectifications=None, photos=None,
                    signature="a" * 64, supersedes=None, started=None, year=...):
    """A complete inspection as the field app sends it, counted for `year` when it has no task (by default
    the year it was made in, as the phone offers; None: not sent, the server's current programme year)."""
    started = started or datetime(2023, 9, 1, 2, 0, tzinfo=timezone.utc)
    year = started.year if year is ... else year
    standard = base_items(checklist_base())
    answers = [{"item_code": i["code"], "result": "no" if i["code"] in fail_items else "yes",
                "note": "现场发现问题" if i["code"] in fail_items else "", "photos": []} for i in standard]
    if photos:
        answers[0]["photos"] = photos
    body = {"client_id": client_id or str(uuid.uuid4()), "unit_id": unit_id, "template_version_id": version_id,
            "kind": kind, "task_id": task_id, "started_at": started.isoformat(),
            "ended_at": (started + timedelta(minutes=20)).isoformat(), "lat": 28.66, "lng": 120.08,
            "accuracy_m": 12.5, "answers": answers, "conclusion": conclusion, "signature_sha256": signature,
            "signer_name": "王老板", "photos": [], "year": year}
    if rectifications is not None:
        body["rectifications"] = rectifications
    if supersedes:
        body["supersedes"] = supersedes
        body["correction_reason"] = "更正笔误"
    return signed(body)


def signed(body: dict) -> dict:
    """The body with the owner's signature over its content, as the field app computes it on signing."""
    loaded = {**body, "rectifications": [{**r, "due_date": str(r["due_date"])} for r in body.get("rectifications", [])]}
    body["signed_hash"] = signing.content_hash(loaded)
    return body


def change(body: dict, type_="inspection", change_id=None) -> dict:
    """A push change wrapping a record."""
    return {"id": change_id or body.get("client_id") or str(uuid.uuid4()), "type": type_, "data": body}


def due(days: int) -> str:
    return (date(2023, 9, 1) + timedelta(days=days)).isoformat()
