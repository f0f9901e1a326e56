"""Assessment findings (浙市监消函〔2023〕3号: rectify what the third-party mystery visits found; the province
checks again at year end): import, demand, follow until closed.

An import is all or nothing: every bad row is named as Excel numbers it. A row's unit is found by its
unified social credit code, else by its exact name, in the county; a row naming no unit of ours is kept
as a finding for the county admin to decide (give it a unit, or record that it is not ours). Each finding
on a unit becomes a rectification demand with its due date and a follow-up visit
(inspection.service.demand_rectification), closed by a passing re-inspection like any other demand.
A finding's status is derived: pending / dismissed from the decision, else from its rectification.
"""
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from server.account.service import require_admin
from server.checklist.service import base_pairs
from server.core import uscc
from server.core.clock import today, utcnow
from server.core.errors import Forbidden, Invalid, NotFound
from server.core.tables import excel_damage, read_numbered_rows
from server.extensions import db
from server.finding.models import SOURCES, STATUSES, Finding
from server.inspection.models import Rectification
from server.inspection.service import demand_rectification
from server.station.service import scope_clause
from server.unit.models import Unit
from server.unit.service import get_unit

COLUMNS = [("unit_name", "单位名称"), ("uscc", "统一社会信用代码"), ("problem", "问题描述"), ("pair", "八有八无"),
           ("photos", "照片文件名"), ("found_on", "发现日期"), ("due", "整改期限")]
REQUIRED = ["problem", "found_on"]
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")


def _date(text: str) -> date:
    t = (text or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise ValueError(t)


def parse_pair(text: str, pairs: dict) -> tuple[str | None, str | None]:
    """(pair code, item code or None) of a 八有八无 cell: the pair's number (1–8) or code, its 有 or 无
    text (then the item is that side), or both texts; ValueError if it names none."""
    t = re.sub(r"\s", "", text or "")
    if not t:
        return None, None
    codes = list(pairs)
    number = re.fullmatch(r"第?([1-8])项?", t)
    if number and int(number.group(1)) <= len(codes):
        return codes[int(number.group(1)) - 1], None
    for code, (have, have_not) in pairs.items():
        if t == code:
            return code, None
        if t == have:
            return code, f"{code}.have"
        if t == have_not:
            return code, f"{code}.have_not"
        if have in t and have_not in t:
            return code, None
    raise ValueError(t)


def _row_unit(user, row: dict, by_code: dict, by_name: dict, messages: list[str]) -> Unit | None:
    code = uscc.normalise(row.get("uscc", ""))
    damaged = excel_damage(row.get("uscc", ""), "统一社会信用代码")
    if damaged:
        messages.append(damaged)
        return None
    if code:
        if not uscc.is_valid(code):
            messages.append(f"统一社会信用代码“{row.get('uscc')}”不正确（校验位不符）")
            return None
        if code in by_code:
            return by_code[code]
    name = (row.get("unit_name") or "").strip()
    if not code and not name:
        messages.append("须填写单位名称或统一社会信用代码")
        return None
    named = by_name.get(name, [])
    if not code and len(named) > 1:
        messages.append(f"本县有{len(named)}家名为“{name}”的单位，请填写统一社会信用代码")
        return None
    return named[0] if named and not code else None


def check(user, rows: list[tuple[int, dict]], due_default: date | None) -> tuple[list[dict], list[dict]]:
    """(clean findings as dicts, problems [{row, messages}]) for [(row number as Excel shows it, row)]."""
    units = db.session.scalars(sa.select(Unit).where(Unit.county_id == user.county_id)).all()
    by_code = {u.uscc: u for u in units if u.uscc}
    by_name = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u)
    pairs = base_pairs(user.county_id)
    clean, problems = [], []
    for n, row in rows:
        messages = []
        unit = _row_unit(user, row, by_code, by_name, messages)
        problem = (row.get("problem") or "").strip()
        if not problem:
            messages.append("问题描述不能为空")
        elif len(problem) > 500:
            messages.append("问题描述不能超过500字")
        try:
            pair, item = parse_pair(row.get("pair", ""), pairs)
        except ValueError:
            pair = item = None
            messages.append(f"八有八无“{row.get('pair')}”不是基本标准中的一项（可填序号1–8、“有…”或“无…”的原文）")
        try:
            found_on = _date(row.get("found_on", ""))
            if found_on > today():
                messages.append("发现日期晚于今天")
        except ValueError:
            found_on = None
            messages.append("发现日期格式不正确（应为 2026-11-27）")
        due = due_default
        if (row.get("due") or "").strip():
            try:
                due = _date(row["due"])
            except ValueError:
                messages.append("整改期限格式不正确（应为 2026-12-15）")
        if due is None and not any("整改期限" in m for m in messages):
            messages.append("须填写整改期限（本行或上传时统一设置）")
        elif due is not None and found_on is not None and due < found_on:
            messages.append("整改期限早于发现日期")
        photos = [p for p in re.split(r"[;；,，\s]+", row.get("photos", "") or "") if p]
        if messages:
            problems.append({"row": n, "messages": messages})
            continue
        clean.append({"row": n, "unit": unit, "unit_name": (row.get("unit_name") or "").strip()[:200],
                      "uscc": uscc.normalise(row.get("uscc", "")) or None, "problem": problem, "pair": pair,
                      "item": item, "photos": photos[:50], "found_on": found_on, "due": due})
    return clean, problems


