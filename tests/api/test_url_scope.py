"""Scope on every URL: walk the app's URL map, and for every GET route taking an id, ask for a record of
station A as a user of station B (admin and inspector) and as a county admin of another county — each
gets 404, as if the record did not exist. A route with an id this test does not know fails it, so a new
route cannot be forgotten. Query arguments too: ?station_id=A on any page shows nothing of station A.

A city or province account (issue 20) reads its counties' progress and nothing else: every other URL, any
method, with the ids of a real record, answers it 403 — no county's write and no personal data; a city that
does not hold the county gets 404 for that county's page as for any record it may not see."""
from datetime import date

import pytest

from schemas.bounds import INT_MAX
from server.account.models import User
from server.extensions import db
from server.station.models import County, Region, Station
from tests.conftest import PASSWORD, YEAR, bearer, login
from tests.signage.conftest import evaluated, issue  # noqa: F401
from tests.sync.conftest import checklist, inspection_body  # noqa: F401

# Path arguments that are no id of a station's record, and why they are left out here.
NOT_IDS = {
    "token": "a sign's public token: anyone may scan it (tests/feedback)",
    "raw": "a mangled public sign address, redirected to the sign (tests/feedback)",
    "sha": "a photo's SHA-256, content-addressed; scope checked by record (tests/photo)",
    "sha256": "as sha",
    "path": "the field app's static files",
    "filename": "static files",
    "name": "the field app's library files (/app/vendor/<name>)",
}
# Records every user of the county may see (the county's checklists and bulletins): only another county's
# user must get 404.
COUNTY_WIDE = {"template_id", "version_id", "bulletin_id"}


@pytest.fixture
def records(app, client, world, evaluated, checklist):
    """One record of every kind that a URL names, all of station A: {argument name: id}."""
    sign_id, token, _ = issue(app, world)
    ids = {"unit_id": world.ids["unit_a"], "sign_id": sign_id, "user_id": world.ids["inspector_a"],
           "county_id": world.ids["county"]}
    h_insp, h_admin = bearer(world.tokens["inspector_a"]), bearer(world.tokens["admin_a"])
    fails = [inspection_body(world.ids["unit_a"], checklist, conclusion="fail", fail_items=["pricing.have"])
             for _ in range(2)]
    for body in fails:
        r = client.post("/api/v1/inspections", json=body, headers=h_insp)
        assert r.status_code == 201, r.json
    ids["inspection_id"] = r.json["id"]
    r = client.post("/api/v1/carriers", json={"kind": "district", "name": "五云街区", "station_id": world.ids["a"],
                                              "since_year": YEAR}, headers=h_admin)
    assert r.status_code == 201, r.json
    ids["carrier_id"] = r.json["id"]
    r = client.post("/api/v1/tasks", json={"unit_id": world.ids["unit_a"], "kind": "service_visit",
                                           "due_date": "2023-10-01"}, headers=h_admin)
    assert r.status_code == 201, r.json
    ids["task_id"] = r.json["id"]
    r = client.post(f"/s/{token}/complain", data={"kind": "report", "description": "价签与结算价不一致",
                                                   "phone": "13800000000"})
    assert r.status_code == 303
    ids["token_id"] = client.get("/api/v1/tokens", headers=h_insp).json[0]["id"]
    with app.app_context():
        from server.feedback.models import Complaint
        from server.inspection.models import UnitFlag
        from server.rhythm.models import Bulletin
        from server.unit.models import ImportBatch
        ids["complaint_id"] = db.session.scalar(db.select(Complaint.id))
        ids["flag_id"] = db.session.scalar(db.select(UnitFlag.id))
        batch = ImportBatch(user_id=world.ids["admin_a"], county_id=world.ids["county"], filename="a.xlsx",
                            year=YEAR, rows=[], problems=[])
        bulletin = Bulletin(county_id=world.ids["county"], month="2023-09", data={}, user_id=world.ids["county_admin"])
        from server.job.models import Job
        job = Job(kind="signs_pdf", params={}, user_id=world.ids["admin_a"], county_id=world.ids["county"],
                  station_id=world.ids["a"], status="done")
        from server.redblack.models import RedBlackList
        draft = RedBlackList(county_id=world.ids["county"], title="红黑榜草稿", period_start=date(2023, 7, 1),
                             period_end=date(2023, 9, 30), created_by=world.ids["county_admin"])  # not public
        from server.finding.models import Finding
        finding = Finding(county_id=world.ids["county"], source="third_party", unit_name="不明商户",
                          problem="未明码标价", found_on=date(2023, 9, 1), due_date=date(2023, 9, 30))
        db.session.add_all([batch, bulletin, job, draft, finding])
        db.session.flush()
        from server.redblack.models import RedBlackEntry
        entry = RedBlackEntry(list_id=draft.id, unit_id=world.ids["unit_a"], side="red")
        db.session.add(entry)
        db.session.commit()
        ids["batch_id"], ids["bulletin_id"], ids["job_id"] = batch.id, bulletin.id, job.id
        ids["list_id"], ids["entry_id"], ids["finding_id"] = draft.id, entry.id, finding.id
    ids["version_id"] = checklist
    with app.app_context():
        from server.volunteer.models import VolunteerAssignment
        volunteer = User(username="vol_a", name="义工甲", role="volunteer", county_id=world.ids["county"],
                         password_hash=db.session.get(User, world.ids["admin_a"]).password_hash)
        db.session.add(volunteer)
        db.session.flush()
        visit = VolunteerAssignment(county_id=world.ids["county"], station_id=world.ids["a"],
                                    unit_id=world.ids["unit_a"], volunteer_id=volunteer.id,
                                    due_date=date(2023, 10, 1), created_by_id=world.ids["county_admin"],
                                    photos=["a" * 64])
        db.session.add(visit)
        db.session.commit()
        ids["assignment_id"], ids["sha"] = visit.id, "a" * 64  # a visit's photo: /volunteers/assignments/<id>/photos/<sha>
    with app.app_context():
        from server.checklist.models import ChecklistVersion
        ids["template_id"] = db.session.get(ChecklistVersion, checklist).template_id
    assert all(ids.values()), ids
    return ids


