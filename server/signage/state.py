"""What a scanned sign means today: valid, revoked, replaced, expired — for the public page."""
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401

from server.core.clock import today
from server.extensions import db
from server.qrsign import payload
from server.signage.models import Sign
from server.unit.models import ENDING_STATUSES, Unit

STATES = {
    "valid": "有效",
    "revoked": "已撤销",
    "replaced": "已更换",
    "expired": "已过期",
    "not_found": "未查到该标识",
}


# The sign with its unit in one query (sign_state needs both); built once, bound per call.
_BY_TOKEN = sa.select(Sign).options(sa.orm.joinedload(Sign.unit)).where(Sign.token == sa.bindparam("token"))


def find_by_token(token: str) -> Sign | None:
    """The sign a QR code points at; None for anything else (no hint how close a guess was)."""
    if not payload.is_token(token):
        return None
    return db.session.scalar(_BY_TOKEN, {"token": token})


def sign_state(sign: Sign | None, on: date | None = None) -> str:
    """One of STATES for a Sign (its unit loaded or loadable); see state_of, the rule itself."""
    if sign is None:
        return "not_found"
    return state_of(sign.status, sign.unit.business_status, sign.valid_until, on)


def state_of(status: str, business_status: str, valid_until: date, on: date | None = None) -> str:
    """One of STATES but not_found, decided from the sign and its unit alone (never from targets or other
    years): revoked or replaced as recorded; revoked too if its unit's business has ended (a closure revokes
    its signs in the same transaction, so this only guards data that predates it); expired after its
    valid_until (China date, `on` or today); else valid. Takes the three columns it reads, so that the
    public page can decide from one row of a query (server.public.service) by the same rule."""
    if status in ("revoked", "replaced"):
        return status
    if business_status in ENDING_STATUSES:
        return "revoked"
    if (on or today()) > valid_until:
        return "expired"
    return "valid"


def printable(sign: Sign) -> bool:
    """Only a sign in force may be rendered or printed, from any page or command."""
    return sign.status == "issued" and sign.unit.business_status not in ENDING_STATUSES


def in_force_clause(on: date | None = None) -> sa.ColumnElement[bool]:
    """The SQL form of `sign_state(sign, on) == "valid"`, as a WHERE condition on Sign (correlated, so it can
    stand in an EXISTS over a unit's signs): the one rule for lists of signs in force, such as the public
    directory. Kept beside sign_state and tested against it sign by sign (tests/signage/test_in_force.py)."""
    ended = (sa.select(Unit.id).where(Unit.id == Sign.unit_id, Unit.business_status.in_(list(ENDING_STATUSES)))
             .correlate(Sign).exists())
    return sa.and_(Sign.status == "issued", Sign.valid_until >= (on or today()), ~ended)
