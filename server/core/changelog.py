"""The change log behind incremental sync: which record changed, in whose scope, in commit order.

A model joins by defining `__sync__ = "<entity>"` and `sync_scope(self, old=False)`, which returns
(county_id, station_id or None, user_id or None) — the devices that must hear of it (`old=True`:
where it was before this flush, for records that move). after_flush keeps a row per change in
the session (log_inserted, for a record written with Core: server.core.immutable); before_commit
moves one counter row on by their number and inserts them numbered below its new value. The
counter's row lock is held until commit, so sequence order is commit order: a device's cursor can
never pass a change that commits later with a smaller number, even when transactions commit out of
order on PostgreSQL (see tests/sync/test_pull.py).
"""
import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, scoped_session

from server.core.clock import utcnow
from server.extensions import db


class SyncCounter(db.Model):
    __tablename__ = "sync_counter"
    __audit__ = False

    id = db.Column(db.Integer, primary_key=True)
    value = db.Column(db.BigInteger, nullable=False, default=0)


event.listen(SyncCounter.__table__, "after_create",
             sa.DDL("INSERT INTO sync_counter (id, value) VALUES (1, 0)"))


class ChangeLog(db.Model):
    __tablename__ = "change_log"
    __audit__ = False

    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    seq = db.Column(db.BigInteger, nullable=True, unique=True)
    entity = db.Column(db.String(30), nullable=False)
    entity_id = db.Column(db.String(40), nullable=False)
    op = db.Column(db.String(10), nullable=False)  # upsert | delete
    county_id = db.Column(db.Integer, nullable=False)
    station_id = db.Column(db.Integer, nullable=True)
    user_id = db.Column(db.Integer, nullable=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.Index("ix_change_log_county_seq", "county_id", "seq"),
                      db.Index("ix_change_log_station_seq", "station_id", "seq"))


def _entries(obj, action: str) -> list[dict]:
    entity, key = obj.sync_key() if hasattr(obj, "sync_key") else (obj.__sync__, obj.id)
    now = obj.sync_scope()
    rows = []
    if action != "delete":
        # The tombstone for the old scope first: a device that sees both must end with the record.
        was = obj.sync_scope(old=True)
        if was != now:
            rows.append(("delete", was))
        rows.append(("upsert", now))
    else:
        rows.append(("delete", now))
    return [{"entity": entity, "entity_id": str(key), "op": op, "county_id": scope[0],
             "station_id": scope[1], "user_id": scope[2], "at": utcnow()} for op, scope in rows]


# The transaction's change-log rows wait in the session until commit, each with the transaction
# (or savepoint) it was made in, so that a savepoint rolled back takes its rows with it.
PENDING = "changelog_rows"


def _keep(session: Session, rows: list[dict]) -> None:
    made_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING, []).extend((made_in, row) for row in rows)


@event.listens_for(Session, "after_flush")
def _log_changes(session: Session, flush_context) -> None:
    rows = []
    for action, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not hasattr(obj, "sync_scope"):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            rows += _entries(obj, action)
    if rows:
        _keep(session, rows)


_COUNTER = SyncCounter.__table__
# Move the counter on by the transaction's number of rows; its row lock is held until commit.
_BUMP = (sa.update(_COUNTER).where(_COUNTER.c.id == 1).values(value=_COUNTER.c.value + sa.bindparam("n"))
         .returning(_COUNTER.c.value))
_INSERT = sa.insert(ChangeLog.__table__)


@event.listens_for(Session, "before_commit")
def _number_changes(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: number at the real commit, so the counter is locked only then
    session.flush()  # commit flushes after this event; the last changes must be logged first
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    conn = session.connection()
    top = conn.execute(_BUMP, {"n": len(pending)}).scalar()
    if top is None:  # a database made without the migration's first row
        t = ChangeLog.__table__
        conn.execute(sa.insert(_COUNTER).values(id=1, value=sa.select(sa.func.coalesce(sa.func.max(t.c.seq), 0))
                                                 .scalar_subquery()))
        top = conn.execute(_BUMP, {"n": len(pending)}).scalar()
    first = top - len(pending) + 1
    conn.execute(_INSERT, [{**row, "seq": first + n} for n, (_, row) in enumerate(pending)])


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    """A rollback takes the rows made in the transaction or savepoint it ends (and in those within)."""
    pending = session.info.get(PENDING)
    if not pending:
        return
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
    else:
        session.info[PENDING] = [(made_in, row) for made_in, row in pending
                                 if not _within(made_in, previous_transaction)]


def scope_from(obj, old: bool, *attrs: str) -> tuple:
    """The values of attrs now, or before this flush's changes when old=True."""
    state = inspect(obj)
    out = []
    for a in attrs:
        value = getattr(obj, a)
        if old:
            hist = state.attrs[a].history
            if hist.deleted:
                value = hist.deleted[0]
        out.append(value)
    return tuple(out)


def log_inserted(session: Session, obj) -> None:
    """Log a record inserted with Core (no flush saw it), as after_flush would have."""
    _keep(session, _entries(obj, "insert"))


def log_many(session: Session, entity: str, rows) -> None:
    """Log an upsert for many records at once, from (id, county_id, station_id) rows — for changes that
    reach records without touching them (a new checklist template changes which one a unit uses)."""
    now = utcnow()
    values = [{"entity": entity, "entity_id": str(i), "op": "upsert", "county_id": c, "station_id": s,
               "user_id": None, "at": now} for i, c, s in rows]
    _keep(session() if isinstance(session, scoped_session) else session, values)