@pytest.fixture
def elsewhere(app, world):
    """A county admin of another county."""
    with app.app_context():
        county = County(code="liandu", name="莲都区", authority="丽水市莲都区市场监督管理局")
        db.session.add(county)
        db.session.flush()
        db.session.add(Station(county_id=county.id, code="zijin", name="紫金所", position=0))
        user = User(username="x_admin", name="x_admin", role="county_admin", county_id=county.id,
                    password_hash=db.session.get(User, world.ids["admin_a"]).password_hash)
        db.session.add(user)
        db.session.commit()
    return "x_admin"


@pytest.fixture
def regions(app, world):
    """The city holding the world's county (account "city_here"), another city ("city_other") and the
    province ("province_user")."""
    with app.app_context():
        pw = db.session.get(User, world.ids["admin_a"]).password_hash
        province = Region(code="zj", name="浙江省市场监督管理局", kind="province")
        db.session.add(province)
        db.session.flush()
        here = Region(code="ls", name="丽水市市场监督管理局", kind="city", parent_id=province.id)
        other = Region(code="hz", name="杭州市市场监督管理局", kind="city", parent_id=province.id)
        db.session.add_all([here, other])
        db.session.flush()
        db.session.get(County, world.ids["county"]).region_id = here.id
        for username, region in (("city_here", here), ("city_other", other), ("province_user", province)):
            db.session.add(User(username=username, name=username, role=region.kind, county_id=None,
                                region_id=region.id, password_hash=pw))
        db.session.commit()
    return {"here": "city_here", "other": "city_other", "province": "province_user"}


def id_routes(app):
    """(rule, its arguments) of every GET route whose path takes an argument."""
    return [(r, sorted(r.arguments)) for r in app.url_map.iter_rules()
            if "GET" in r.methods and r.arguments and not set(r.arguments) <= set(NOT_IDS)]


def test_every_id_in_a_path_is_known_to_this_test(app, records):
    unknown = {a for _, args in id_routes(app) + [(r, a) for r, _, a in write_routes(app)] for a in args
               if a not in records and a not in NOT_IDS}
    assert not unknown, f"routes take ids this scope test does not know: {unknown} — add a record of station A"


