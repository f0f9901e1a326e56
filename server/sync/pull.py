"""Pull: the records of a user's scope changed after a cursor, in commit order, with tombstones."""
import sqlalchemy as sa

from schemas.sync import PROTOCOL
from server.core.changelog import ChangeLog
from server.extensions import db
from server.sync import records


def _scope(user):
    q = ChangeLog.county_id == user.county_id
    if user.role != "county_admin":
        q = sa.and_(q, sa.or_(ChangeLog.station_id.is_(None), ChangeLog.station_id == user.station_id))
    if user.role == "inspector":
        q = sa.and_(q, sa.or_(ChangeLog.user_id.is_(None), ChangeLog.user_id == user.id))
    return q


def pull(user, cursor: int, limit: int = 2000) -> dict:
    """One page of changes after `cursor`; the returned cursor is the last change included."""
    rows = db.session.execute(sa.select(ChangeLog.seq, ChangeLog.entity, ChangeLog.entity_id, ChangeLog.op)
                              .where(ChangeLog.seq > cursor, _scope(user))
                              .order_by(ChangeLog.seq).limit(limit)).all()
    last = {}
    for seq, entity, entity_id, op in rows:
        last.pop((entity, entity_id), None)  # keep the order of each record's latest change
        last[(entity, entity_id)] = op
    wanted = {}
    for (entity, entity_id), op in last.items():
        if op == "upsert":
            wanted.setdefault(entity, []).append(entity_id)
    found = {entity: records.load(user, entity, ids) for entity, ids in wanted.items()}
    out, tombstones = {}, []
    for (entity, entity_id), op in last.items():
        record = found.get(entity, {}).get(entity_id) if op == "upsert" else None
        if record is None:
            tombstones.append({"entity": entity, "id": entity_id})
        else:
            out.setdefault(entity, []).append(record)
    return {"protocol": PROTOCOL, "cursor": rows[-1][0] if rows else cursor, "more": len(rows) == limit,
            "records": out, "tombstones": tombstones}
