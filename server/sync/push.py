"""Push: apply a batch of device-made changes, each once, each in its own savepoint.

A change is identified by the id the device gave it. Its receipt (id, content hash, result) is
stored with it in the same savepoint, so a replay finds the receipt and gets the same result
back as `duplicate`, and the same id with other content is a `conflict`. One bad change is a
per-change result; the rest of the batch still applies. Nothing is acknowledged before the
request commits (the view commits before it makes the response).
"""
import hashlib
import json
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from schemas.sync import PROTOCOL
from server.core.clock import utcnow
from server.core.context import reset_device_time, set_device_time
from server.account.service import rescue_author
from server.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from server.extensions import db
from server.sync.handlers import HANDLERS
from server.sync.models import SyncReceipt


def content_hash(change: dict) -> str:
    """SHA-256 of the change's type and data in canonical JSON."""
    body = json.dumps({"type": change["type"], "data": change["data"]}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


_RECEIPTS = SyncReceipt.__table__
# Built once and run on the session's connection: every change asks, most of them once.
_FIND_RECEIPT = (sa.select(_RECEIPTS.c.content_hash, _RECEIPTS.c.result)
                 .where(_RECEIPTS.c.change_id == sa.bindparam("change_id")))
_STORE_RECEIPT = sa.insert(_RECEIPTS)


def _receipt(change_id: str):
    """(content_hash, result) of a change stored before, or None."""
    return db.session.connection().execute(_FIND_RECEIPT, {"change_id": change_id}).first()


def _replay(receipt, change_id: str, digest: str) -> dict:
    if receipt.content_hash == digest:
        return {**receipt.result, "id": change_id, "status": "duplicate"}
    return {"id": change_id, "status": "conflict", "message": "同一编号的记录已以不同内容提交过，请联系管理员核对",
            "record": receipt.result.get("record", {})}


@contextmanager
def _all_or_nothing():
    """The request's whole transaction as the unit to undo: for a batch of one change, where a savepoint
    would only add two round trips. On failure everything the change did is rolled back."""
    try:
        yield
    except Exception:
        db.session.rollback()
        raise


def apply_change(user, change: dict, alone: bool = False) -> dict:
    """Apply one change and return its result; the session is clean afterwards either way.

    Each change runs in a savepoint so a bad one leaves the rest of its batch alone; a change that is
    `alone` in its request uses the request's transaction instead.
    """
    change_id, digest = change["id"].lower(), content_hash(change)
    receipt = _receipt(change_id)
    if receipt is not None:
        return _replay(receipt, change_id, digest)
    if change["type"] not in HANDLERS:
        return {"id": change_id, "status": "invalid", "message": "变更类型不正确", "fields": {"type": ["变更类型不正确"]}}
    try:
        author = _author(user, change.get("on_behalf_of"))
    except DomainError as err:
        return {"id": change_id, "status": "invalid", "message": err.message, "fields": {"on_behalf_of": [err.message]}}
    happened = _device_time(change.get("happened_at"))
    token = set_device_time(happened)
    try:
        with _all_or_nothing() if alone else db.session.begin_nested():
            result = HANDLERS[change["type"]](author, change["data"], change_id)
            if author is not user:  # a rescue file imported by the station: the importer is kept beside
                result = {**result, "imported_by": {"id": user.id, "name": user.name}}
            # The receipt goes in with a plain INSERT: a unique key clash is the concurrent-twin case below.
            db.session.connection().execute(_STORE_RECEIPT, {
                "change_id": change_id, "user_id": author.id, "type": change["type"], "content_hash": digest,
                "result": result, "created_at": utcnow(), "happened_at": happened})
    except ValidationError as err:
        return {"id": change_id, "status": "invalid", "message": "内容有误", "fields": err.messages}
    except Conflict as err:
        return {"id": change_id, "status": "conflict", "message": err.message, "record": err.current or {}}
    except (NotFound, Forbidden) as err:
        return {"id": change_id, "status": "gone", "message": err.message}
    except Invalid as err:
        return {"id": change_id, "status": "invalid", "message": err.message, "fields": err.fields}
    except DomainError as err:
        return {"id": change_id, "status": "invalid", "message": err.message}
    except IntegrityError:
        # Another request stored the same change a moment ago (two devices, one record).
        receipt = _receipt(change_id)
        if receipt is None:
            raise
        return _replay(receipt, change_id, digest)
    finally:
        reset_device_time(token)
    return {**result, "id": change_id, "status": "applied"}


def _author(user, author_id):
    """Whose record a change is: the pushing user's, or — for a rescue file exported on an inspector's phone
    and imported by an admin over that inspector (issue 18, item 5) — that inspector's."""
    if author_id is None or author_id == user.id:
        return user
    return rescue_author(user, author_id)


# A phone's clock may run a little fast; a time further ahead is not believed.
_SKEW = timedelta(minutes=5)


def _device_time(moment):
    """The device time of a change, or None when absent or in the future (a wrong clock)."""
    if moment is None or moment > utcnow() + _SKEW:
        return None
    return moment


def push(user, changes: list[dict]) -> dict:
    """Apply every change of a batch in order."""
    alone = len(changes) == 1
    return {"protocol": PROTOCOL, "results": [apply_change(user, c, alone) for c in changes]}
