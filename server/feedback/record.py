"""A unit's evaluation record for staff (issue 19, item 5): its evaluations with their stars per 八有八无 pair,
the average of each pair, the month-by-month trend, and the one rule of repeated low stars that puts a unit in
the daily patrol (每天网上巡).

The rule (`low_star_units`): within the LOW_STARS_DAYS China days ending on the day (the day included), the
unit has at least LOW_STARS_MIN_COUNT evaluations and their average overall stars is at most
LOW_STARS_MAX_AVG. Thresholds are settings (server.config), defaults 30 days, 2 evaluations, 2.0 stars.
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from server.checklist.service import base_pairs
from server.core.clock import china_midnight, china_time, today
from server.extensions import db
from server.feedback.models import EVALUATION_SOURCES, Evaluation
from server.station.service import scope_clause
from server.unit.models import Unit

TREND_MONTHS = 12
# Inline SVG of the trend: one bar per month in a W × H viewBox, the bar's height its average of 5 stars.
W, H, BAR_TOP, BAR_BOTTOM = 360, 120, 10, 100


def _utc_start(day: date) -> datetime:
    """The UTC moment China's `day` begins (stored times are UTC)."""
    return china_midnight(day)


def low_stars_settings() -> dict:
    """{"days", "min_count", "max_avg"} of the repeated-low-stars rule, from the app's settings."""
    cfg = current_app.config
    return {"days": int(cfg["LOW_STARS_DAYS"]), "min_count": int(cfg["LOW_STARS_MIN_COUNT"]),
            "max_avg": float(cfg["LOW_STARS_MAX_AVG"])}


def low_stars_window(day: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the rule's window: the LOW_STARS_DAYS China days ending with `day`."""
    days = low_stars_settings()["days"]
    return _utc_start(day - timedelta(days=days - 1)), _utc_start(day + timedelta(days=1))


def low_star_units(station_ids: list[int], day: date, unit_id: int | None = None) -> list[dict]:
    """Units of the stations with repeated low stars as of `day` (the module's rule), worst first:
    [{"unit_id", "unit_name", "station_id", "n", "avg" (one decimal), "evaluations": [Evaluation, oldest
    first]}] (only `unit_id` when given). Every evaluation in the window counts, a consumer's or a volunteer's."""
    if not station_ids:
        return []
    rule = low_stars_settings()
    start, end = low_stars_window(day)
    in_window = (Evaluation.station_id.in_(station_ids), Evaluation.created_at >= start, Evaluation.created_at < end,
                 *([Evaluation.unit_id == unit_id] if unit_id else []))
    avg = sa.func.avg(Evaluation.stars)
    rows = db.session.execute(
        sa.select(Evaluation.unit_id, sa.func.count(Evaluation.id), avg).where(*in_window)
        .group_by(Evaluation.unit_id)
        .having(sa.func.count(Evaluation.id) >= rule["min_count"], avg <= rule["max_avg"])).all()
    if not rows:
        return []
    ids = [r[0] for r in rows]
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    evaluations: dict[int, list] = {}
    for e in db.session.scalars(sa.select(Evaluation).where(*in_window, Evaluation.unit_id.in_(ids))
                                .order_by(Evaluation.created_at, Evaluation.id)):
        evaluations.setdefault(e.unit_id, []).append(e)
    out = [{"unit_id": uid, "unit_name": units[uid].name, "station_id": units[uid].station_id, "n": n,
            "avg": round(float(a), 1), "evaluations": evaluations[uid]} for uid, n, a in rows]
    return sorted(out, key=lambda r: (r["avg"], -r["n"], r["unit_id"]))


def month_of(at: datetime) -> date:
    """The first day of the China month a stored UTC moment falls in."""
    local = china_time(at)
    return date(local.year, local.month, 1)


def trend(evaluations: list, on: date | None = None, months: int = TREND_MONTHS) -> list[dict]:
    """The last `months` China months up to `on`'s (default today), oldest first: [{"month": date (1st),
    "label": "2026年11月", "n", "avg" (one decimal or None), "x", "y", "h"}] — x, y, h the bar in the
    W × H viewBox of the template's SVG (h 0 for a month without evaluations)."""
    on = on or today()
    first = date(on.year, on.month, 1)
    starts = []
    for i in range(months - 1, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        starts.append(date(y, m + 1, 1))
    by_month: dict[date, list[int]] = {}
    for e in evaluations:
        by_month.setdefault(month_of(e.created_at), []).append(e.stars)
    step = W / months
    out = []
    for i, start in enumerate(starts):
        stars = by_month.get(start, [])
        avg = round(sum(stars) / len(stars), 1) if stars else None
        h = round((BAR_BOTTOM - BAR_TOP) * (avg or 0) / 5, 1)
        out.append({"month": start, "label": f"{start.year}年{start.month}月", "short": f"{start.month}月",
                    "n": len(stars), "avg": avg, "x": round(i * step + step * 0.15, 1),
                    "w": round(step * 0.7, 1), "y": round(BAR_BOTTOM - h, 1), "h": h,
                    "cx": round(i * step + step / 2, 1)})
    return out


def pair_averages(evaluations: list, pairs: dict) -> list[dict]:
    """Each pair of the standard, in order: [{"code", "have", "have_not", "n", "avg" (one decimal or None)}],
    over the evaluations that rated it."""
    out = []
    for code, (have, have_not) in pairs.items():
        stars = [e.pair_stars[code] for e in evaluations if isinstance(e.pair_stars, dict) and code in e.pair_stars]
        out.append({"code": code, "have": have, "have_not": have_not, "n": len(stars),
                    "avg": round(sum(stars) / len(stars), 1) if stars else None})
    return out


def unit_record(user, unit, on: date | None = None) -> dict:
    """What the staff unit page shows of the unit's evaluations (within the user's scope): {"evaluations"
    (newest first), "pairs" (`pair_averages`), "trend" (`trend`), "pair_names" ({code: "有…·无…"}), "n", "avg", "low" (the unit's entry of
    `low_star_units` as of `on`, or None), "rule" (`low_stars_settings`), "W", "H", "BAR_BOTTOM", "SOURCES" (labels), "visits" ({evaluation id: its
    消费义工 assignment}), "show_who" (county admins alone see which volunteer made a visit, and its photos)}."""
    on = on or today()
    evaluations = db.session.scalars(sa.select(Evaluation).where(
        Evaluation.unit_id == unit.id, scope_clause(user, Evaluation.station_id, Evaluation.county_id))
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())).all()
    stars = [e.stars for e in evaluations]
    low = next(iter(low_star_units([unit.station_id], on, unit.id)), None)
    from server.volunteer.service import visits_of_evaluations  # volunteers build on feedback, not the reverse
    visits = visits_of_evaluations([e.id for e in evaluations if e.source == "volunteer"])
    pairs = base_pairs(unit.county_id)
    return {"evaluations": evaluations, "pairs": pair_averages(evaluations, pairs),
            "pair_names": {code: f"{have}·{have_not}" for code, (have, have_not) in pairs.items()},
            "trend": trend(evaluations, on), "n": len(stars),
            "avg": round(sum(stars) / len(stars), 1) if stars else None, "low": low,
            "rule": low_stars_settings(), "W": W, "H": H, "BAR_BOTTOM": BAR_BOTTOM,
            "SOURCES": EVALUATION_SOURCES, "visits": visits, "show_who": user.role == "county_admin"}
