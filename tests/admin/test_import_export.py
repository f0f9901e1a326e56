"""Import: a preview lists bad rows and writes nothing; a good file imports after confirm. Export is XLSX."""
import io
from urllib.parse import unquote

from openpyxl import Workbook, load_workbook

from server.unit.importer import COLUMNS
from server.unit.models import Unit, UnitYear
from tests.conftest import YEAR, valid_uscc


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([label for _, label in COLUMNS])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(name, n, station="wuyun", type="一般放心消费单位", days=None):
    return [name, valid_uscc(n), "五云街道", "零售", "张三", "0578-1234567", station, type, days, None, "党员经营户"]


def _upload(client, content, filename="units.xlsx", year=YEAR):
    return client.post("/units/import", data={"year": str(year), "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_import_page_and_template(as_user):
    client = as_user("a_admin")
    assert "下载导入模板" in client.get("/units/import").get_data(as_text=True)
    response = client.get("/units/import/template.xlsx")
    assert response.status_code == 200
    headings = [c.value for c in load_workbook(io.BytesIO(response.data)).active[1]]
    assert headings == [label for _, label in COLUMNS]


def test_preview_with_a_bad_row_writes_nothing(as_user, world, count):
    client = as_user("a_admin")
    content = _xlsx([_row("好单位", 50), _row("坏单位", 51, station="nowhere"),
                     _row("无期限退货店", 52, type="无理由退货单位"), _row("重复码", 1)])
    response = _upload(client, content)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "第 3 行" in page and "所（分局）“nowhere”不存在或无权导入" in page
    assert "第 4 行" in page and "无理由退货单位须填写退货期限（天）" in page
    assert "第 5 行" in page and "该统一社会信用代码已登记" in page
    assert "请修改后重新上传，本次不会导入任何数据" in page
    assert "确认导入" not in page
    assert count(Unit) == 2
    # Confirming anyway is refused and still writes nothing.
    batch_id = response.headers["Location"].rstrip("/").split("/")[-1]
    assert client.post(f"/units/import/{batch_id}/confirm").status_code == 422
    assert count(Unit) == 2


def test_good_file_imports_after_confirm(as_user, world, count):
    client = as_user("a_admin")
    content = "\n".join([",".join(label for _, label in COLUMNS),
                         f"新店一,{valid_uscc(60)},五云街道3号,餐饮,,,五云所,一般放心消费单位,,,,,",
                         f"新店二,{valid_uscc(61)},五云街道4号,零售,,,wuyun,无理由退货单位,7,生鲜,,,"])
    response = _upload(client, content.encode("utf-8"), filename="units.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "全部 2 行检查通过" in page
    assert count(Unit) == 2
    batch_id = response.headers["Location"].rstrip("/").split("/")[-1]
    response = client.post(f"/units/import/{batch_id}/confirm")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]  # a job, run in process here
    assert count(Unit) == 4
    assert count(UnitYear, UnitYear.year == YEAR) == 4
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入 2 家单位" in job_page and "2 / 2" in job_page
    # Confirming again is refused and imports nothing more.
    again = client.post(f"/units/import/{batch_id}/confirm")
    assert again.status_code == 422 and "该导入已经处理过" in again.get_data(as_text=True)
    assert count(Unit) == 4


def test_unreadable_file_is_refused(as_user, world, count):
    response = _upload(as_user("a_admin"), b"not a spreadsheet", filename="units.txt")
    assert response.status_code == 422 and "只支持 .xlsx 或 .csv 文件" in response.get_data(as_text=True)
    assert count(Unit) == 2


def test_other_users_preview_is_not_found(as_user, client, world):
    response = _upload(as_user("a_admin"), _xlsx([_row("好单位", 50)]))
    batch_url = response.headers["Location"]
    client.post("/logout")
    assert as_user("b_admin").get(batch_url).status_code == 404


def test_export_is_a_readable_xlsx(as_user, world):
    response = as_user("a_admin").get(f"/units/export.xlsx?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"放心消费单位-{YEAR}.xlsx"
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "单位名称" and rows[0][-1] == f"{YEAR}年度环节"
    assert [r[0] for r in rows[1:]] == ["五云放心超市"]  # a station admin exports only their station
