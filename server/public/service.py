"""The public facts behind a scanned sign: its state and what the unit stands for — nothing private."""
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401

from server.extensions import db
from server.feedback.service import rating_clause, rating_of
from server.inspection.models import CONCLUSIONS, Inspection
from server.photo.service import original_key, thumbnail_of
from server.photo.storage import current_storage
from server.qrsign import payload
from server.signage.models import REVOKE_REASONS, SIGN_TITLES, Sign
from server.signage.service import get_by_serial
from server.signage.state import STATES, find_by_token, sign_state

SHOWS_FACTS = ("valid", "expired")
_LATER = sa.orm.aliased(Inspection)  # made once: a new alias per call defeats SQLAlchemy's statement cache


@dataclass
class SignPage:
    """What the page shows. Only public facts: no consumer's or contact person's name or phone."""

    state: str
    label: str
    sign: Sign | None = None
    title: str = ""
    unit: dict = field(default_factory=dict)
    reason: str = ""
    evaluation: dict | None = None
    stars: float | None = None
    reviews: int = 0
    has_photo: bool = False

    @property
    def found(self) -> bool:
        return self.sign is not None


def _record_statement():
    """One round trip for what the page shows of a unit's record: its latest post-evaluation that no
    later record superseded (ended_at, conclusion), and its consumers' stars (average, count)."""
    superseded = sa.select(_LATER.id).where(_LATER.supersedes_id == Inspection.id).exists()
    unit = sa.bindparam("unit_id")
    latest = (sa.select(Inspection.ended_at, Inspection.conclusion)
              .where(Inspection.unit_id == unit, Inspection.kind == "post_evaluation", ~superseded)
              .order_by(Inspection.ended_at.desc(), Inspection.id.desc()).limit(1).subquery())
    stars = rating_clause(unit).subquery()
    return sa.select(latest.c.ended_at, latest.c.conclusion, stars.c.avg, stars.c.n).select_from(
        stars.outerjoin(latest, sa.true()))


_RECORD = _record_statement()


def _unit_facts(sign: Sign) -> dict:
    u = sign.unit
    facts = {"name": u.name, "uscc": u.uscc, "address": u.address}
    if u.type == "no_reason_return":
        facts["return_days"] = u.return_days
        facts["return_exclusions"] = u.return_exclusions
    return facts


def lookup(raw: str, base_url: str | None = None) -> str | None:
    """The token whose page answers what a person scanned, pasted or typed; None when nothing fits.

    `raw` is what followed "/s/" in an address, or what was typed in the lookup box: a token (tidied by
    payload.find_token: trailing slash, spaces, full-width characters, glued punctuation), a whole sign
    address on `base_url`'s host, or the serial printed on the sign in any case, with or without dashes (canonical_serial).
    An existing sign's token wins over a serial of the same letters; a well-shaped token that is no
    sign of ours is returned all the same, so that its page says it was not found (the same answer as
    the scan). A serial gives its sign's token, whatever the sign's state.
    """
    token = payload.find_token(raw, base_url)
    if token is not None and find_by_token(token) is not None:
        return token
    sign = get_by_serial(raw)
    if sign is not None:
        return sign.token
    return token


def sign_head(token: str) -> SignPage:
    """The sign's state, title and unit name — what the forms show; state not_found for unknown or
    malformed tokens alike."""
    sign = find_by_token(token)
    state = sign_state(sign)
    page = SignPage(state=state, label=STATES[state], sign=sign)
    if sign is None:
        return page
    page.title = SIGN_TITLES[sign.type]
    page.unit = {"name": sign.unit.name}
    if state == "revoked":
        page.reason = REVOKE_REASONS.get(sign.revoke_reason or "unit_removed", "")
    return page


def sign_page(token: str) -> SignPage:
    """The whole page for a token: its head, and the unit's public facts while the sign shows them."""
    page = sign_head(token)
    if page.state not in SHOWS_FACTS:
        return page
    sign = page.sign
    page.unit = _unit_facts(sign)
    ended_at, conclusion, avg, n = db.session.execute(_RECORD, {"unit_id": sign.unit_id}).one()
    if ended_at is not None:
        page.evaluation = {"date": ended_at, "result": CONCLUSIONS.get(conclusion, "其他")}
    page.stars, page.reviews = rating_of(avg, n)
    page.has_photo = bool(sign.posted_photo_sha256)
    return page


def storefront_thumb(token: str) -> tuple[str, bytes] | None:
    """(sha, JPEG) of the wall photo taken when this sign was confirmed posted; None if none or not public."""
    sign = find_by_token(token)
    if sign is None or not sign.posted_photo_sha256 or sign_state(sign) not in SHOWS_FACTS:
        return None
    sha = sign.posted_photo_sha256
    if not current_storage().exists(original_key(sha)):
        return None  # the sign-posted record arrived before its photo
    return sha, thumbnail_of(sha)
