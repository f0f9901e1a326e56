"""The lifecycle of a unit in a year: which steps are allowed, and the record of each step."""
import sqlalchemy as sa

from server.account.service import require_admin
from server.core.errors import Invalid, NotFound
from server.extensions import db
from server.unit.models import REMOVAL_REASONS, STAGE_ORDER, STAGES, LifecycleEvent, Unit, UnitYear


# Called as fn(unit, year, reason, user_id) when a unit is removed: other domains (signs) react.
_removal_hooks = []


def on_removal(fn):
    """Register a function to run in the same transaction whenever a unit is removed."""
    _removal_hooks.append(fn)
    return fn


def allowed_next(stage: str | None) -> list[str]:
    """The stages a unit may move to from `stage` (None: not yet enrolled this year)."""
    if stage is None:
        return ["pool"]
    if stage == "removed":
        return []
    i = STAGE_ORDER.index(stage)
    nxt = STAGE_ORDER[i + 1:i + 2]
    return nxt + ["removed"]


def unit_year(unit: Unit, year: int) -> UnitYear | None:
    """The unit's record for the year, if enrolled."""
    return db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == unit.id, UnitYear.year == year))


def enroll(user, unit: Unit, year: int, *, stage: str = "pool") -> UnitYear:
    """Put the unit in the year's programme (by default into the cultivation pool)."""
    if user is not None:
        require_admin(user)
    if unit_year(unit, year) is not None:
        raise Invalid(f"该单位已在{year}年度名单中")
    if stage not in STAGE_ORDER:
        raise Invalid("环节不正确", fields={"stage": ["环节不正确"]})
    record = UnitYear(unit_id=unit.id, year=year, stage=stage)
    db.session.add(record)
    db.session.add(LifecycleEvent(unit_id=unit.id, year=year, from_stage=None, to_stage=stage,
                                  user_id=getattr(user, "id", None), note="纳入年度名单"))
    db.session.flush()
    return record


def transition(user, unit: Unit, year: int, to_stage: str, *, reason: str | None = None,
               note: str = "") -> UnitYear:
    """Move the unit one allowed step, or remove it with a reason; every step is recorded."""
    require_admin(user)
    record = unit_year(unit, year)
    if record is None:
        if to_stage == "pool":
            return enroll(user, unit, year)
        raise NotFound(f"该单位不在{year}年度名单中，请先纳入培育库")
    if to_stage not in STAGES:
        raise Invalid("环节不正确", fields={"to_stage": ["环节不正确"]})
    if to_stage not in allowed_next(record.stage):
        raise Invalid(f"不能从“{STAGES[record.stage]}”转到“{STAGES[to_stage]}”",
                      fields={"to_stage": ["不允许的环节转换"]})
    if to_stage == "removed" and reason not in REMOVAL_REASONS:
        raise Invalid("移出时须选择原因", fields={"reason": ["移出时须选择原因"]})
    db.session.add(LifecycleEvent(unit_id=unit.id, year=year, from_stage=record.stage, to_stage=to_stage,
                                  reason=reason if to_stage == "removed" else None,
                                  note=(note or "")[:500], user_id=user.id))
    record.stage = to_stage
    record.removal_reason = reason if to_stage == "removed" else None
    db.session.flush()
    if to_stage == "removed":
        for hook in _removal_hooks:
            hook(unit, year, reason, user.id)
    return record


def advance_by_effect(unit: Unit, year: int, from_stage: str, to_stage: str, user_id: int | None,
                      note: str) -> bool:
    """Move a unit one step as the effect of a record (an inspection, a sign), if it stands at from_stage."""
    record = unit_year(unit, year)
    if record is None or record.stage != from_stage or to_stage not in allowed_next(from_stage):
        return False
    db.session.add(LifecycleEvent(unit_id=unit.id, year=year, from_stage=from_stage, to_stage=to_stage,
                                  note=note[:500], user_id=user_id))
    record.stage = to_stage
    return True


def lifecycle_events(unit: Unit) -> list[LifecycleEvent]:
    """Every lifecycle step of the unit, newest first."""
    return db.session.scalars(sa.select(LifecycleEvent).where(LifecycleEvent.unit_id == unit.id)
                              .order_by(LifecycleEvent.at.desc(), LifecycleEvent.id.desc())).all()
