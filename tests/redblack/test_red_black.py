"""红黑榜 (issue 19, item 2): a county admin drafts a list for a period from criteria kept as data, edits it,
approves it and publishes it; consumers read it (and earlier lists) at /red-black, as a PDF and as JSON; a
black entry is taken off only by a decision with its reason; nothing is public before publication."""
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.redblack.models import RedBlackEntry, RedBlackList, seed_criteria
from tests.conftest import login
from tests.signage.conftest import evaluated, issue  # noqa: F401


def text(r):
    return r.get_data(as_text=True)


@pytest.fixture
def criteria(app):
    with app.app_context():
        seed_criteria()
        db.session.commit()


@pytest.fixture
def evidence(app, world, criteria, evaluated):
    """The records the lists' criteria rest on (an entry's criteria must hold, proposals.unmet), in 2023:
    五云放心超市 passed post-evaluation on 1 September and holds its sign, five stars three times in the third
    quarter, a 党员经营户; 壶镇诚信五金店 a rectification left overdue in the second quarter and a complaint found a
    violation in the third."""
    from datetime import date, datetime

    from server.feedback.models import Complaint, Evaluation
    from server.inspection.models import Rectification
    from server.unit.models import LifecycleEvent, Unit
    issue(app, world, "unit_a", "admin_a")
    with app.app_context():
        for event in db.session.scalars(sa.select(LifecycleEvent)):
            event.at = datetime(2023, 9, 1, 2)
        a, b = world.ids["unit_a"], world.ids["unit_b"]
        db.session.get(Unit, a).tags = ["党员经营户"]
        for n in range(3):
            db.session.add(Evaluation(unit_id=a, county_id=world.ids["county"], station_id=world.ids["a"], stars=5,
                                      address_hash=f"h{n}", created_at=datetime(2023, 8, 1 + n, 2)))
        db.session.add(Rectification(county_id=world.ids["county"], station_id=world.ids["b"], unit_id=b,
                                     demand="明码标价", due_date=date(2023, 5, 1)))
        db.session.add(Complaint(unit_id=b, county_id=world.ids["county"], station_id=world.ids["b"],
                                 description="销售过期食品", phone="13800000000", address_hash="x",
                                 received_at=datetime(2023, 8, 10, 2), violation_confirmed=True))
        db.session.commit()


