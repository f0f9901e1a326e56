"""The audit log: every insert, update and delete, with who, when and from which device.

Written by a session listener, so no write can forget it. Rows go in with a Core insert
in after_flush, when new rows have their ids and the attribute history is still there. Records
written with a Core INSERT instead are logged through log_inserted (see server.core.immutable).
"""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from server.core.clock import utcnow
from server.core.context import current_actor
from server.extensions import db

# Never copied into the log: secrets and their hashes.
SECRET_FIELDS = {"password_hash", "token_hash"}


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_id = db.Column(db.Integer, nullable=True, index=True)
    device = db.Column(db.String(200), nullable=False, default="")
    action = db.Column(db.String(10), nullable=False)
    entity = db.Column(db.String(60), nullable=False)
    entity_id = db.Column(db.String(80), nullable=True)
    changes = db.Column(db.JSON, nullable=False, default=dict)

    __table_args__ = (db.Index("ix_audit_log_entity", "entity", "entity_id"),)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SECRET_FIELDS:
            continue
        if action == "insert":
            out[key] = _plain(getattr(obj, key))
            continue
        hist = state.attrs[key].history
        if action == "update" and hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            out[key] = [_plain(old), _plain(new)]
    return out


def _entity_id(obj) -> str | None:
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(i) for i in ident) if any(i is not None for i in ident) else None


def _rows(session: Session) -> list[dict]:
    actor = current_actor()
    now = utcnow()
    rows = []
    groups = (("insert", session.new), ("update", session.dirty), ("delete", session.deleted))
    for action, objs in groups:
        for obj in objs:
            if getattr(obj, "__audit__", True) is False:
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append({
                "at": now, "user_id": actor.user_id, "device": actor.device[:200],
                "action": action, "entity": obj.__tablename__,
                "entity_id": _entity_id(obj), "changes": changes,
            })
    return rows


_INSERT = sa.insert(AuditLog.__table__)


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, flush_context) -> None:
    rows = _rows(session)
    if rows:
        session.connection().execute(_INSERT, rows)


def log_inserted(session: Session, obj) -> None:
    """The audit entry of a record inserted with Core (no flush saw it), from its loaded attributes."""
    actor = current_actor()
    session.connection().execute(_INSERT, [{
        "at": utcnow(), "user_id": actor.user_id, "device": actor.device[:200], "action": "insert",
        "entity": obj.__tablename__, "entity_id": _entity_id(obj), "changes": _changes(obj, "insert")}])


AuditLog.__audit__ = False
