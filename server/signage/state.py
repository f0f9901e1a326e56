"""What a scanned sign means today: valid, revoked, replaced, expired — for the public page."""
import sqlalchemy as sa

from server.extensions import db
from server.qrsign import payload
from server.signage.models import Sign
from server.station.models import Target
from server.unit.models import UnitYear

STANDING = ("evaluated", "sign_issued", "sign_posted")
STATES = {
    "valid": "有效",
    "revoked": "已撤销",
    "replaced": "已更换",
    "expired": "已过期",
    "not_found": "未查到该标识",
}


def find_by_token(token: str) -> Sign | None:
    """The sign a QR code points at; None for anything else (no hint how close a guess was)."""
    if not payload.is_token(token):
        return None
    return db.session.scalar(sa.select(Sign).where(Sign.token == token))


def latest_year(county_id: int) -> int | None:
    """The latest programme year: the newest year with targets in the county."""
    return db.session.scalar(sa.select(sa.func.max(Target.year)).where(Target.county_id == county_id))


def _stage(unit_id: int, year: int) -> str | None:
    return db.session.scalar(sa.select(UnitYear.stage).where(UnitYear.unit_id == unit_id, UnitYear.year == year))


def sign_state(sign: Sign | None) -> str:
    """One of STATES.

    valid: issued, not replaced or revoked, the unit not removed in the sign's year, and either the
    sign is of the latest programme year (or later) or the unit still stands (evaluated, sign issued
    or posted) in the latest year. expired: an older year's sign of a unit not renewed this year.
    A removed unit whose sign was somehow left issued counts as revoked.
    """
    if sign is None:
        return "not_found"
    if sign.status in ("revoked", "replaced"):
        return sign.status
    if _stage(sign.unit_id, sign.year) == "removed":
        return "revoked"
    latest = latest_year(sign.county_id)
    if latest is not None and sign.year < latest:
        now = _stage(sign.unit_id, latest)
        if now == "removed":
            return "revoked"
        if now not in STANDING:
            return "expired"
    return "valid"


def in_force_clause() -> sa.ColumnElement[bool]:
    """The SQL form of `sign_state(sign) == "valid"`, as a WHERE condition on Sign (correlated, so it can
    stand in an EXISTS over a unit's signs): the one rule for lists of signs in force, such as the public
    directory. Kept beside sign_state and tested against it sign by sign (tests/signage/test_in_force.py)."""
    latest = (sa.select(sa.func.max(Target.year)).where(Target.county_id == Sign.county_id)
              .correlate(Sign).scalar_subquery())
    removed_then = sa.select(UnitYear.id).where(UnitYear.unit_id == Sign.unit_id, UnitYear.year == Sign.year,
                                                UnitYear.stage == "removed").correlate(Sign).exists()
    standing_now = sa.select(UnitYear.id).where(UnitYear.unit_id == Sign.unit_id, UnitYear.year == latest,
                                                UnitYear.stage.in_(STANDING)).correlate(Sign).exists()
    return sa.and_(Sign.status == "issued", ~removed_then,
                   sa.or_(latest.is_(None), Sign.year >= latest, standing_now))