def _draft(client, title="2023年第三季度放心消费红黑榜", start="2023-07-01", end="2023-09-30"):
    r = client.post("/red-black/manage", data={"title": title, "period_start": start, "period_end": end})
    assert r.status_code == 303, text(r)
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_draft_approve_publish_and_read(app, client, world, evidence):
    # Given a county admin's draft with a red and a black unit
    login(client, "admin")
    lid = _draft(client)
    base = f"/red-black/manage/{lid}"
    assert client.post(base + "/entries", data={"unit": "五云放心超市", "side": "red",
                                                "criteria_red": ["high_rating", "exemplary_tag"]}).status_code == 303
    assert client.post(base + "/entries", data={"unit": "壶镇诚信五金店", "side": "black",
                                                "criteria_black": ["verified_complaints"],
                                                "note": "销售过期食品"}).status_code == 303
    # Nothing is public yet
    assert client.get(f"/red-black/{lid}").status_code == 404
    assert "尚未发布红黑榜" in text(client.get("/red-black"))
    # When it is approved by the bureau and published
    assert client.post(base + "/approve", data={"approving_office": "缙云县市场监督管理局"}).status_code == 303
    assert client.post(base + "/entries", data={"unit": "五云放心超市", "side": "red",
                                                "criteria_red": ["high_rating"]}).status_code == 422  # frozen
    assert client.post(base + "/publish").status_code == 303
    # Then a consumer reads it with its period, reasons and approving office
    client.get("/logout")
    body = text(client.get("/red-black"))
    for words in ("2023年第三季度放心消费红黑榜", "2023年07月01日", "2023年09月30日", "缙云县市场监督管理局",
                  "五云放心超市", "消费者评价高", "党员经营户、党员先锋岗等示范带头", "壶镇诚信五金店",
                  "期内投诉举报经查属实", "销售过期食品", "红榜（1家）", "黑榜（1家）"):
        assert words in body, words
    assert "verified_complaints" not in body and "high_rating" not in body
    pdf = client.get(f"/red-black/{lid}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    data = client.get(f"/api/v1/red-black/{lid}").get_json()
    assert data["approving_office"] == "缙云县市场监督管理局"
    black = next(e for e in data["entries"] if e["side"] == "black")
    assert black["unit_name"] == "壶镇诚信五金店" and black["reasons"] == ["期内投诉举报经查属实"]
    assert [x["id"] for x in client.get("/api/v1/red-black").get_json()] == [lid]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/red-black/{list_id}"]["get"]["security"] == []


def test_earlier_lists_stay_readable_and_take_off_with_reason(app, client, world, evidence):
    login(client, "admin")
    first = _draft(client, "第二季度榜", "2023-04-01", "2023-06-30")
    client.post(f"/red-black/manage/{first}/entries", data={"unit": "壶镇诚信五金店", "side": "black",
                                                             "criteria_black": ["rectification_overdue"]})
    client.post(f"/red-black/manage/{first}/approve", data={"approving_office": "缙云县市场监督管理局"})
    client.post(f"/red-black/manage/{first}/publish")
    second = _draft(client, "第三季度榜")
    client.post(f"/red-black/manage/{second}/entries", data={"unit": "五云放心超市", "side": "red",
                                                              "criteria_red": ["commitment_kept"]})
    client.post(f"/red-black/manage/{second}/approve", data={"approving_office": "缙云县市场监督管理局"})
    client.post(f"/red-black/manage/{second}/publish")
    with app.app_context():
        entry = db.session.scalar(sa.select(RedBlackEntry).where(RedBlackEntry.list_id == first))
        eid = entry.id
    # A take-off needs its reason
    r = client.post(f"/red-black/manage/{first}/entries/{eid}/take-off", data={"reason": " "})
    assert r.status_code == 422 and "请填写移出黑榜的理由" in text(r)
    assert client.post(f"/red-black/manage/{first}/entries/{eid}/take-off",
                       data={"reason": "已整改到位，经复查合格"}).status_code == 303
    again = client.post(f"/red-black/manage/{first}/entries/{eid}/take-off", data={"reason": "再次"})
    assert again.status_code == 422 and "已移出黑榜" in text(again)
    client.get("/logout")
    latest = text(client.get("/red-black"))
    assert "第三季度榜" in latest and "往期榜单" in latest and f"/red-black/{first}" in latest
    earlier = text(client.get(f"/red-black/{first}"))
    assert "第二季度榜" in earlier and "已移出黑榜" in earlier and "已整改到位，经复查合格" in earlier


def test_bad_input_changes_nothing(app, client, world, criteria):
    login(client, "admin")
    r = client.post("/red-black/manage", data={"title": "", "period_start": "2023-07-01", "period_end": "x"})
    assert r.status_code == 422 and "请填写标题" in text(r)
    r = client.post("/red-black/manage", data={"title": "榜", "period_start": "2023-09-01", "period_end": "2023-07-01"})
    assert r.status_code == 422 and "不能早于开始日期" in text(r)
    lid = _draft(client)
    base = f"/red-black/manage/{lid}"
    cases = [({"unit": "不存在的店", "side": "red", "criteria_red": ["high_rating"]}, "没有名为“不存在的店”的单位"),
             ({"unit": "五云放心超市", "side": "red"}, "请选择红榜的认定依据"),
             ({"unit": "五云放心超市", "side": "red", "criteria_red": ["verified_complaints"]}, "请选择红榜的认定依据"),
             ({"unit": "五云放心超市", "side": "grey", "criteria_grey": ["x"]}, "请选择红榜或黑榜")]
    for form, message in cases:
        r = client.post(base + "/entries", data=form)
        assert r.status_code == 422 and message in text(r), form
    r = client.post(base + "/approve", data={"approving_office": "缙云县市场监督管理局"})
    assert r.status_code == 422 and "榜单中还没有单位" in text(r)
    assert client.post(base + "/publish").status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RedBlackEntry)) == 0
        assert db.session.scalar(sa.select(RedBlackList.status)) == "draft"


@pytest.mark.parametrize("who", ["a_admin", "a_insp"])
def test_only_county_admins_manage(client, world, criteria, who):
    login(client, who)
    assert client.get("/red-black/manage").status_code == 403
    assert client.post("/red-black/manage", data={"title": "x", "period_start": "2023-01-01",
                                                  "period_end": "2023-01-02"}).status_code == 403
