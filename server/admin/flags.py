"""Units flagged for removal (移出建议): the list, and marking a flag as dealt with."""
import sqlalchemy as sa
from flask import flash, g, redirect, render_template, url_for
from sqlalchemy.exc import SQLAlchemyError

from server.account.service import require_admin
from server.admin.bp import bp
from server.core.clock import utcnow
from server.core.errors import NotFound
from server.extensions import db
from server.inspection.models import Inspection, UnitFlag
from server.inspection.service import open_flags
from server.unit.service import get_unit

FLAG_KINDS = {"repeat_failure": "一年内两次检查不合格"}


def resolve_flag(user, flag_id: int) -> UnitFlag:
    """Mark a flag of the user's scope as dealt with (admins); the flag and who resolved it are kept."""
    require_admin(user)
    flag = db.session.get(UnitFlag, flag_id)
    if flag is None:
        raise NotFound("找不到该移出建议")
    get_unit(user, flag.unit_id)  # NotFound outside the user's scope
    if flag.resolved_at is None:
        flag.resolved_at, flag.resolved_by_id = utcnow(), user.id
        db.session.flush()
    return flag


def open_flag_count(user) -> int:
    """How many flags wait for the user's decision (for the menu badge)."""
    if user is None or user.role == "inspector":
        return 0
    try:
        return len(open_flags(user))
    except SQLAlchemyError:  # an error page after a failed transaction still renders its menu
        return 0


@bp.app_context_processor
def flag_badge() -> dict:
    """The menu badge, counted only when a page asks for it."""
    return {"open_flag_count": lambda: open_flag_count(g.get("user"))}


@bp.get("/flags")
def flags():
    """Units flagged for removal, with the failed inspections behind each flag."""
    rows = open_flags(g.user)
    fails = {}
    if rows:
        q = sa.select(Inspection).where(Inspection.unit_id.in_({f.unit_id for f in rows}),
                                        Inspection.conclusion == "fail").order_by(Inspection.started_at)
        for insp in db.session.scalars(q):
            fails.setdefault((insp.unit_id, insp.year), []).append(insp)
    return render_template("admin/flags.html", rows=rows, fails=fails, FLAG_KINDS=FLAG_KINDS)


@bp.post("/flags/<int:flag_id>/resolve")
def flag_resolve(flag_id: int):
    """Mark a flag as dealt with (the unit removed, or kept after review)."""
    flag = resolve_flag(g.user, flag_id)
    flash(f"已将“{flag.unit.name}”的移出建议标记为已处理", "ok")
    return redirect(url_for("admin.flags"), 303)
