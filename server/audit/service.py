"""Reading the audit log: who may see which entries, and the search of the audit trail page.

Scope (one rule, here): a county admin sees what the users of the county did; a station admin what
the users of the station did; inspectors see nothing (403). Entries written with no user (consumers'
forms, commands run on the server) belong to no county and are not shown here.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from server.core.clock import china_midnight, china_text
from server.account.models import DeviceToken, User
from server.audit import words
from server.core.audit import AuditLog
from server.core.errors import Forbidden, Invalid
from server.extensions import db
from server.station.models import County, Station
from server.unit.models import Unit

PER_PAGE = 50
EXPORT_MAX = 10000


@dataclass
class Entry:
    """One audit entry as shown: when (UTC), who, from which device, what, and the change in words."""

    id: int
    at: datetime
    person: str
    device: str
    action: str
    entity: str
    entity_id: str
    changes: list[tuple[str, str, str]]


def _actors(user):
    """The users whose actions `user` may read (a SELECT of ids); Forbidden for inspectors."""
    if user.role == "county_admin":
        return sa.select(User.id).where(User.county_id == user.county_id)
    if user.role == "station_admin":
        return sa.select(User.id).where(User.county_id == user.county_id, User.station_id == user.station_id)
    raise Forbidden("只有管理员可以查看操作记录")


def _query(user, filters: dict):
    q = sa.select(AuditLog).where(AuditLog.user_id.in_(_actors(user)))
    person = (filters.get("person") or "").strip()
    if person:
        like = "%" + person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        named = sa.or_(User.username.ilike(like, escape="\\"), User.name.ilike(like, escape="\\"))
        q = q.where(AuditLog.user_id.in_(_actors(user).where(named)))
    if filters.get("entity"):
        if filters["entity"] not in words.ENTITIES:
            raise Invalid("记录类型不正确", fields={"entity": ["记录类型不正确"]})
        q = q.where(AuditLog.entity == filters["entity"])
    if filters.get("entity_id"):
        q = q.where(AuditLog.entity_id == filters["entity_id"].strip())
    if filters.get("action"):
        q = q.where(AuditLog.action == filters["action"])
    if filters.get("since"):
        q = q.where(AuditLog.at >= china_midnight(filters["since"]))
    if filters.get("until"):
        q = q.where(AuditLog.at < china_midnight(filters["until"] + timedelta(days=1)))
    return q


def _names(rows) -> dict:
    wanted = words.ids_to_name(rows)
    out = {}
    for kind, model, label in (("user", User, User.name), ("station", Station, Station.name), ("unit", Unit, Unit.name),
                               ("county", County, County.name), ("token", DeviceToken, DeviceToken.name)):
        ids = [i for k, i in wanted if k == kind]
        if ids:
            out.update({(kind, i): n for i, n in db.session.execute(sa.select(model.id, label).where(model.id.in_(ids)))})
    return out


def _entries(rows) -> list[Entry]:
    names = _names(rows)
    return [Entry(id=r.id, at=r.at, person=names.get(("user", r.user_id), "（系统）"), device=words.device_label(r.device or "", names),
                  action=words.ACTIONS.get(r.action, "其他"), entity=words.entity_label(r.entity),
                  entity_id=r.entity_id or "", changes=words.describe(r, names)) for r in rows]


def search(user, filters: dict, page: int = 1) -> tuple[list[Entry], int]:
    """(entries of one page, newest first, total count) matching `filters` (AuditQuerySchema's keys)
    among what `user` may read. Forbidden for inspectors; Invalid for an unknown record type."""
    q = _query(user, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return _entries(rows), total


def export_rows(user, filters: dict) -> list[list[str]]:
    """Rows for the XLSX export of the search (at most EXPORT_MAX, newest first): time (China),
    person, device, action, record type, record number, the changes in words."""
    q = _query(user, filters).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(EXPORT_MAX)
    out = []
    for e in _entries(db.session.scalars(q).all()):
        change = "；".join(f"{f}：{o} → {n}" if o and n else f"{f}：{n or o}" for f, o, n in e.changes)
        out.append([china_text(e.at, "%Y-%m-%d %H:%M:%S"), e.person, e.device, e.action, e.entity,
                    e.entity_id, change])
    return out


def entity_choices() -> list[tuple[str, str]]:
    """(table, label) of every kind of record, for the filter."""
    return sorted(words.ENTITIES.items(), key=lambda kv: kv[1])

