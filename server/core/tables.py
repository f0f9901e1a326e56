"""Reading an uploaded table (XLSX or CSV, UTF-8 or GB18030) by its Chinese column headings."""
import csv
import io

from openpyxl import load_workbook

from server.core.errors import Invalid

MAX_ROWS = 20000


def read_rows(filename: str, content: bytes, columns: list[tuple[str, str]], required: list[str]) -> list[dict]:
    """The rows as {key: text}, for columns [(key, heading)]; refuses a file missing a required key."""
    raw = _cells(filename.lower(), content)
    raw = [r for r in raw if any(r)]
    if not raw:
        raise Invalid("文件是空的")
    by_heading = {label: key for key, label in columns}
    keys = [by_heading.get(h.strip()) for h in raw[0]]
    missing = [label for key, label in columns if key in required and key not in keys]
    if missing:
        raise Invalid("缺少必需的列：" + "、".join(missing))
    if len(raw) - 1 > MAX_ROWS:
        raise Invalid(f"一次最多导入{MAX_ROWS}行")
    return [{k: (row[i] if i < len(row) else "") for i, k in enumerate(keys) if k} for row in raw[1:]]


def _cells(name: str, content: bytes) -> list[list[str]]:
    if name.endswith(".xlsx"):
        try:
            ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            return [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
        except Exception:
            raise Invalid("无法读取该XLSX文件，请确认文件未损坏") from None
    if name.endswith(".csv"):
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(_decode(content)))]
    raise Invalid("只支持 .xlsx 或 .csv 文件")


def _decode(content: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    raise Invalid("无法识别文件编码，请另存为UTF-8编码的CSV")
