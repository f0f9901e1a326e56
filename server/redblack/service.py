"""红黑榜 (issue 19, item 2; work plan: 定期发布放心消费红黑榜): a county admin drafts a list for a period from the
criteria kept as data, edits it, approves it in the name of an office and publishes it; published lists stay
readable; a unit on a published black list is taken off only by a decision recorded with its reason.

Steps: draft → approved → published. Entries change only in a draft; approving needs at least one entry and
the approving office; a take-off is allowed only on a published list's black entry, once.
"""
from datetime import date

import sqlalchemy as sa

from server.core.clock import utcnow
from server.core.errors import Forbidden, Invalid, NotFound
from server.extensions import db
from schemas.bounds import FIRST_DAY, LAST_DAY
from server.redblack import proposals
from server.redblack.models import SIDES, RedBlackCriterion, RedBlackEntry, RedBlackList
from server.unit.models import Unit


NOTE_MAX = 300


def _county_admin(user) -> None:
    if user is None or user.role != "county_admin":
        raise Forbidden("只有县局管理员可以编制红黑榜")


def criteria(side: str | None = None) -> list[RedBlackCriterion]:
    """The active criteria, red then black, in their order."""
    q = sa.select(RedBlackCriterion).where(RedBlackCriterion.active.is_(True))
    if side:
        q = q.where(RedBlackCriterion.side == side)
    return db.session.scalars(q.order_by(RedBlackCriterion.side.desc(), RedBlackCriterion.position)).all()


def criterion_labels() -> dict[str, str]:
    """{code: label} of every criterion, inactive ones too (an old list still names its reasons)."""
    return dict(db.session.execute(sa.select(RedBlackCriterion.code, RedBlackCriterion.label)).all())


def get_list(user, list_id: int) -> RedBlackList:
    """A list of the county admin's county (NotFound otherwise)."""
    _county_admin(user)
    found = db.session.get(RedBlackList, list_id)
    if found is None or found.county_id != user.county_id:
        raise NotFound("找不到该红黑榜")
    return found


def staff_lists(user) -> list[RedBlackList]:
    """Every list of the county, newest period first."""
    _county_admin(user)
    return db.session.scalars(sa.select(RedBlackList).where(RedBlackList.county_id == user.county_id)
                              .order_by(RedBlackList.period_end.desc(), RedBlackList.id.desc())).all()


def draft_list(user, title: str, period_start: date, period_end: date) -> RedBlackList:
    """A new draft for a period (start not after end)."""
    _county_admin(user)
    for name, day in (("period_start", period_start), ("period_end", period_end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise Invalid("日期超出范围", fields={name: [f"日期应在{FIRST_DAY.year}年至{LAST_DAY.year}年之间"]})
    if period_start > period_end:
        raise Invalid("期间的开始日期不能晚于结束日期", fields={"period_end": ["不能早于开始日期"]})
    rb = RedBlackList(county_id=user.county_id, title=title, period_start=period_start, period_end=period_end,
                      created_by=user.id)
    db.session.add(rb)
    db.session.flush()
    return rb


def _draft(user, list_id: int) -> RedBlackList:
    rb = get_list(user, list_id)
    if rb.status != "draft":
        raise Invalid("该红黑榜已审批，不能再修改")
    return rb


def add_entry(user, list_id: int, unit_id: int, side: str, codes: list[str], note: str = "") -> RedBlackEntry:
    """Put a unit of the county on a draft, red or black, with at least one criterion of that side; each
    criterion with a rule must hold for the unit in the list's period, and a red entry needs a sign in force and
    no verified complaint (proposals.unmet). Invalid, per field, otherwise."""
    rb = _draft(user, list_id)
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.county_id != rb.county_id:
        raise Invalid("找不到该单位", fields={"unit": ["找不到该单位"]})
    if side not in SIDES:
        raise Invalid("请选择红榜或黑榜", fields={"side": ["请选择红榜或黑榜"]})
    allowed = {c.code for c in criteria(side)}
    if not codes or not set(codes) <= allowed:
        raise Invalid(f"请选择{SIDES[side]}的认定依据", fields={"criteria": [f"请选择{SIDES[side]}的认定依据"]})
    if any(e.unit_id == unit_id for e in rb.entries):
        raise Invalid("该单位已在本榜单中", fields={"unit": ["该单位已在本榜单中"]})
    if len(note) > NOTE_MAX:
        raise Invalid(f"说明不能超过{NOTE_MAX}字", fields={"note": [f"说明不能超过{NOTE_MAX}字"]})
    unmet = proposals.unmet(rb, unit_id, side, codes)
    if unmet:
        raise Invalid(unmet[0], fields={"criteria": unmet})
    entry = RedBlackEntry(list=rb, unit_id=unit_id, side=side, criteria=list(dict.fromkeys(codes)), note=note)
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_entry(user, list_id: int, entry_id: int) -> None:
    """Take an entry out of a draft."""
    rb = _draft(user, list_id)
    entry = next((e for e in rb.entries if e.id == entry_id), None)
    if entry is None:
        raise NotFound("找不到该条目")
    rb.entries.remove(entry)
    db.session.flush()


def approve(user, list_id: int, office: str) -> RedBlackList:
    """Approve a draft in the name of an office (e.g. 缙云县市场监督管理局); it can no longer change."""
    rb = _draft(user, list_id)
    if not rb.entries:
        raise Invalid("榜单中还没有单位，不能审批")
    if not office.strip():
        raise Invalid("请填写审批机关", fields={"approving_office": ["请填写审批机关"]})
    rb.status, rb.approving_office, rb.approved_by, rb.approved_at = "approved", office.strip(), user.id, utcnow()
    db.session.flush()
    return rb


def publish(user, list_id: int) -> RedBlackList:
    """Publish an approved list at /red-black."""
    rb = get_list(user, list_id)
    if rb.status != "approved":
        raise Invalid("只有已审批的红黑榜可以发布")
    rb.status, rb.published_at = "published", utcnow()
    db.session.flush()
    return rb


def take_off(user, list_id: int, entry_id: int, reason: str) -> RedBlackEntry:
    """Take a unit off a published black list by a decision with its reason (kept and shown)."""
    rb = get_list(user, list_id)
    entry = next((e for e in rb.entries if e.id == entry_id), None)
    if entry is None:
        raise NotFound("找不到该条目")
    if rb.status != "published" or entry.side != "black":
        raise Invalid("只有已发布黑榜中的单位可以移出")
    if entry.taken_off_at is not None:
        raise Invalid("该单位已移出黑榜")
    if not reason.strip():
        raise Invalid("请填写移出黑榜的理由", fields={"reason": ["请填写移出黑榜的理由"]})
    entry.taken_off_at, entry.taken_off_reason, entry.taken_off_by = utcnow(), reason.strip(), user.id
    db.session.flush()
    return entry


def published(county_id: int | None = None) -> list[RedBlackList]:
    """Published lists, newest period first (the public index; earlier lists stay readable)."""
    q = sa.select(RedBlackList).where(RedBlackList.status == "published")
    if county_id is not None:
        q = q.where(RedBlackList.county_id == county_id)
    return db.session.scalars(q.order_by(RedBlackList.period_end.desc(), RedBlackList.id.desc())).all()


def published_list(list_id: int) -> RedBlackList | None:
    """One published list, or None (drafts and approved lists are not public)."""
    rb = db.session.get(RedBlackList, list_id)
    return rb if rb is not None and rb.status == "published" else None
