"""`flask county init` (issue 20, item 4): a real county from its attachment table on an empty database,
every bad row named and nothing set up, then the whole loop — a unit enrolled, inspected, signed, scanned."""
import sqlalchemy as sa

from server.account.models import User
from server.checklist.models import ChecklistTemplate, ChecklistVersion
from server.demo.loader import data_file
from server.extensions import db
from server.station.models import County, Station, Target
from tests.conftest import bearer, valid_uscc
from tests.sync.conftest import inspection_body

PASSWORD = "a-long-first-password"


def init(runner, tmp_path, table: str, *extra, name="stations.csv"):
    path = tmp_path / name
    path.write_text(table, encoding="utf-8")
    return runner.invoke(args=["county", "init", "--code", "jinyun", "--name", "缙云县", "--authority",
                               "缙云县市场监督管理局", "--year", "2026", "--stations", str(path), "--liaison", "19",
                               *extra], env={"FANGXIN_ADMIN_PASSWORD": PASSWORD})


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                     for m in (County, Station, Target, User, ChecklistTemplate))


def test_the_plans_table_sets_up_the_county(app, runner, tmp_path):
    r = init(runner, tmp_path, data_file("targets-2023.csv"))
    assert r.exit_code == 0, r.output
    assert "9个所（分局）" in r.output and PASSWORD not in r.output
    with app.app_context():
        county = db.session.scalar(sa.select(County))
        assert (county.code, county.name, county.authority) == ("jinyun", "缙云县", "缙云县市场监督管理局")
        by_kind = dict(db.session.execute(sa.select(Target.kind, sa.func.sum(Target.count))
                                          .where(Target.year == 2026).group_by(Target.kind)).all())
        assert by_kind == {"general": 679, "no_reason_return": 330, "factory": 113, "district": 2, "village": 3,
                           "liaison": 19}  # the plan's county totals (shared/data/README.md)
        assert [s.name for s in db.session.scalars(sa.select(Station).order_by(Station.position))][:2] == \
            ["五云所", "壶镇分局"]
        templates = {t.code: t for t in db.session.scalars(sa.select(ChecklistTemplate))}
        assert set(templates) == {"base", "no_reason_return", "factory"}
        base = db.session.scalar(sa.select(ChecklistVersion).where(ChecklistVersion.template_id == templates["base"].id))
        assert len(base.items) == 16  # 八有八无: eight pairs
        admin = db.session.scalar(sa.select(User))
        assert (admin.username, admin.role, admin.county_id) == ("admin", "county_admin", county.id)


def test_a_generated_password_is_printed_once(app, runner, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(data_file("targets-2023.csv"), encoding="utf-8")
    r = runner.invoke(args=["county", "init", "--code", "lishui", "--name", "莲都区", "--authority", "莲都区市场监督管理局",
                            "--year", "2026", "--stations", str(path), "--admin", "ld_admin"], env={"FANGXIN_ADMIN_PASSWORD": ""})
    assert r.exit_code == 0, r.output
    assert "初始密码" in r.output


def test_every_bad_row_is_named_and_nothing_is_set_up(app, runner, tmp_path):
    table = ("station_code,station_name,total_units,general_units,no_reason_return_units,trusted_factories,districts,villages\n"
             "wuyun,五云所,375,258,109,8,1,0\n"
             "\n"
             "Bad Code,壶镇分局,3,1,1,1,0,0\n"
             "wuyun,仙都所,3,1,1,1,0,0\n"
             "xinbi,新碧所,99,1,1,1,0,0\n"
             "dongfang,,3,1,1,1,0,0\n"
             "hufu,胡源所,3,1,一,1,0,0\n"
             "qiantang,前路所,3,1,1,2147483648,0,0\n")
    r = init(runner, tmp_path, table)
    assert r.exit_code != 0
    for row, words in ((4, "所代码“bad code”"), (5, "所代码“wuyun”重复"), (6, "合计“99”不等于三类单位之和3"),
                       (7, "名称不能为空"), (8, "无理由退货单位“一”"), (9, "放心工厂“2147483648”")):
        assert f"第{row}行" in r.output and words in r.output, (row, r.output)
    assert "第2行" not in r.output
    assert counts(app) == (0, 0, 0, 0, 0)


def test_an_existing_county_is_left_alone(app, runner, tmp_path):
    assert init(runner, tmp_path, data_file("targets-2023.csv")).exit_code == 0
    before = counts(app)
    r = init(runner, tmp_path, data_file("targets-2023.csv"))
    assert r.exit_code != 0 and "县代码“jinyun”已存在" in r.output
    assert counts(app) == before


def test_chinese_headings_and_xlsx(app, runner, tmp_path):
    import io

    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["所代码", "所（分局）", "合计", "一般单位", "无理由退货单位", "放心工厂", "放心街区（商圈）", "放心消费示范村"])
    ws.append(["wuyun", "五云所", 10, 5, 3, 2, 1, 0])
    out = io.BytesIO()
    wb.save(out)
    path = tmp_path / "表.xlsx"
    path.write_bytes(out.getvalue())
    r = runner.invoke(args=["county", "init", "--code", "jinyun", "--name", "缙云县", "--authority", "缙云县市场监督管理局",
                            "--year", "2026", "--stations", str(path)], env={"FANGXIN_ADMIN_PASSWORD": PASSWORD})
    assert r.exit_code == 0, r.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.sum(Target.count))) == 11


