"""The bulletin's figures laid out as tables: one layout for the page, the PDF and the XLSX."""
from server.unit.models import CERTIFIED  # one definition: holding the year's sign

STAGE_COLUMNS = [("pool", "培育库"), ("committed", "承诺公示"), ("profiled", "系统录入"), ("evaluated", "后评价通过"),
                 ("sign_issued", "标识发放"), ("sign_posted", "标识张贴"), ("removed", "已移出")]


def _pct(n, d) -> str:
    return f"{round(100 * n / d)}%" if d else "—"


def bulletin_rows(data: dict) -> list[tuple[str, list, list]]:
    """[(title, header, rows)] for every part of a bulletin's data."""
    stations = data["stations"]
    parts = []
    rows, total = [], [0] * (len(STAGE_COLUMNS) + 2)
    for s in stations:
        p = data["progress"].get(str(s["id"]), {"target": 0, "stages": {}})
        counts = [p["stages"].get(k, 0) for k, _ in STAGE_COLUMNS]
        certified = sum(p["stages"].get(k, 0) for k in CERTIFIED)
        line = [p["target"]] + counts + [certified]
        total = [a + b for a, b in zip(total, line)]
        rows.append([s["name"]] + line + [_pct(certified, p["target"])])
    if len(stations) > 1:  # one station's bulletin (or a county of one station): its row is the total
        rows.append(["全县"] + total + [_pct(total[-1], total[0])])
    parts.append(("建设进度", ["所（分局）", "目标"] + [l for _, l in STAGE_COLUMNS] + ["已认定", "完成率"], rows))
    v, r = data["visits"], data["rectifications"]
    rows = [[s["name"], v["month"].get(str(s["id"]), 0), v["ytd"].get(str(s["id"]), 0),
             r["opened"].get(str(s["id"]), 0), r["closed"].get(str(s["id"]), 0), r["overdue"].get(str(s["id"]), 0)]
            for s in stations]
    if len(stations) > 1:
        rows.append(["全县"] + [sum(x[i] for x in rows) for i in range(1, 6)])
    parts.append(("检查与整改", ["所（分局）", "本月检查", "年度累计检查", "本月新开整改", "本月完成整改", "逾期未整改"], rows))
    parts.append(("常见不符合项", ["检查项", "本月次数"],
                  [[i["text"], i["count"]] for i in data["failed_items"]]))
    if data.get("pace"):
        parts.append(pace_table(data["pace"]))
    for name, title in (("findings", "评估问题整改"), ("complaints", "投诉举报"), ("evaluations", "消费评价")):
        section = data.get(name)
        if section:
            parts.append((title, section["header"], section["rows"]))
    return parts


def bars(data: dict) -> list[dict]:
    """Per station: completion percent of target, for the chart."""
    out = []
    for s in data["stations"]:
        p = data["progress"].get(str(s["id"]), {"target": 0, "stages": {}})
        certified = sum(p["stages"].get(k, 0) for k in CERTIFIED)
        out.append({"name": s["name"], "percent": min(100, round(100 * certified / p["target"])) if p["target"] else 0})
    return out


def pace_table(p: dict) -> tuple[str, list, list]:
    """("进度预测", header, rows): per station and the county, each milestone's count, the last four weeks'
    weekly rate, the projection on its date and the weekly rate needed (dashboard.pace)."""
    head = ["所（分局）", "状态"]
    for m in p["milestones"]:
        d = f"{int(m['due'][5:7])}月{int(m['due'][8:])}日"
        head += [f"{d} 完成/目标", f"{d} 近四周每周", f"{d} 预计", f"{d} 每周需", f"{d} 状态"]
    rows = []
    totals = [("全县", p["total"])] if len(p["stations"]) > 1 else []
    for name, s in [(s["name"], s) for s in p["stations"]] + totals:
        row = [name, s["status_label"]]
        for m in s["milestones"]:
            row += [f"{m['now']}/{m['target']}", m["rate"], int(m["projected"]),
                    "—" if m["needed"] is None else m["needed"], m["status_label"]]
        rows.append(row)
    return ("进度预测", head, rows)
