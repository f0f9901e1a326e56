"""The roll-up as XLSX: what the /region/ page shows, for a city or the province (no person in it)."""
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from server.core.tables import text_row
from server.station.models import UNIT_TYPES
from server.unit.models import STAGE_ORDER, STAGES

RATE_KEYS = ("initial", "completion", "report", "mediation")


def _pct(r) -> str:
    return "—" if r["percent"] is None else f"{r['percent']}%"


def rollup_xlsx(board: dict, title: str, progress=None) -> bytes:
    """Two sheets from region.service.overview's dict: 各县汇总 (each county's target, certified, rate,
    milestones and complaint rates, and the sum) and 各所明细 (each station of each county by unit type and
    stage). progress(done) is called after each county of the second sheet."""
    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    ws.title = "各县汇总"
    ws.append([f"{title} · {board['year']}年度放心消费建设进度汇总"])
    ws["A1"].font = bold
    rates = board["rates"]
    head = ["县（市、区）", "目标", "已认定", "完成率"]
    head += [f"{d['label']}（完成/目标）" for d in board["deadlines"]]
    head += [rates["total"][k]["label"] for k in RATE_KEYS]
    ws.append(head)
    for cell in ws[2]:
        cell.font = bold
    for c in board["counties"]:
        b = c["board"]
        row = [c["county"].name, b["total_all"].target, b["total_all"].certified, f"{b['total_all'].percent}%"]
        row += [f"{d['done']} / {d['target']}（截至{d['due'].month}月{d['due'].day}日）" if d["as_of_due"]
                else f"{d['done']} / {d['target']}" for d in b["deadlines"]]
        row += [_pct(rates[c["county"].id][k]) for k in RATE_KEYS]
        ws.append(text_row(ws, row))
    total = board["total_all"]
    ws.append(["合计", total.target, total.certified, f"{total.percent}%"]
              + [f"{d['done']} / {d['target']}" for d in board["deadlines"]]
              + [_pct(rates["total"][k]) for k in RATE_KEYS])
    for cell in ws[ws.max_row]:
        cell.font = bold
    ws.column_dimensions["A"].width = 18
    for col in "EF":
        ws.column_dimensions[col].width = 30
    detail = wb.create_sheet("各所明细")
    detail.append(["县（市、区）", "所（分局）", "类型", "目标"] + [STAGES[s] for s in STAGE_ORDER]
                  + [STAGES["removed"]] + ["已认定", "完成率"])
    for cell in detail[1]:
        cell.font = bold
    for i, c in enumerate(board["counties"]):
        for r in c["board"]["rows"]:
            for t, label in UNIT_TYPES.items():
                cell = r["cells"][t]
                detail.append(text_row(detail, [c["county"].name, r["station"].name, label, cell.target]
                                       + [cell.stages[s] for s in STAGE_ORDER] + [cell.stages["removed"]]
                                       + [cell.certified, f"{cell.percent}%"]))
        if progress:
            progress(i + 1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
