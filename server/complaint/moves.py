"""Moving a complaint or report: transfer to another station, return to the 12315 distribution office,
merging a repeated report. Each is a step with its own record; each checks everything before it
changes anything.
"""
from datetime import date

from server.account.service import require_admin
from server.complaint import dues
from server.complaint.service import check_day, get_complaint, step
from server.core.clock import utcnow
from server.core.errors import Invalid
from server.extensions import db
from server.feedback.models import Complaint
from server.station.models import Station
from server.station.service import check_station_access


def _reason(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise Invalid("请填写理由", fields={"note": ["请填写理由"]})
    return note


def transfer(user, complaint_id: int, station_id: int | None, note: str) -> Complaint:
    """Hand a complaint or report to another station of the county, with the reason. The periods keep running
    from the day of receipt: a transfer inside the bureau is no new receipt."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    if c.closed_at is not None or c.status in ("returned", "merged"):
        raise Invalid("已办结的投诉举报不能转交")
    target = db.session.get(Station, station_id) if station_id else None
    if target is None or target.county_id != user.county_id or target.id == c.station_id:
        raise Invalid("请选择本县的另一个所（分局）", fields={"station_id": ["请选择本县的另一个所（分局）"]})
    reason = _reason(note)
    old = db.session.get(Station, c.station_id)
    c.station_id, c.assignee_id = target.id, None
    step(c, user, "transferred", f"由{old.name}转交{target.name}：{reason}")
    return c


def return_to_distribution(user, complaint_id: int, on: date | None, note: str) -> Complaint:
    """Return a record the bureau may not handle to the 12315 distribution office (complaints: Order No. 121
    Art. 41; reports: Art. 34), before any decision; it leaves every rate."""
    require_admin(user)
    c = get_complaint(user, complaint_id)
    if c.status != "new":
        raise Invalid("已作出受理或立案决定的，不能退回分送机构")
    reason = _reason(note)
    on = check_day(c, on, None, "")
    c.status, c.closed_at = "returned", utcnow()
    dues.apply(c)
    step(c, user, "returned", reason, on=on)
    return c


def merge_reports(user, repeated_id: int, into_id: int, note: str = "") -> Complaint:
    """Merge a repeated report into an earlier one on the same facts (Order No. 121 Art. 35): the repeated one
    is closed as merged, and the earlier one's period restarts from the later receipt. Returns the earlier."""
    require_admin(user)
    dup, main = get_complaint(user, repeated_id), get_complaint(user, into_id) if into_id else None
    if main is None or main.id == dup.id:
        raise Invalid("请填写要并入的举报编号", fields={"into_id": ["请填写要并入的举报编号"]})
    if dup.kind != "report" or main.kind != "report" or dup.status != "new" or main.status != "new":
        msg = "只能合并两件尚未作出立案决定的举报"
        raise Invalid(msg, fields={"into_id": [msg]})
    if main.station_id != dup.station_id:
        check_station_access(user, db.session.get(Station, dup.station_id))
        msg = "两件举报须由同一所（分局）办理，请先转交"
        raise Invalid(msg, fields={"into_id": [msg]})
    restart = max(main.clock_from or dues.received_on(main), dues.received_on(dup))
    old_due = main.accept_due
    dup.status, dup.merged_into_id, dup.closed_at = "merged", main.id, utcnow()
    dues.apply(dup)
    main.clock_from = restart
    dues.apply(main)
    step(dup, user, "merged", f"并入举报#{main.id} {note}".strip(), on=restart)
    step(main, user, "merged_in", f"并入重复举报#{dup.id}，核查期限自{restart.isoformat()}重新计算："
         f"{old_due.isoformat() if old_due else '—'} → {main.accept_due.isoformat()} {note}".strip(), on=restart)
    return main
