"""Importing a 12315 export (CSV or XLSX): every bad row named as Excel numbers it, all rows or none, no work
order twice, no number Excel has damaged, no row the confirmation would refuse."""
from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa
from marshmallow import ValidationError

from schemas.complaint import ComplaintIntakeSchema
from server.complaint.service import intake
from server.core import uscc
from server.core.clock import china_date, from_china, utcnow
from server.core.errors import Invalid
from server.core.tables import excel_damage, read_numbered_rows
from server.workday.service import NoRule, rule_for
from server.extensions import db
from server.feedback.models import Complaint
from server.station.service import list_stations
from server.unit.models import Unit

COLUMNS = [("external_no", "工单编号"), ("received", "登记时间"), ("kind", "类型"), ("complainant_name", "诉求人"),
           ("phone", "联系电话"), ("uscc", "被投诉单位统一社会信用代码"), ("station", "所（分局）"),
           ("description", "诉求内容")]
REQUIRED = ["external_no", "received", "kind", "station", "description"]
KINDS = {"投诉": "complaint", "举报": "report"}


def _received(text: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return from_china(datetime.strptime(text.strip(), fmt))  # written in China time
        except ValueError:
            continue
    raise ValueError(text)


def _usual_length(rows: list[tuple[int, dict]]) -> int | None:
    """The length most work-order numbers of the file have, when they are all digits (two rows at least)."""
    lengths = Counter(len(r.get("external_no", "").strip()) for _, r in rows
                      if r.get("external_no", "").strip().isdigit())
    if not lengths:
        return None
    length, count = lengths.most_common(1)[0]
    return length if count >= 2 else None


def _damage(row: dict, usual: int | None) -> list[str]:
    found = [excel_damage(row.get("external_no", ""), "工单编号", length=usual),
             excel_damage(row.get("phone", ""), "联系电话", leading_zero=True),
             excel_damage(row.get("uscc", ""), "统一社会信用代码")]
    return [m for m in found if m]


def _received_problem(when: datetime, kind: str) -> str | None:
    if when > utcnow() + timedelta(minutes=5):
        return "登记时间晚于现在"
    day = china_date(when)
    try:
        rule_for("complaint_accept" if kind == "complaint" else "report_case_decision", day)
    except NoRule as err:
        return err.message
    return None


def check(user, rows: list[tuple[int, dict]]) -> tuple[list[dict], list[dict]]:
    """(clean intake data, problems [{row, messages}]) for [(row number as Excel shows it, row)]."""
    stations = {s.code: s for s in list_stations(user)} | {s.name: s for s in list_stations(user)}
    seen_nos = set(db.session.scalars(sa.select(Complaint.external_no).where(
        Complaint.county_id == user.county_id, Complaint.external_no.in_([r.get("external_no") for _, r in rows]))))
    usual = _usual_length(rows)
    clean, problems, in_file = [], [], {}
    for n, row in rows:
        damaged = _damage(row, usual)
        messages, data = [], {"source": "import", "external_no": row.get("external_no", "").strip() or None,
                              "kind": KINDS.get(row.get("kind", "").strip(), ""),
                              "complainant_name": row.get("complainant_name", ""), "phone": row.get("phone", ""),
                              "description": row.get("description", "")}
        station = stations.get(row.get("station", "").strip())
        if station is None:
            messages.append(f"所（分局）“{row.get('station', '')}”不存在或无权导入")
        else:
            data["station_id"] = station.id
        try:
            data["received_at"] = _received(row.get("received", ""))
            problem = _received_problem(data["received_at"], data["kind"])
            if problem:
                messages.append(problem)
        except ValueError:
            messages.append("登记时间格式不正确（应为 2026-11-27 09:30）")
        messages += damaged
        code = uscc.normalise(row.get("uscc", ""))
        if code and not any("信用代码" in m for m in damaged):
            unit = db.session.scalar(sa.select(Unit).where(Unit.uscc == code, Unit.county_id == user.county_id))
            if unit is None:
                messages.append("被投诉单位不在本县名单中（统一社会信用代码未找到）")
            elif station is not None and unit.station_id != station.id:
                messages.append(f"被投诉单位“{unit.name}”不属于{station.name}")
            else:
                data["unit_id"] = unit.id
        if not data["external_no"] or any("工单编号" in m for m in damaged):
            pass  # a damaged number is neither compared with those imported nor with the file's
        elif data["external_no"] in seen_nos:
            messages.append(f"工单编号{data['external_no']}已导入过")
        elif data["external_no"] in in_file:
            messages.append(f"与第{in_file[data['external_no']]}行的工单编号重复")
        else:
            in_file[data["external_no"]] = n
        try:
            data = ComplaintIntakeSchema().load({k: v for k, v in data.items() if k != "received_at"}) | \
                {"received_at": data.get("received_at")}
        except ValidationError as err:
            messages += [f"{k}：{'；'.join(v if isinstance(v, list) else [str(v)])}" for k, v in err.messages.items()]
        if messages:
            problems.append({"row": n, "messages": messages})
        else:
            clean.append(data)
    return clean, problems


def import_file(user, filename: str, content: bytes, *, confirm: bool) -> tuple[int, list[dict]]:
    """Check a file; with confirm and no problems, register every row. Returns (rows, problems)."""
    clean, problems = check(user, read_numbered_rows(filename, content, COLUMNS, REQUIRED))
    if problems or not confirm:
        return len(clean), problems
    for data in clean:
        intake(user, data)
    return len(clean), []


def refuse_with_problems(problems: list[dict]) -> None:
    """Raise the problems as one Invalid, so nothing is written."""
    raise Invalid(f"有{len(problems)}行错误，没有导入任何数据",
                  fields={f"第{p['row']}行": p["messages"] for p in problems})
