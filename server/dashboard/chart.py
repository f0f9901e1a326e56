"""The geometry of a small pace chart, drawn as inline SVG by the template `admin/_pace.html`.

Pure: takes the plain data of `pace.pace` (one station or the total) and returns coordinates in a
300 × 150 viewBox — x from the end of 31 December of the year before to the end of 31 December, y from 0
to a little above the largest of targets, counts and projections. No script: the page's CSP forbids it.
"""
from datetime import date, timedelta

W, H = 300, 150
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 8, 22
COLOURS = {"entry": "#1f5fae", "posted": "#1e7b34"}


def geometry(data: dict, year: int, on: str) -> dict:
    """{"lines": [{key, colour, actual, plan, projection, target_x, target_y}], "today_x", "ticks", "ymax",
    "y_ticks"}; point lists are SVG "x,y x,y" strings."""
    start = date(year, 1, 1) - timedelta(days=1)
    span = (date(year, 12, 31) - start).days
    top = max([1] + [m["target"] for m in data["milestones"]] + [m["projected"] for m in data["milestones"]]
              + [n for s in data["series"].values() for _, n in s])
    ymax = _nice(top * 1.05)

    def x(d) -> float:
        days = (date.fromisoformat(d) - start).days if isinstance(d, str) else (d - start).days
        return round(LEFT + (W - LEFT - RIGHT) * min(span, max(0, days)) / span, 1)

    def y(n) -> float:
        return round(TOP + (H - TOP - BOTTOM) * (1 - min(n, ymax) / ymax), 1)

    lines = []
    for m in data["milestones"]:
        series = data["series"][m["key"]]
        line = {"key": m["key"], "colour": COLOURS.get(m["key"], "#555"),
                "actual": " ".join(f"{x(d)},{y(n)}" for d, n in series),
                "plan": f"{x(start)},{y(0)} {x(m['due'])},{y(m['target'])}",
                "target_x": x(m["due"]), "target_y": y(m["target"]), "projection": ""}
        if m["days_left"] > 0:
            line["projection"] = f"{x(on)},{y(m['now'])} {x(m['due'])},{y(m['projected'])}"
        lines.append(line)
    ticks = [{"x": x(date(year, month, 1)), "label": f"{month}月"} for month in (1, 4, 7, 10)]
    y_ticks = [{"y": y(v), "label": str(v)} for v in (0, ymax // 2, ymax)]
    return {"lines": lines, "today_x": x(on), "ticks": ticks, "y_ticks": y_ticks, "ymax": ymax,
            "w": W, "h": H, "left": LEFT, "right": W - RIGHT, "bottom": H - BOTTOM, "top": TOP}


def charts(pace: dict | None) -> dict:
    """{station id (as a string) or "total": geometry} of a pace (dashboard.pace.pace), kept or fresh."""
    if not pace:
        return {}
    out = {str(s["id"]): geometry(s, pace["year"], pace["on"]) for s in pace["stations"]}
    out["total"] = geometry(pace["total"], pace["year"], pace["on"])
    return out


def _nice(v: float) -> int:
    """The next round number at or above v (1, 2, 5 × 10^k), so the axis reads plainly."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= v:
                return m * step
        step *= 10