def import_findings(user, filename: str, content: bytes, *, source: str, due_date: date | None,
                    confirm: bool) -> dict:
    """Check a file of findings; with confirm and no bad row, keep them and demand each of its unit.

    Returns {"count", "ours", "not_ours", "problems"}; county admins only; Invalid for a bad source or file."""
    if user.role != "county_admin":
        raise Forbidden("只有县局管理员可以导入评估问题")
    if source not in SOURCES:
        raise Invalid("请选择问题来源", fields={"source": ["请选择问题来源"]})
    if due_date is not None and due_date < today():
        raise Invalid("整改期限不能早于今天", fields={"due_date": ["整改期限不能早于今天"]})
    clean, problems = check(user, read_numbered_rows(filename, content, COLUMNS, REQUIRED), due_date)
    summary = {"count": len(clean), "ours": sum(1 for c in clean if c["unit"]),
               "not_ours": sum(1 for c in clean if not c["unit"]), "problems": problems}
    if problems or not confirm:
        return summary
    batch = f"{SOURCES[source]} · {filename}"[:200]
    for c in clean:
        finding = Finding(county_id=user.county_id, source=source, batch=batch, row_no=c["row"],
                          unit_name=c["unit_name"] or (c["unit"].name if c["unit"] else ""), uscc=c["uscc"],
                          problem=c["problem"], pair_code=c["pair"], item_code=c["item"], photos=c["photos"],
                          found_on=c["found_on"], due_date=c["due"], created_by_id=user.id)
        db.session.add(finding)
        db.session.flush()
        if c["unit"] is not None:
            _demand(user, finding, c["unit"])
    return summary


def _demand(user, finding: Finding, unit: Unit) -> None:
    finding.unit_id, finding.station_id = unit.id, unit.station_id
    label = SOURCES[finding.source]
    demand_rectification(user, unit, demand=f"{label}：{finding.problem}", due_date=finding.due_date,
                         item_code=finding.item_code, finding_id=finding.id)


def _get(user, finding_id: int) -> Finding:
    f = db.session.get(Finding, finding_id)
    if f is None or f.county_id != user.county_id:
        raise NotFound("找不到该评估问题")
    if user.role != "county_admin" and f.station_id != user.station_id:
        raise NotFound("找不到该评估问题")
    return f


