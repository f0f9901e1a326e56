"""红黑榜 for county admins: draft a list for a period, add units with their criteria, approve, publish,
and take a unit off a published black list with a reason."""
from datetime import date

from flask import flash, g, redirect, render_template, request, url_for

from schemas.bounds import INT_MAX
from server.admin.bp import bp
from server.admin.helpers import require_county
from server.complaint.service import find_unit
from server.core.errors import DomainError, Invalid
from server.redblack import proposals, service
from server.redblack.models import LIST_STATUSES, SIDES


def _date(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise Invalid("日期格式不正确", fields={name: ["请填写日期（年-月-日）"]}) from None


PROPOSALS_SHOWN = 30  # per side: the strongest candidates; the rest are counted


def _unit_id() -> int | None:
    """A proposal's unit (its 加入 button sends the id); None when a person typed the unit."""
    raw = request.form.get("unit_id", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > INT_MAX:
        raise Invalid("单位编号不正确", fields={"unit": ["单位编号不正确"]})
    return int(raw)


def _manage(errors=None, form=None, status=200):
    return render_template("admin/red_black_lists.html", lists=service.staff_lists(g.user), errors=errors or {},
                           form=form or {}, statuses=LIST_STATUSES), status


@bp.get("/red-black/manage")
def red_black_lists():
    """Every list of the county and the form for a new draft."""
    require_county()
    return _manage()


@bp.post("/red-black/manage")
def red_black_create():
    """A new draft for a period."""
    require_county()
    title = request.form.get("title", "").strip()
    try:
        if not title or len(title) > 100:
            raise Invalid("请填写标题（100字以内）", fields={"title": ["请填写标题（100字以内）"]})
        rb = service.draft_list(g.user, title, _date("period_start"), _date("period_end"))
    except DomainError as err:
        return _manage(err.fields or {"_": [err.message]}, request.form, err.status)
    return redirect(url_for("admin.red_black_detail", list_id=rb.id), 303)


def _detail(list_id, errors=None, form=None, status=200):
    rb = service.get_list(g.user, list_id)
    return render_template("admin/red_black_detail.html", rb=rb, errors=errors or {}, form=form or {},
                           sides=SIDES, statuses=LIST_STATUSES, criteria=service.criteria(),
                           labels=service.criterion_labels(),
                           proposals=proposals.propose(rb) if rb.status == "draft" else [],
                           shown=PROPOSALS_SHOWN), status


@bp.get("/red-black/manage/<int:list_id>")
def red_black_detail(list_id: int):
    """A list: its entries and the step it may take next."""
    require_county()
    return _detail(list_id)


def _step(list_id: int, do, done: str):
    require_county()
    try:
        do()
    except DomainError as err:
        return _detail(list_id, {"_": [err.message], **(err.fields or {})}, request.form, err.status)
    flash(done, "ok")
    return redirect(url_for("admin.red_black_detail", list_id=list_id), 303)


@bp.post("/red-black/manage/<int:list_id>/entries")
def red_black_add(list_id: int):
    """Add a unit (by full name or credit code) with its side and criteria."""
    def do():
        unit = find_unit(g.user, request.form.get("unit", ""), unit_id=_unit_id())
        if unit is None:
            raise Invalid("请填写单位", fields={"unit": ["请填写单位全称或统一社会信用代码"]})
        side = request.form.get("side", "")
        service.add_entry(g.user, list_id, unit.id, side, request.form.getlist(f"criteria_{side}"),
                          request.form.get("note", "").strip())
    return _step(list_id, do, "已加入榜单")


@bp.post("/red-black/manage/<int:list_id>/entries/<int:entry_id>/remove")
def red_black_remove(list_id: int, entry_id: int):
    """Take an entry out of a draft."""
    return _step(list_id, lambda: service.remove_entry(g.user, list_id, entry_id), "已从榜单中删除")


@bp.post("/red-black/manage/<int:list_id>/approve")
def red_black_approve(list_id: int):
    """Approve the draft in the name of an office."""
    return _step(list_id, lambda: service.approve(g.user, list_id, request.form.get("approving_office", "")[:100]),
                 "已审批")


@bp.post("/red-black/manage/<int:list_id>/publish")
def red_black_publish(list_id: int):
    """Publish the approved list."""
    return _step(list_id, lambda: service.publish(g.user, list_id), "已发布，消费者可在红黑榜页面查看")


@bp.post("/red-black/manage/<int:list_id>/entries/<int:entry_id>/take-off")
def red_black_take_off(list_id: int, entry_id: int):
    """Take a unit off the published black list, with the decision's reason."""
    return _step(list_id, lambda: service.take_off(g.user, list_id, entry_id,
                                                   request.form.get("reason", "")[:300]), "已移出黑榜")
