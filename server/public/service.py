"""The public facts behind a scanned sign: its state and what the unit stands for — nothing private."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401

from server.core.clock import china_date
from server.core.pool import hand_run_one
from server.extensions import db
from server.feedback.service import rating_clause, rating_of
from server.inspection.models import CONCLUSIONS, Inspection
from server.photo.service import original_key, thumbnail_of
from server.photo.storage import current_storage
from server.qrsign import payload
from server.signage.models import REVOKE_REASONS, SIGN_TITLES, Sign
from server.signage.service import get_by_serial
from server.signage.state import STATES, find_by_token, sign_state, state_of
from server.unit.models import EvaluationResult, Unit

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


def _facts_statement() -> sa.Select:
    """One round trip for everything a scan shows, by the bind parameter `token`: the sign's public
    columns and its state's inputs, its unit's public facts, the unit's latest post-evaluation in the app
    that no later record superseded (ended_at, conclusion), the latest result staff recorded of one done
    outside it (result_on, result_passed), and its consumers' stars (avg, n). No ORM objects are
    built: a scan of a sign not kept rendered (most scans, server.public.cache) costs this statement and a
    render. Made once (a module constant): server.core.pool.hand_run_one compiles it once per dialect."""
    superseded = sa.select(_LATER.id).where(_LATER.supersedes_id == Inspection.id).exists()
    latest_id = (sa.select(Inspection.id)
                 .where(Inspection.unit_id == Sign.unit_id, Inspection.kind == "post_evaluation", ~superseded)
                 .order_by(Inspection.ended_at.desc(), Inspection.id.desc()).limit(1)
                 .correlate(Sign).scalar_subquery())
    latest = sa.orm.aliased(Inspection, name="latest")
    result_id = (sa.select(EvaluationResult.id).where(EvaluationResult.unit_id == Sign.unit_id)
                 .order_by(EvaluationResult.evaluated_on.desc(), EvaluationResult.id.desc()).limit(1)
                 .correlate(Sign).scalar_subquery())
    result = sa.orm.aliased(EvaluationResult, name="result")
    stars = rating_clause(Sign.unit_id).correlate(Sign)
    return (sa.select(Sign.year, Sign.type, Sign.serial, Sign.status, Sign.revoke_reason, Sign.valid_until,
                      Sign.unit_id, Sign.posted_photo_sha256, Unit.name, Unit.uscc, Unit.address,
                      Unit.type.label("unit_type"), Unit.return_days, Unit.return_exclusions, Unit.business_status,
                      latest.ended_at, latest.conclusion,
                      result.evaluated_on.label("result_on"), result.passed.label("result_passed"),
                      stars.with_only_columns(stars.selected_columns.avg).scalar_subquery().label("avg"),
                      stars.with_only_columns(stars.selected_columns.n).scalar_subquery().label("n"))
            .join(Unit, Unit.id == Sign.unit_id)
            .outerjoin(latest, latest.id == latest_id)
            .outerjoin(result, result.id == result_id)
            .where(Sign.token == sa.bindparam("token")))


_FACTS = _facts_statement()


def _unit_facts(row) -> dict:
    """The unit's public facts from a row of _FACTS: name, uscc, address, and a 无理由退货 unit's promise."""
    facts = {"name": row.name, "uscc": row.uscc, "address": row.address}
    if row.unit_type == "no_reason_return":
        facts["return_days"] = row.return_days
        facts["return_exclusions"] = row.return_exclusions
    return facts


def latest_post_evaluation(row) -> dict | None:
    """The unit's latest post-evaluation from a row of _FACTS, as the page shows it ({"date": China date,
    "result": 合格/不合格/…}); None when it has none. Either one done in the app (its inspection's China
    date and conclusion) or a result staff recorded of one done outside it (its date; passed or not:
    server.unit.lifecycle.record_evaluation) — the later; on the same day the inspection, which holds the
    detail."""
    found = []
    if row.ended_at is not None:
        found.append((china_date(row.ended_at), 1, CONCLUSIONS.get(row.conclusion, "其他")))
    if row.result_on is not None:
        found.append((row.result_on, 0, "合格" if row.result_passed else "不合格"))
    if not found:
        return None
    day, _, result = max(found)
    return {"date": day, "result": result}


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


def sign_page(token: str, on: date | None = None) -> SignPage:
    """The whole page for a token, from one query (_FACTS) run straight on a pooled DBAPI connection
    (server.core.pool.hand_run_one: no ORM session, no engine connection): the head as sign_head gives it,
    and the unit's public facts while the sign shows them. `page.sign` is the query's row (year, serial,
    valid_until… as on a Sign). `on`: the China date to judge it on (default today; a kept page passes the
    day it files the page under, read once). Raises sqlalchemy's DBAPIError when the database is unreachable
    (server.web answers 503)."""
    if not payload.is_token(token):
        return SignPage(state="not_found", label=STATES["not_found"])
    row = hand_run_one(db.engine, _FACTS, {"token": token})
    if row is None:
        return SignPage(state="not_found", label=STATES["not_found"])
    state = state_of(row.status, row.business_status, row.valid_until, on)
    page = SignPage(state=state, label=STATES[state], sign=row, title=SIGN_TITLES[row.type],
                    unit={"name": row.name})
    if state == "revoked":
        page.reason = REVOKE_REASONS.get(row.revoke_reason or "unit_removed", "")
    if state not in SHOWS_FACTS:
        return page
    page.unit = _unit_facts(row)
    page.evaluation = latest_post_evaluation(row)
    page.stars, page.reviews = rating_of(row.avg, row.n)
    page.has_photo = bool(row.posted_photo_sha256)
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
