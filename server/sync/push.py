"""Push: apply a batch of device-made changes, each once, each in its own savepoint.

A change is identified by the id the device gave it. Its receipt (user, id, content hash, result)
is stored with it in the same savepoint, so a replay by the same user finds the receipt and gets
the same result back as `duplicate`, and the same id with other content is a `conflict`. Receipts
are the user's own: another account's use of an id is a `conflict` that names no record of theirs.
POST /api/v1/inspections is a push of one change (server.inspection.api): the same rule, the same
receipts, either way round.

One change is never the batch's undoing: a refusal is its `invalid`/`conflict`/`gone`, and any
unexpected failure (a bug, a value the database refuses) is its `error`, rolled back alone and
logged, while the others apply; only a database that went away fails the whole request (503, try
again, nothing stored). Nothing is acknowledged before the request commits (the view commits
before it makes the response).
"""
import hashlib
import json
import logging
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError

from schemas.sync import PROTOCOL
from server.core.clock import utcnow
from server.core.context import reset_device_time, reset_importer, set_device_time, set_importer
from server.account.service import rescue_author
from server.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from server.core.pool import is_retryable
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
                 .where(_RECEIPTS.c.user_id == sa.bindparam("user_id"),
                        _RECEIPTS.c.change_id == sa.bindparam("change_id")))
_STORE_RECEIPT = sa.insert(_RECEIPTS)
log = logging.getLogger(__name__)
TAKEN = "该编号已被其他账号的记录使用，本条未保存，请联系管理员核对"
FAILED = "服务器处理这一条时出错（已记录），本条未保存，其余不受影响；请联系管理员"


def _receipt(user_id: int, change_id: str):
    """(content_hash, result) of a change this user stored before, or None."""
    return db.session.connection().execute(_FIND_RECEIPT, {"user_id": user_id, "change_id": change_id}).first()


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
    try:
        author = _author(user, change.get("on_behalf_of"))
    except DomainError as err:
        return {"id": change_id, "status": "invalid", "message": err.message, "fields": {"on_behalf_of": [err.message]}}
    receipt = _receipt(author.id, change_id)  # receipts are the author's: a rescue import finds the phone's
    if receipt is not None:
        return _replay(receipt, change_id, digest)
    if change["type"] not in HANDLERS:
        return {"id": change_id, "status": "invalid", "message": "变更类型不正确", "fields": {"type": ["变更类型不正确"]}}
    happened = _device_time(change.get("happened_at"))
    token = set_device_time(happened)
    imported = set_importer(user.id if author is not user else None)
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
        # Another request stored the same change a moment ago (two devices, one record), or another
        # account's record holds the id.
        receipt = _receipt(author.id, change_id)
        if receipt is None:
            return {"id": change_id, "status": "conflict", "message": TAKEN, "record": {}}
        return _replay(receipt, change_id, digest)
    except DBAPIError as err:
        if is_retryable(err):
            raise  # the database, not the change: 503 and the device tries the batch again
        return _failed(change_id)
    except Exception:  # noqa: BLE001 — whatever it is, it is this change's result, not the batch's
        return _failed(change_id)
    finally:
        reset_device_time(token)
        reset_importer(imported)
    return {**result, "id": change_id, "status": "applied"}


def _failed(change_id: str) -> dict:
    log.exception("push: change %s failed", change_id)
    return {"id": change_id, "status": "error", "message": FAILED}


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
