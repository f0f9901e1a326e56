"""The roll-up of a city or the province as a dated report: a background job (or the periodic refresh)
runs the one roll-up (region.service.overview → dashboard.service.rollup) and keeps what the page shows
as JSON with the time its counting began; /region/ reads the latest. The roll-up counts ~1 M lifecycle
events at province scale (seconds), so a page never counts it while someone waits.

Kept in a table of its own (rollup_snapshot) rather than in Job.result: the page looks it up by region
and year whoever started it (a job is seen only by its starter), and the periodic refresh makes one with
no job and no account at all.
"""
import logging
from datetime import date

import sqlalchemy as sa

from server.core.clock import utcnow
from server.dashboard.service import Cell
from server.extensions import db
from server.job.models import Job
from server.region import service
from server.region.models import RollupSnapshot
from server.station.models import Region
from server.station.service import RegionLens

log = logging.getLogger(__name__)
KIND = "rollup_snapshot"
# How many snapshots of a region and year are kept (the newest); older ones are deleted when one is made.
KEEP = 5


def _cell(c: Cell) -> dict:
    return {"target": c.target, "certified": c.certified, "percent": c.percent, "active": c.active}


def _deadline(d: dict) -> dict:
    return {"key": d["key"], "label": d["label"], "done": d["done"], "today": d["today"], "target": d["target"],
            "gap": d["gap"], "percent": d["percent"], "as_of_due": d["as_of_due"],
            "due": d["due"].isoformat() if d["due"] else None}


def to_data(board: dict) -> dict:
    """region.service.overview's dict as plain JSON, only what the roll-up page shows (no station, no
    person): {"year", "years", "period": [start, end], "total": {type: cell}, "total_all": cell,
    "carriers": {kind: [n, target]}, "deadlines": [deadline], "rates_total": rates, "counties": [{"id",
    "code", "name", "total_all": cell, "deadlines": [deadline], "rates": rates}]}; a cell is {target,
    certified, percent, active}, a deadline's due an ISO date or None, rates complaint.rates' dicts."""
    rates = board["rates"]
    return {
        "year": board["year"], "years": list(board["years"]),
        "period": [board["period"][0].isoformat(), board["period"][1].isoformat()],
        "total": {t: _cell(c) for t, c in board["total"].items()}, "total_all": _cell(board["total_all"]),
        "carriers": {k: list(v) for k, v in board["carriers"].items()},
        "deadlines": [_deadline(d) for d in board["deadlines"]],
        "rates_total": rates["total"],
        "counties": [{"id": c["county"].id, "code": c["county"].code, "name": c["county"].name,
                      "total_all": _cell(c["board"]["total_all"]),
                      "deadlines": [_deadline(d) for d in c["board"]["deadlines"]],
                      "rates": rates[c["county"].id]} for c in board["counties"]],
    }


def for_page(data: dict) -> dict:
    """A snapshot's data with its dates as dates again (deadline dues, the rate period), for templates."""
    def dated(d):
        return {**d, "due": date.fromisoformat(d["due"]) if d["due"] else None}
    return {**data, "period": [date.fromisoformat(x) for x in data["period"]],
            "deadlines": [dated(d) for d in data["deadlines"]],
            "counties": [{**c, "deadlines": [dated(d) for d in c["deadlines"]]} for c in data["counties"]]}


def lens_of(region: Region) -> RegionLens:
    return RegionLens(region.id, "province" if region.kind == "province" else "city")


def make(region_id: int, year: int, job_id: int | None = None, on: date | None = None) -> RollupSnapshot:
    """Count the roll-up of a region for a year now (region.service.overview as any of its accounts
    sees it) and keep it, committed; the region's older snapshots of that year beyond KEEP are deleted."""
    region = db.session.get(Region, region_id)
    made_at = utcnow()
    data = to_data(service.overview(lens_of(region), year, on))
    snap = RollupSnapshot(region_id=region_id, year=year, made_at=made_at, data=data, job_id=job_id)
    db.session.add(snap)
    db.session.flush()
    old = db.session.scalars(sa.select(RollupSnapshot.id).where(
        RollupSnapshot.region_id == region_id, RollupSnapshot.year == year)
        .order_by(RollupSnapshot.made_at.desc(), RollupSnapshot.id.desc()).offset(KEEP)).all()
    if old:
        db.session.execute(sa.delete(RollupSnapshot).where(RollupSnapshot.id.in_(old)))
    db.session.commit()
    return snap


def latest(user, year: int) -> RollupSnapshot | None:
    """The newest snapshot of the user's own city or province for the year, or None."""
    if not user.region_id:
        return None
    return db.session.scalar(sa.select(RollupSnapshot).where(
        RollupSnapshot.region_id == user.region_id, RollupSnapshot.year == year)
        .order_by(RollupSnapshot.made_at.desc(), RollupSnapshot.id.desc()).limit(1))


def pending(user, year: int) -> Job | None:
    """A roll-up job of the user's region for the year that is queued or running (by any of its
    accounts), so a second visit does not start another."""
    from server.account.models import User
    q = (sa.select(Job).join(User, User.id == Job.user_id)
         .where(Job.kind == KIND, Job.status.in_(("queued", "running")), User.region_id == user.region_id)
         .order_by(Job.id.desc()))
    return next((j for j in db.session.scalars(q) if int(j.params.get("year", 0)) == year), None)


def start(user, year: int) -> Job:
    """The job making the user's region's roll-up for the year (jobs.start: queued on commit); an
    already waiting or running one rather than a second."""
    from server.job import service as jobs
    return pending(user, year) or jobs.start(
        user, KIND, {"year": year, "label": f"{year}年度各县进度汇总（{service.region_name(user)}）"}, total=1)


def refresh_all(on: date | None = None) -> int:
    """The periodic refresh: a new snapshot of every city and the province that has an active account,
    for the year its page opens on (region.service.default_year). A region that fails is logged and the
    others still made. Returns how many were made."""
    from server.account.models import User
    ids = db.session.scalars(sa.select(User.region_id).where(
        User.region_id.is_not(None), User.active.is_(True)).distinct()).all()
    made = 0
    for region in db.session.scalars(sa.select(Region).where(Region.id.in_(ids)).order_by(Region.id)).all():
        try:
            make(region.id, service.default_year(lens_of(region)), on=on)
            made += 1
        except Exception:  # noqa: BLE001 — one region's failure must not stop the others
            db.session.rollback()
            log.exception("roll-up snapshot of region %s failed", region.id)
    return made

