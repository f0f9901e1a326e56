"""Importing units from CSV and XLSX: every bad row named, all or nothing, and export round trip."""
import io

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from server.extensions import db
from server.unit import importer
from server.unit.models import ImportBatch, Unit, UnitYear
from tests.conftest import YEAR, valid_uscc

HEAD = "单位名称,统一社会信用代码,地址,行业,负责人,联系电话,所（分局）,单位类型,退货期限（天）,不适用退货的商品,标签\n"


def _csv(tmp_path, rows: str, name="units.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((HEAD + rows).encode(encoding))
    return path


def _units(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


def test_good_csv_imports_after_confirmation(runner, world, app, tmp_path):
    path = _csv(tmp_path, f"新华书店,{valid_uscc(301)},五云街道1号,零售,王伟,13800000000,wuyun,一般放心消费单位,,,党员经营户\n"
                          f"老陈鞋店,{valid_uscc(302)},五云街道2号,服装,陈强,13800000001,五云所,无理由退货单位,7,定制商品,\n",
                encoding="gb18030")
    r = runner.invoke(args=["units", "import", str(path), "--as", "a_admin", "--year", str(YEAR)], input="y\n")
    assert r.exit_code == 0, r.output
    assert "已导入2个单位" in r.output
    with app.app_context():
        shoe = db.session.scalar(sa.select(Unit).where(Unit.name == "老陈鞋店"))
        assert shoe.type == "no_reason_return" and shoe.return_days == 7
        assert db.session.scalar(sa.select(UnitYear.stage).where(UnitYear.unit_id == shoe.id)) == "pool"


def test_every_bad_row_is_listed_and_nothing_is_written(runner, world, app, tmp_path):
    before = _units(app)
    rows = (f"好店,{valid_uscc(303)},地址1,,,,wuyun,一般放心消费单位,,,\n"
            f",{valid_uscc(304)},地址2,,,,wuyun,一般放心消费单位,,,\n"           # no name
            f"坏码店,91110000600037341K,地址3,,,,wuyun,一般放心消费单位,,,\n"     # bad check digit
            f"重复店,{valid_uscc(303)},地址4,,,,wuyun,一般放心消费单位,,,\n"       # same code as row 2
            f"已登记,{valid_uscc(1)},地址5,,,,wuyun,一般放心消费单位,,,\n"         # registered already
            f"别人的,{valid_uscc(305)},地址6,,,,huzhen,一般放心消费单位,,,\n"      # another station
            f"退货店,{valid_uscc(306)},地址7,,,,wuyun,无理由退货单位,,,\n"         # no return days
            f"怪类型,{valid_uscc(307)},地址8,,,,wuyun,超级单位,,,\n")
    r = runner.invoke(args=["units", "import", str(_csv(tmp_path, rows)), "--as", "a_admin", "--year", "2023", "--yes"])
    assert r.exit_code != 0
    out = r.output
    for line in ("第3行", "第4行 坏码店：统一社会信用代码校验位不正确", "第5行 重复店：与第2行的统一社会信用代码重复",
                 "第6行 已登记：该统一社会信用代码已登记", "第7行 别人的：所（分局）“huzhen”不存在或无权导入",
                 "第8行 退货店：无理由退货单位须填写退货期限（天）", "第9行 怪类型：单位类型：单位类型不正确",
                 "有7行错误，没有导入任何数据"):
        assert line in out, out
    assert _units(app) == before


def test_confirm_refuses_a_preview_with_problems(ctx, world):
    from server.account.models import User
    user = db.session.get(User, world.ids["admin_a"])
    batch = importer.preview_import(user, "u.csv", (HEAD + ",,,,,,wuyun,,,,\n").encode(), YEAR)
    try:
        importer.confirm_import(user, batch.id)
    except importer.Invalid as err:
        assert "没有导入任何数据" in err.message
    else:
        raise AssertionError("confirmed a preview with problems")


def test_confirm_rechecks_codes_registered_since_the_preview(ctx, world):
    from server.account.models import User
    from server.unit.service import create_unit
    user = db.session.get(User, world.ids["admin_a"])
    code = valid_uscc(320)
    batch = importer.preview_import(user, "u.csv", (HEAD + f"甲,{code},地址,,,,wuyun,一般放心消费单位,,,\n").encode(), YEAR)
    assert batch.problems == []
    create_unit(user, {"name": "抢先", "uscc": code, "address": "x", "type": "general"})
    try:
        importer.confirm_import(user, batch.id)
    except importer.Invalid as err:
        assert "已登记" in err.message
    else:
        raise AssertionError("imported a duplicate")
    assert db.session.get(ImportBatch, batch.id).status == "preview"


def test_missing_columns_and_wrong_file_type(ctx, world):
    from server.account.models import User
    user = db.session.get(User, world.ids["admin_a"])
    for name, content, why in (("a.csv", "名称\n甲\n".encode(), "缺少必需的列"),
                               ("a.pdf", b"%PDF", "只支持"), ("a.xlsx", b"not a zip", "无法读取"),
                               ("a.csv", b"", "文件是空的")):
        try:
            importer.preview_import(user, name, content, YEAR)
        except importer.Invalid as err:
            assert why in err.message
        else:
            raise AssertionError(name)


def test_export_then_import_round_trip_in_xlsx(ctx, world):
    from server.account.models import User
    county = db.session.get(User, world.ids["county_admin"])
    data = importer.export_units(county, YEAR)
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "单位名称" and rows[0][-1] == f"{YEAR}年度环节"
    assert {r[0] for r in rows[1:]} == {"五云放心超市", "壶镇诚信五金店"}
    # a new unit in the same layout imports
    wb = Workbook()
    wb.active.append(list(rows[0]))
    wb.active.append(["新单位", valid_uscc(330), "地址", "", "", "", "五云所", "放心工厂", None, "", "", None, None, ""])
    buf = io.BytesIO()
    wb.save(buf)
    batch = importer.preview_import(county, "u.xlsx", buf.getvalue(), YEAR)
    assert batch.problems == [] and importer.confirm_import(county, batch.id) == 1
