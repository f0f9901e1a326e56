"""The work plan's complaint targets, per station and for the county, over any period.

- initial check on time (受理按时率): complaints received in the period, decided by their acceptance
  deadline; those neither decided nor yet due are left out.
- completion on time (办结按时率): complaints accepted in the period whose mediation ended by its
  deadline; those still running and not yet due are left out.
- report verification on time (举报核查按时率): reports received in the period, decided by their deadline.
- mediation success (调解成功率): of the mediations that ended in the period, the share that succeeded
  (a withdrawn complaint counts in neither).
"""
from datetime import date, timedelta

import sqlalchemy as sa

from server.core.clock import today
from server.extensions import db
from server.feedback.models import Complaint
from server.station.service import list_stations

RATES = {"initial": "受理按时率", "completion": "办结按时率", "report": "举报核查按时率", "mediation": "调解成功率"}


def _utc(d: date):
    from datetime import datetime, time
    return datetime.combine(d, time()) - timedelta(hours=8)


def _on_time(done_on, due, now) -> bool | None:
    """True/False once it counts; None while undecided and not yet due."""
    if done_on is not None:
        return done_on <= due
    return False if due < now else None


def _rates(rows: list[Complaint], start: date, end: date, now: date) -> dict:
    tallies = {k: [0, 0] for k in RATES}

    def count(key, result):
        if result is not None:
            tallies[key][1] += 1
            tallies[key][0] += int(result)
    for c in rows:
        received = (c.received_at + timedelta(hours=8)).date()
        if start <= received < end and c.accept_due:
            count("initial" if c.kind == "complaint" else "report", _on_time(c.decided_on, c.accept_due, now))
        if c.kind == "complaint" and c.status != "rejected" and c.decided_on and start <= c.decided_on < end \
                and c.mediation_due:
            count("completion", _on_time(c.mediation_ended_on, c.mediation_due, now))
        if c.outcome in ("success", "failure") and c.mediation_ended_on and start <= c.mediation_ended_on < end:
            count("mediation", c.outcome == "success")
    return {k: {"label": RATES[k], "num": n, "den": d, "percent": round(100 * n / d, 1) if d else None}
            for k, (n, d) in tallies.items()}


def rates(user, start: date, end: date, now: date | None = None) -> dict:
    """{station_id: rates, "county": rates} for complaints of the user's scope, period [start, end)."""
    now = now or today()
    stations = list_stations(user)
    since = _utc(start - timedelta(days=120))  # accepted or ended in the period, received up to months before
    rows = db.session.scalars(sa.select(Complaint).where(
        Complaint.station_id.in_([s.id for s in stations]), Complaint.received_at >= since,
        Complaint.received_at < _utc(end))).all()
    out = {s.id: _rates([c for c in rows if c.station_id == s.id], start, end, now) for s in stations}
    out["county"] = _rates(rows, start, end, now)
    return out
