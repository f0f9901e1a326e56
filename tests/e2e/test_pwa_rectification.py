"""Rectifications as records of their own on the phone (issue 18, item 3): one follow-up visit per unit and
due date listing all its demands; a demand closed on the server is closed on the phone after a sync; a
re-inspection shows each demand on the item it concerns."""
import sqlalchemy as sa

from server.extensions import db
from server.inspection.models import Rectification
from tests.conftest import bearer
from tests.e2e.conftest import shot
from tests.e2e.pwa_helpers import field, login, start_inspection  # noqa: F401
from tests.sync.conftest import change, checklist, due, inspection_body  # noqa: F401


def _push(client, token, body):
    r = client.post("/api/v1/sync/push", headers=bearer(token), json={"changes": [change(body)]}).get_json()
    assert r["results"][0]["status"] == "applied", r


def test_a_rectification_closed_on_the_server_is_closed_on_the_phone(phone, live_server, field, app, client):
    token = field.tokens["inspector_a"]
    unit_id = field.ids["unit_a"]
    # Given an inspection with three demands due the same day (made on another phone)
    rects = [{"item_code": "pricing.have", "demand": "补齐价签", "due_date": due(7)},
             {"item_code": "license.have", "demand": "亮照经营", "due_date": due(7)},
             {"item_code": None, "demand": "整理消费提示", "due_date": due(7)}]
    _push(client, token, inspection_body(unit_id, field.ids["checklist"], conclusion="rectify",
                                         fail_items=["pricing.have", "license.have"], rectifications=rects))
    login(phone, live_server)
    # Then the task list has one follow-up for the shop listing the three demands
    follow_ups = phone.locator("text=整改复查")
    assert follow_ups.count() == 1
    text = phone.inner_text("#view")
    assert "补齐价签" in text and "亮照经营" in text and "整理消费提示" in text
    phone.goto(f"{live_server}/app/#/unit/{unit_id}")
    phone.wait_for_selector("text=未完成的整改")
    assert "3项" in phone.inner_text("h2:has-text('未完成的整改')")
    # And a re-inspection shows the demand on the item it concerns
    start_inspection(phone, "五云放心超市")
    assert "亮照经营" in phone.inner_text(".demand")
    shot(phone, "pwa-recheck-item-360")
    # When the office's re-inspection closes them on the server
    with app.app_context():
        follow_id = db.session.scalars(sa.select(Rectification.follow_up_task_id)).first()
    _push(client, token, inspection_body(unit_id, field.ids["checklist"], kind="rectification", task_id=follow_id))
    # Then after a sync the phone no longer shows them as 整改中
    phone.goto(f"{live_server}/app/#/unit/{unit_id}")
    phone.wait_for_selector("text=未完成的整改")
    phone.evaluate("import('./js/sync.js').then((s) => s.syncNow())")
    phone.wait_for_function("document.querySelector('#view').innerText.includes('未完成的整改 0项')")