@pytest.mark.parametrize("who", ["b_admin", "b_insp", "x_admin", "city_other"])
def test_another_stations_and_another_countys_users_get_404_for_every_route_taking_an_id(
        app, world, records, elsewhere, regions, who):
    client = app.test_client()
    h = bearer(client.post("/api/v1/auth/token", json={"username": who, "password": PASSWORD}).json["token"])
    assert login(client, who).status_code == 302
    wrong = []
    for rule, args in id_routes(app):
        if who in ("b_admin", "b_insp") and set(args) & COUNTY_WIDE:
            continue
        url = rule.build({a: records[a] for a in args})[1]
        r = client.get(url, headers=h if url.startswith("/api/") else {})
        if r.status_code == 403:  # a page of a role this user lacks: the same for a record that is not there
            nothing = rule.build({a: INT_MAX for a in args})[1]
            if client.get(nothing, headers=h if url.startswith("/api/") else {}).status_code == 403:
                continue
        if r.status_code != 404:
            wrong.append((url, r.status_code))
    assert not wrong, wrong


@pytest.mark.parametrize("who", ["b_admin", "x_admin", "city_other"])
def test_a_station_in_a_query_argument_shows_nothing_of_that_station(app, world, records, elsewhere, regions,
                                                                      who):
    """/lookback?station_id=A showed station A's look-back runs to anyone (issue 16)."""
    client = app.test_client()
    login(client, who)
    with app.app_context():
        from server.rhythm.models import Lookback
        db.session.add(Lookback(station_id=world.ids["a"], week_start=date(2023, 9, 4),
                                summary={"task_ids": [], "incomplete_profiles": [
                                    {"unit_id": world.ids["unit_a"], "unit_name": "五云放心超市", "missing": ["营业执照"]}]}, user_id=world.ids["admin_a"]))
        db.session.commit()
    leaks = []
    from server.web import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.rule.startswith(("/api/", "/static", "/s/", "/app")):
            continue
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue  # public by design: the consumer's pages and the directory of trusted units
        r = client.get(rule.rule, query_string={"station_id": world.ids["a"], "unit_id": world.ids["unit_a"]})
        body = r.get_data(as_text=True) if r.mimetype == "text/html" else ""
        if r.status_code < 400 and any(s in body for s in ("五云所", "五云放心超市")):
            leaks.append((rule.rule, r.status_code))
    assert not leaks, leaks


WRITES = ("POST", "PUT", "PATCH", "DELETE")


def write_routes(app):
    """(rule, method, its arguments) of every writing route whose path takes an id."""
    return [(r, m, sorted(r.arguments)) for r in app.url_map.iter_rules() for m in sorted(r.methods & set(WRITES))
            if r.arguments and not set(r.arguments) <= set(NOT_IDS)]


def _changes(app) -> tuple:
    """What a write leaves behind: the change log's counter and the audit log's length."""
    with app.app_context():
        from server.core.audit import AuditLog
        from server.core.changelog import SyncCounter
        counter = db.session.get(SyncCounter, 1)
        return (counter.value if counter else None, db.session.scalar(db.select(db.func.count(AuditLog.id))))


@pytest.mark.parametrize("who", ["b_admin", "b_insp", "x_admin", "city_other"])
def test_another_stations_and_another_countys_users_cannot_write_through_any_route_taking_an_id(
        app, world, records, elsewhere, regions, who):
    """The writing routes too (POST, PUT, PATCH, DELETE, pages' forms and the API): 404 before anything is
    read from the body, as if the record did not exist (or 403 for a role the user lacks, the same for a record
    that is not there), and nothing is changed."""
    client = app.test_client()
    h = bearer(client.post("/api/v1/auth/token", json={"username": who, "password": PASSWORD}).json["token"])
    assert login(client, who).status_code == 302
    before = _changes(app)
    wrong = []
    for rule, method, args in write_routes(app):
        if who in ("b_admin", "b_insp") and set(args) & COUNTY_WIDE:
            continue
        url = rule.build({a: records[a] for a in args})[1]
        api = url.startswith("/api/")
        send = dict(method=method, headers=h if api else {}, **({"json": {}} if api else {"data": {}}))
        r = client.open(url, **send)
        if r.status_code == 403:
            nothing = rule.build({a: INT_MAX for a in args})[1]
            if client.open(nothing, **send).status_code == 403:
                continue
        if r.status_code != 404:
            wrong.append((method, url, r.status_code))
    assert not wrong, wrong
    assert _changes(app) == before


