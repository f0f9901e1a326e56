"""The work plan's complaint rates, per station and for the county, over a period [start, end).

Each rate is num / den over the records its period selects (README, “投诉举报的四项比率”):

- 按时初查率: complaints received in the period; on time when the acceptance decision (受理 or 不予受理)
  was made no earlier than receipt and no later than its due date (Order No. 121 Art. 15–16; Order
  No. 20 Art. 14). Undecided and past due: late; undecided and not yet due: not counted.
- 按时办结率: complaints accepted in the period; on time when mediation ended no earlier than the
  acceptance and by its due date (Art. 22–23) and — when it was terminated — the parties were told
  no earlier than the end and within 7 working days (Art. 23). A successful mediation is done at
  the agreement (Art. 24). Unfinished and past a due date: late; unfinished and not due: not counted.
- 举报按时核查率: reports received in the period; on time when the case decision (立案 or 不予立案) was
  made within its period (《市场监督管理行政处罚程序规定》 Art. 18), not before the report.
- 调解成功率: mediations that ended in the period with an agreement or a failure: the share of
  agreements (a withdrawn complaint counts in neither). Compared with the national and provincial
  averages a county admin enters per year.

Records returned to the 12315 distribution office or merged into another report are not handled
here and count in no rate. A step dated out of order is never on time.
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from server.complaint.dues import accepted, received_on
from server.core.clock import china_midnight, today
from server.extensions import db
from server.feedback.models import Complaint
from server.station.service import list_stations

RATES = {"initial": "按时初查率", "completion": "按时办结率", "report": "举报按时核查率", "mediation": "调解成功率"}
NOT_HANDLED = ("returned", "merged")


def _utc(d: date) -> datetime:
    return china_midnight(d)


def _in_time(after: date, done_on: date | None, due: date | None, now: date) -> bool | None:
    """True/False once it counts; None while undone and not yet due. Done before `after`: out of order, late."""
    if done_on is not None:
        return due is not None and after <= done_on <= due
    return False if due is not None and due < now else None


def _completion(c: Complaint, now: date) -> bool | None:
    ended = _in_time(c.decided_on, c.mediation_ended_on, c.mediation_due, now)
    if ended is not True or c.outcome == "success":
        return ended
    return _in_time(c.mediation_ended_on, c.notified_on, c.notice_due, now)


def _rates(rows: list[Complaint], start: date, end: date, now: date) -> dict:
    tallies = {k: [0, 0] for k in RATES}

    def count(key, result):
        if result is not None:
            tallies[key][1] += 1
            tallies[key][0] += int(result)
    for c in rows:
        if c.status in NOT_HANDLED:
            continue
        got = received_on(c)
        if start <= got < end and c.accept_due:
            count("initial" if c.kind == "complaint" else "report",
                  _in_time(c.clock_from or got, c.decided_on, c.accept_due, now))
        if accepted(c) and start <= c.decided_on < end:
            count("completion", _completion(c, now))
        if c.outcome in ("success", "failure") and c.mediation_ended_on and start <= c.mediation_ended_on < end:
            count("mediation", c.outcome == "success")
    return {k: {"label": RATES[k], "num": n, "den": d, "percent": round(100 * n / d, 1) if d else None}
            for k, (n, d) in tallies.items()}


def rates(user, start: date, end: date, now: date | None = None) -> dict:
    """{station_id: rates, "county": rates} for complaints of the user's scope, period [start, end).

    Each rates: {key: {label, num, den, percent (one decimal, None when den is 0)}}. `now` (default today)
    decides which undone steps are already late."""
    now = now or today()
    stations = list_stations(user)
    since = _utc(start - timedelta(days=200))  # accepted or ended in the period, received months before
    rows = db.session.scalars(sa.select(Complaint).where(
        Complaint.station_id.in_([s.id for s in stations]), Complaint.received_at >= since,
        Complaint.received_at < _utc(end))).all()
    out = {s.id: _rates([c for c in rows if c.station_id == s.id], start, end, now) for s in stations}
    out["county"] = _rates(rows, start, end, now)
    return out


def year_to_date(day: date) -> tuple[date, date]:
    """[1 January, the day after `day`): the year so far, today included."""
    return date(day.year, 1, 1), day + timedelta(days=1)


def rates_by_county(user, start: date, end: date, now: date | None = None) -> dict:
    """{county_id: rates, "total": rates} for a city or province user, period [start, end), in one query:
    each county's rates are what `rates` gives its county admin as "county" (complaints with a station),
    by the same rule (`_rates`); "total" over all the counties overseen."""
    from server.station.service import region_county_ids
    now = now or today()
    since = _utc(start - timedelta(days=200))
    rows = db.session.scalars(sa.select(Complaint).where(
        Complaint.county_id.in_(region_county_ids(user)), Complaint.station_id.is_not(None),
        Complaint.received_at >= since, Complaint.received_at < _utc(end))).all()
    groups = {}
    for c in rows:
        groups.setdefault(c.county_id, []).append(c)
    out = {cid: _rates(found, start, end, now) for cid, found in groups.items()}
    out["total"] = _rates(rows, start, end, now)
    return out


def no_rates(start: date, end: date) -> dict:
    """The rates of a scope with no complaints (every den 0)."""
    return _rates([], start, end, today())
