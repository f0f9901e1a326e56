"""Import units from XLSX or CSV: parse, check every row, preview, and write all or nothing."""
import io

import sqlalchemy as sa
from marshmallow import ValidationError
from openpyxl import Workbook

from schemas.unit import UnitFieldsSchema
from server.core import uscc
from server.core.tables import read_rows, text_row
from server.core.errors import Invalid, NotFound
from server.extensions import db
from server.station.models import UNIT_TYPES, Station
from server.station.service import list_stations
from server.unit.models import STAGES, ImportBatch, Unit, UnitYear
from server.unit.service import create_unit, name_problem

# Column headings of the import and export files, in order.
COLUMNS = [
    ("name", "单位名称"), ("uscc", "统一社会信用代码"), ("address", "地址"), ("industry", "行业"),
    ("contact_name", "负责人"), ("contact_phone", "联系电话"), ("station", "所（分局）"),
    ("type", "单位类型"), ("return_days", "退货期限（天）"), ("return_exclusions", "不适用退货的商品"),
    ("tags", "标签"), ("lat", "纬度"), ("lng", "经度"),
]
TYPE_BY_LABEL = {label: key for key, label in UNIT_TYPES.items()} | {k: k for k in UNIT_TYPES}
REQUIRED = ["name", "uscc", "address", "station", "type"]


def read_table(filename: str, content: bytes) -> list[dict]:
    """The rows of an XLSX or CSV unit list as {column key: text}, by the Chinese headings."""
    return read_rows(filename, content, COLUMNS, REQUIRED)


def check_rows(user, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(clean rows ready to create, problems [{row, name, messages}]); row numbers as in the file."""
    stations = {s.code: s for s in list_stations(user)} | {s.name: s for s in list_stations(user)}
    existing = set(db.session.scalars(sa.select(Unit.uscc).where(
        Unit.uscc.in_([uscc.normalise(r.get("uscc", "")) for r in rows]))))
    seen, clean, problems = {}, [], []
    schema = UnitFieldsSchema()
    for n, row in enumerate(rows, start=2):
        messages, data = [], _typed(row)
        station = stations.get(row.get("station", ""))
        if station is None:
            messages.append(f"所（分局）“{row.get('station', '')}”不存在或无权导入")
        else:
            data["station_id"] = station.id
        try:
            data = schema.load(data)
        except ValidationError as err:
            messages += [f"{_label(k)}：{'；'.join(_strings(v))}" for k, v in err.messages.items()]
        if name_problem(data.get("name") or ""):
            messages.append(f"单位名称：{name_problem(data['name'])}")
        code = uscc.normalise(row.get("uscc", ""))
        why = uscc.problem(code)
        if why:
            messages.append(why)
        elif code in existing:
            messages.append("该统一社会信用代码已登记")
        elif code in seen:
            messages.append(f"与第{seen[code]}行的统一社会信用代码重复")
        seen.setdefault(code, n)
        if data.get("type") == "no_reason_return" and not data.get("return_days"):
            messages.append("无理由退货单位须填写退货期限（天）")
        if messages:
            problems.append({"row": n, "name": row.get("name", ""), "messages": messages})
        else:
            clean.append({**data, "uscc": code})
    return clean, problems


def _strings(v):
    if isinstance(v, dict):
        return [s for x in v.values() for s in _strings(x)]
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def _label(key: str) -> str:
    return dict(COLUMNS).get(key, key)


def _typed(row: dict) -> dict:
    out = {k: row.get(k, "") for k in ("name", "uscc", "address", "industry", "contact_name",
                                       "contact_phone", "return_exclusions")}
    out["type"] = TYPE_BY_LABEL.get(row.get("type", ""), row.get("type", ""))
    out["tags"] = [t for t in row.get("tags", "").replace("，", ",").replace("、", ",").split(",") if t.strip()]
    for key in ("return_days", "lat", "lng"):
        if row.get(key, "") != "":
            out[key] = row[key]
    return out


def preview_import(user, filename: str, content: bytes, year: int) -> ImportBatch:
    """Parse and check a file; keep the result for the user to confirm. Nothing is written to units."""
    rows = read_table(filename, content)
    clean, problems = check_rows(user, rows)
    batch = ImportBatch(user_id=user.id, county_id=user.county_id, filename=filename[:200], year=year,
                        rows=clean, problems=problems, status="preview")
    db.session.add(batch)
    db.session.flush()
    return batch


def get_batch(user, batch_id: int) -> ImportBatch:
    """A preview made by this user."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.user_id != user.id:
        raise NotFound("找不到该导入记录")
    return batch


def queue_confirm(user, batch_id: int) -> ImportBatch:
    """Mark a problem-free preview as confirmed and waiting for its import job (server.unit.jobs): a second
    confirmation is refused while it waits or runs."""
    batch = get_batch(user, batch_id)
    if batch.status == "queued":
        raise Invalid("该文件已确认导入，正在后台处理")
    _check_confirmable(batch)
    batch.status = "queued"
    return batch


def _check_confirmable(batch: ImportBatch) -> None:
    if batch.status not in ("preview", "queued"):
        raise Invalid("该导入已经处理过")
    if batch.problems:
        raise Invalid("文件中有错误的行，请修改后重新上传；本次没有导入任何数据")


def confirm_import(user, batch_id: int) -> int:
    """Create every unit of a problem-free preview (or one queued by queue_confirm) in one transaction;
    returns how many."""
    batch = get_batch(user, batch_id)
    _check_confirmable(batch)
    # Check again: another import may have registered the same codes since the preview.
    _, problems = check_rows(user, [_as_row(r) for r in batch.rows])
    if problems:
        raise Invalid("数据已变化：" + "；".join(m for p in problems[:5] for m in p["messages"]))
    for data in batch.rows:
        create_unit(user, data, year=batch.year)
    batch.status = "done"
    return len(batch.rows)


def _as_row(data: dict) -> dict:
    station = db.session.get(Station, data["station_id"])
    row = {k: "" if data.get(k) is None else str(data.get(k)) for k, _ in COLUMNS if k in data}
    row.update(station=station.code, type=data["type"], tags=",".join(data.get("tags", [])))
    return row


def export_units(user, year: int) -> bytes:
    """Every unit the user may see, with its stage in the year, as XLSX (streamed, write-only)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("单位")
    ws.append([label for _, label in COLUMNS] + [f"{year}年度环节"])
    q = (sa.select(Unit, Station.name, UnitYear.stage)
         .join(Station, Station.id == Unit.station_id)
         .outerjoin(UnitYear, sa.and_(UnitYear.unit_id == Unit.id, UnitYear.year == year))
         .where(Unit.county_id == user.county_id if user.role == "county_admin"
                else Unit.station_id == user.station_id)
         .order_by(Station.position, Unit.name))
    for unit, station_name, stage in db.session.execute(q).yield_per(1000):
        ws.append(text_row(ws, [unit.name, unit.uscc, unit.address, unit.industry, unit.contact_name,
                               unit.contact_phone, station_name, UNIT_TYPES[unit.type], unit.return_days,
                               unit.return_exclusions, "、".join(unit.tags or []), unit.lat, unit.lng,
                               STAGES.get(stage, "未纳入")]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
