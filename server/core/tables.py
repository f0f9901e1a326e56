"""Reading an uploaded table (XLSX or CSV, UTF-8 or GB18030) by its Chinese column headings, and telling
the numbers Excel has damaged."""
import csv
import io
import re

from openpyxl import load_workbook

from server.core.errors import Invalid

MAX_ROWS = 20000


def read_rows(filename: str, content: bytes, columns: list[tuple[str, str]], required: list[str]) -> list[dict]:
    """The rows as {key: text}, for columns [(key, heading)]; refuses a file missing a required key."""
    return [row for _, row in read_numbered_rows(filename, content, columns, required)]


def read_numbered_rows(filename: str, content: bytes, columns: list[tuple[str, str]],
                       required: list[str]) -> list[tuple[int, dict]]:
    """[(row number as Excel shows it, {key: text})]: blank rows are skipped but counted, as Excel numbers them."""
    raw = [(n, r) for n, r in _cells(filename.lower(), content) if any(r)]
    if not raw:
        raise Invalid("文件是空的")
    by_heading = {label: key for key, label in columns}
    keys = [by_heading.get(h.strip()) for h in raw[0][1]]
    missing = [label for key, label in columns if key in required and key not in keys]
    if missing:
        raise Invalid("缺少必需的列：" + "、".join(missing))
    if len(raw) - 1 > MAX_ROWS:
        raise Invalid(f"一次最多导入{MAX_ROWS}行")
    return [(n, {k: (row[i] if i < len(row) else "") for i, k in enumerate(keys) if k}) for n, row in raw[1:]]


def _cells(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    if name.endswith(".xlsx"):
        try:
            ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            return [(n, ["" if v is None else str(v).strip() for v in row])
                    for n, row in enumerate(ws.iter_rows(values_only=True), start=1)]
        except Exception:
            raise Invalid("无法读取该XLSX文件，请确认文件未损坏") from None
    if name.endswith(".csv"):
        reader = csv.reader(io.StringIO(_decode(content)))
        out, line = [], 1
        for row in reader:
            out.append((line, [c.strip() for c in row]))
            line = reader.line_num + 1  # a quoted cell may span lines; the next record starts after it
        return out
    raise Invalid("只支持 .xlsx 或 .csv 文件")


SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
TRAILING_ZERO = re.compile(r"^\d+\.0+$")
REFORMAT = "请在Excel中把该列设为“文本”格式后填入原始号码，或把12315平台导出的文件不经Excel直接导入"


def excel_damage(text: str, what: str, *, length: int | None = None, leading_zero: bool = False) -> str | None:
    """What Excel did to a number kept as text (a work-order number, a phone number, a credit code), or None.

    Scientific notation (1.33112E+18: only 15 significant digits kept, the number is lost), a trailing ".0"
    (the column was read as numbers), or lost leading zeros: shorter than `length`, the usual length of the
    column in the file, or (`leading_zero`, phone numbers) 9 or more digits not starting with 0 or 1."""
    t = (text or "").strip()
    if not t:
        return None
    if SCIENTIFIC.match(t):
        return (f"{what}“{t}”是Excel的科学计数法：Excel把长数字当成数值，只保留15位有效数字，原号码已丢失。"
                + REFORMAT)
    if TRAILING_ZERO.match(t):
        return f"{what}“{t}”末尾的“.0”是Excel加上的（该列被当成了数值）。" + REFORMAT
    if t.isdigit() and length and len(t) < length:
        return (f"{what}“{t}”只有{len(t)}位，文件中其他编号为{length}位：开头的0可能被Excel去掉了。" + REFORMAT)
    if t.isdigit() and leading_zero and len(t) >= 9 and t[0] not in "01":
        return (f"{what}“{t}”开头的0可能被Excel去掉了（固定电话应以区号的0开头，手机号以1开头）。" + REFORMAT)
    return None


def _decode(content: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    raise Invalid("无法识别文件编码，请另存为UTF-8编码的CSV")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_row(ws, row) -> list:
    """`row` ready for ws.append (any sheet, write-only too): a text a person typed that starts with
    = + - @ (or a tab / CR) becomes a cell of type text, never a live formula when the file is opened
    (OWASP "CSV injection"); other values unchanged. Every XLSX this system writes goes through it."""
    from openpyxl.cell import WriteOnlyCell
    out = []
    for value in row:
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            value = cell
        out.append(value)
    return out


def xlsx_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    """One sheet: a bold header row, then `rows`. Every text cell is written as text, so a value a
    person typed that starts with = + - @ (or a tab / CR) is never a live formula when opened
    (OWASP "CSV injection")."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(text_row(ws, row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