def decide(user, finding_id: int, *, unit_id: int | None = None, not_ours: bool = False, note: str = "") -> Finding:
    """The county admin's decision on a finding no unit of ours was found for: the unit it concerns (a
    rectification is then demanded of it) or not ours, with a reason. Invalid if already decided."""
    if user.role != "county_admin":
        raise Forbidden("只有县局管理员可以处理未匹配的评估问题")
    f = _get(user, finding_id)
    if f.unit_id is not None or f.decision is not None:
        raise Invalid("该问题已处理")
    if not_ours:
        if not (note or "").strip():
            raise Invalid("请填写不予整改的理由", fields={"note": ["请填写不予整改的理由"]})
        f.decision, f.decision_note = "not_ours", note.strip()[:500]
    else:
        if unit_id is None:
            raise Invalid("请选择单位", fields={"unit_id": ["请选择单位"]})
        unit = get_unit(user, unit_id)
        if f.due_date < today():
            f.due_date = today() + timedelta(days=15)
        f.decision_note = (note or "").strip()[:500]
        _demand(user, f, unit)
    f.decided_by_id, f.decided_at = user.id, utcnow()
    db.session.flush()
    return f


def status_of(finding: Finding, rect: Rectification | None, on: date) -> str:
    """pending / dismissed / open / overdue / closed (STATUSES) of a finding and its rectification."""
    if finding.decision == "not_ours":
        return "dismissed"
    if rect is None:
        return "pending"
    if rect.status == "closed":
        return "closed"
    if rect.status != "open":
        return "closed" if rect.status == "superseded" else rect.status
    return "overdue" if rect.due_date < on else "open"


def list_findings(user, *, status: str | None = None, station_id: int | None = None, limit: int = 500) -> list[dict]:
    """The findings the user may see (county: all and the unmatched; station: its own), newest first,
    each {finding, rect, unit_name, status, status_label}."""
    q = (sa.select(Finding, Rectification).outerjoin(Rectification, Rectification.finding_id == Finding.id)
         .where(Finding.county_id == user.county_id))
    if user.role != "county_admin":
        q = q.where(Finding.station_id == user.station_id)
    elif station_id:
        q = q.where(Finding.station_id == station_id)
    on = today()
    out = []
    for f, r in db.session.execute(q.order_by(Finding.id.desc()).limit(5000)):
        s = status_of(f, r, on)
        if status and s != status:
            continue
        out.append({"finding": f, "rect": r, "status": s, "status_label": STATUSES[s]})
        if len(out) >= limit:
            break
    return out


def progress(county_id: int, station_ids: list[int], on: date | None = None) -> dict:
    """{station_id: {"total", "closed", "open", "overdue"}} of the findings on units, plus "pending": the
    county's unmatched findings awaiting a decision."""
    on = on or today()
    late = sa.func.sum(sa.case((Rectification.due_date < on, 1), else_=0))
    rows = db.session.execute(
        sa.select(Finding.station_id, Rectification.status, sa.func.count(), late)
        .join(Rectification, Rectification.finding_id == Finding.id)
        .where(Finding.county_id == county_id, Finding.station_id.in_(station_ids))
        .group_by(Finding.station_id, Rectification.status)).all()
    out = {sid: {"total": 0, "closed": 0, "open": 0, "overdue": 0} for sid in station_ids}
    for sid, st, n, n_late in rows:
        cell = out[sid]
        cell["total"] += n
        if st == "open":
            cell["open"] += n
            cell["overdue"] += int(n_late or 0)
        else:
            cell["closed"] += n
    out["pending"] = db.session.scalar(sa.select(sa.func.count()).select_from(Finding).where(
        Finding.county_id == county_id, Finding.unit_id.is_(None), Finding.decision.is_(None))) or 0
    return out


def units_for_choice(user, q: str) -> list[Unit]:
    """Up to 20 units of the county whose name contains q, for the decision form."""
    if not (q or "").strip():
        return []
    return db.session.scalars(sa.select(Unit).where(scope_clause(user, Unit.station_id, Unit.county_id),
                                                    Unit.name.contains(q.strip())).order_by(Unit.name).limit(20)).all()