def test_a_volunteer_reaches_nothing_of_the_bureau(app, world, records):
    """消费义工 (issue 19, item 3): every URL of the app but the public pages and the volunteer's own (/v/)
    answers 403 or 404 to a volunteer logged in, by any method, and the API refuses them even with a device
    token (one left from an earlier role); no API token is issued to them."""
    from server.account.models import DeviceToken
    from server.account.service import _token_hash
    from server.web import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS
    client = app.test_client()
    assert login(client, "vol_a").status_code == 302
    assert client.post("/api/v1/auth/token", json={"username": "vol_a", "password": PASSWORD}).status_code == 403
    with app.app_context():
        vol = db.session.scalar(db.select(User).where(User.username == "vol_a"))
        db.session.add(DeviceToken(user_id=vol.id, name="旧手机", token_hash=_token_hash("fx_left_over"),
                                   prefix="fx_left_ov"))
        db.session.commit()
    h = bearer("fx_left_over")
    before = _changes(app)
    fill = {"token": "x", "raw": "x", "sha": "0" * 64, "sha256": "0" * 64, "path": "x", **records,
            "filename": "x", "name": "x"}
    wrong, walked = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue  # the consumer's pages: public to everyone
        if rule.endpoint.startswith("volunteer.") or rule.endpoint.startswith("admin_auth."):
            continue  # the volunteer's own page, logging in and out
        url = rule.build({a: fill.get(a, 1) for a in rule.arguments})[1]  # POST-only routes: any id
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method, headers=h if url.startswith("/api/") else {})
            walked += 1
            to_login = r.status_code in (302, 303) and "/login" in r.headers.get("Location", "")
            if r.status_code not in (403, 404) and not to_login:
                wrong.append((method, url, r.status_code))
            body = r.get_data(as_text=True) if r.mimetype.startswith(("text/", "application/json")) else ""
            if "五云放心超市" in body or "五云所" in body:
                wrong.append((method, url, "shows station A"))
    assert walked > 150 and not wrong, wrong
    assert _changes(app) == before


def _region_may(rule) -> bool:
    from server.web import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS, REGION_BLUEPRINTS, REGION_ENDPOINTS
    blueprint = rule.endpoint.split(".")[0]
    return (rule.endpoint in PUBLIC_ENDPOINTS | REGION_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS | REGION_BLUEPRINTS
            or rule.rule.startswith("/app"))  # the field app's files: static, no data


@pytest.mark.parametrize("who", ["city_here", "province_user"])
def test_a_region_account_reaches_no_county_page_nor_write_of_any_method(app, world, records, regions, who):
    """Every staff page and API route, GET or POST/PUT/PATCH/DELETE, with the ids of real records of the
    county the region oversees: 403, and nothing changed."""
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": who, "password": PASSWORD}).json["token"]
    h = bearer(token)
    assert login(client, who).status_code == 302
    before = _changes(app)
    wrong, seen = [], 0
    for rule in app.url_map.iter_rules():
        if _region_may(rule):
            continue
        args = {a: records.get(a, "x" if a in NOT_IDS else INT_MAX) for a in rule.arguments}
        url = rule.build(args)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method, headers=h if url.startswith("/api/") else {},
                            json={} if method != "GET" else None)
            seen += 1
            if r.status_code != 403:
                wrong.append((method, url, r.status_code))
    assert seen > 100
    assert not wrong, wrong
    assert _changes(app) == before


def test_a_city_sees_its_countys_page_and_not_anothers(app, world, records, regions):
    here, other = app.test_client(), app.test_client()
    login(here, "city_here")
    login(other, "city_other")
    url = f"/region/counties/{world.ids['county']}?year={YEAR}"
    assert here.get(url).status_code == 200
    assert other.get(url).status_code == 404
    assert "缙云县" not in other.get("/region/").get_data(as_text=True)
    assert "缙云县" in here.get("/region/").get_data(as_text=True)
    province = app.test_client()
    login(province, "province_user")
    assert province.get(url).status_code == 200
    assert province.get("/").headers["Location"].endswith("/region/")