def test_then_the_whole_loop(app, runner, tmp_path, client):
    assert init(runner, tmp_path, data_file("targets-2023.csv")).exit_code == 0
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD,
                                                    "device_name": "县局电脑"}).get_json()["token"]
    with app.app_context():
        wuyun = db.session.scalar(sa.select(Station.id).where(Station.code == "wuyun"))
        base = db.session.scalar(sa.select(ChecklistVersion.id).join(ChecklistTemplate)
                                 .where(ChecklistTemplate.code == "base"))
    # the county admin creates the station's inspector
    r = client.post("/api/v1/users", headers=bearer(token), json={
        "username": "wuyun_zhang", "name": "张执法", "role": "inspector", "station_id": wuyun,
        "password": "inspector-pass-1"})
    assert r.status_code == 201, r.get_json()
    inspector = client.post("/api/v1/auth/token", json={"username": "wuyun_zhang", "password": "inspector-pass-1",
                                                        "device_name": "张的手机"}).get_json()["token"]
    # a unit enrolled and moved through the manual steps
    r = client.post("/api/v1/units", headers=bearer(token), json={
        "name": "五云新开放心超市", "uscc": valid_uscc(7), "address": "五云街道新建路1号", "type": "general",
        "station_id": wuyun, "year": 2026, "contact_name": "李老板", "contact_phone": "13800000000",
        "industry": "零售"})
    assert r.status_code == 201, r.get_json()
    unit = r.get_json()["id"]
    for stage in ("committed", "profiled"):
        r = client.post(f"/api/v1/units/{unit}/transitions", headers=bearer(token), json={"year": 2026, "to_stage": stage})
        assert r.status_code in (200, 201), r.get_json()
    # inspected: a post-evaluation that passes
    from datetime import datetime, timezone
    body = inspection_body(unit, base, kind="post_evaluation", started=datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc))
    r = client.post("/api/v1/inspections", headers=bearer(inspector), json=body)
    assert r.status_code in (200, 201), r.get_json()
    # signed and scanned
    r = client.post("/api/v1/signs", headers=bearer(token), json={"unit_id": unit, "year": 2026})
    assert r.status_code == 201, r.get_json()
    sign = r.get_json()
    assert sign["serial"].startswith("JY-2026-")
    png = client.get(f"/api/v1/signs/{sign['id']}/png", headers=bearer(token))
    assert png.status_code == 200
    import io

    import zxingcpp
    from PIL import Image
    scanned = [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))]
    assert scanned == [sign["url"]]
    page = client.get("/s/" + scanned[0].split("/s/", 1)[1]).get_data(as_text=True)
    assert "本标识真实有效" in page and "五云新开放心超市" in page and "缙云县市场监督管理局" in page
