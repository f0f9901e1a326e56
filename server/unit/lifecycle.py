"""The lifecycle of a unit in a year: the one function that decides every step, and the record of each.

Every step, manual or the effect of a record, goes through `decide` and is written by `_apply` as a
LifecycleEvent (from, to, the evidence it rests on, who, when), so UnitYear.stage always equals the last
event's to_stage and counts as of a date are read from the events (work plan: 经得起检查).

- Manual steps (station or county admin): 培育库 → 承诺公示 → 系统录入 (a complete profile), and removal
  with a reason at any point.
- 后评价通过 rests on a passing post-evaluation of that year: an inspection of the post-evaluation kind
  concluded 合格, or a result recorded by staff with its evidence (EvaluationResult). A failed one is
  recorded and leaves the stage where it was.
- 标识发放 rests on a sign issued; 标识张贴 on a posted confirmation with a photo; a replaced sign moves
  标识张贴 back to 标识发放 (the new sign is not on the wall yet); a sign revoked for another reason moves the
  unit back to 后评价通过 (or out, for a violation).
- A county admin can step a unit back with a reason, kept in the history.
- A unit whose business ends (歇业关闭, 转让, 注销) leaves every year it stands in, in the same transaction.

Other domains react through the hooks below, in the same transaction: signs are revoked when their unit
leaves the certified stages, and follow it to another station with its tasks and open rectifications.
Invariants (server.integrity checks them; tests/unit/test_lifecycle_state.py drives them at random): a unit
in 标识发放/标识张贴 holds exactly one sign of that year in force; a removed or ended unit holds none; a
sign belongs to its unit's station.
"""
from typing import NamedTuple

import sqlalchemy as sa

from server.account.service import require_admin
from server.core.clock import happened_at
from server.core.errors import Forbidden, Invalid, NotFound
from server.extensions import db
from server.unit.models import (CERTIFIED, ENDING_STATUSES, EVIDENCE_KINDS, PROFILE_REQUIRED, REMOVAL_REASONS,
                                STAGE_ORDER, STAGES, EvaluationResult, LifecycleEvent, Unit, UnitYear)


class Evidence(NamedTuple):
    """What a step rests on: a kind of EVIDENCE_KINDS and its record's id."""
    kind: str
    id: int | None


MANUAL = {("pool", "committed"), ("committed", "profiled")}
# (from, to) → the evidence kinds that can carry the step.
BY_EVIDENCE = {
    ("profiled", "evaluated"): {"inspection", "evaluation_result"},
    ("evaluated", "sign_issued"): {"sign"},
    ("sign_issued", "sign_posted"): {"post"},
    ("sign_posted", "sign_issued"): {"sign"},
    ("sign_issued", "evaluated"): {"revocation"},
    ("sign_posted", "evaluated"): {"revocation"},
    # A passing post-evaluation corrected to one that does not pass, with no other pass of the year: back to
    # 系统录入 (leaving the certified stages revokes the year's sign), to be evaluated again.
    ("evaluated", "profiled"): {"correction"},
    ("sign_issued", "profiled"): {"correction"},
    ("sign_posted", "profiled"): {"correction"},
}
HOW = {
    "evaluated": "须有本年度合格的后评价检查，或登记后评价结果（附文书或照片）",
    "sign_issued": "须在标识页为该单位发放标识",
    "sign_posted": "须由执法人员或管理员上传张贴照片确认张贴",
}

_hooks = {"stage": [], "ended": [], "moved": []}
_evidence_finders = []


def on(event: str):
    """Register fn to run in the same transaction: "stage" fn(unit, year, from, to, reason, user_id,
    evidence); "ended" fn(unit, reason, user_id); "moved" fn(unit, old_station_id, user_id)."""
    def register(fn):
        _hooks[event].append(fn)
        return fn
    return register


def evidence_finder(fn):
    """Register fn(unit_id, year) → Evidence | None: a passing post-evaluation kept in another domain."""
    _evidence_finders.append(fn)
    return fn


def _fire(event: str, *args) -> None:
    for fn in _hooks[event]:
        fn(*args)


def unit_year(unit: Unit, year: int) -> UnitYear | None:
    """The unit's record for the year, if enrolled."""
    return db.session.scalar(sa.select(UnitYear).where(UnitYear.unit_id == unit.id, UnitYear.year == year))


def missing_profile(unit: Unit) -> list[str]:
    """The labels of the profile fields 系统录入 needs that the unit lacks."""
    missing = [label for key, label in PROFILE_REQUIRED.items() if not (getattr(unit, key) or "").strip()]
    if unit.type == "no_reason_return" and not unit.return_days:
        missing.append("退货期限（天）")
    return missing


def passing_evaluation(unit_id: int, year: int) -> Evidence | None:
    """A passing post-evaluation of the year: a staff-recorded result, or one another domain keeps."""
    result = db.session.scalar(sa.select(EvaluationResult.id).where(
        EvaluationResult.unit_id == unit_id, EvaluationResult.year == year, EvaluationResult.passed.is_(True))
        .order_by(EvaluationResult.id.desc()).limit(1))
    if result is not None:
        return Evidence("evaluation_result", result)
    for find in _evidence_finders:
        found = find(unit_id, year)
        if found is not None:
            return found
    return None


def decide(unit: Unit, stage: str | None, to_stage: str, *, evidence: Evidence | None = None,
           reason: str | None = None) -> None:
    """Whether the unit may go from `stage` (None: not enrolled) to `to_stage`; Invalid saying why not.

    The only rule of the lifecycle: every step of every caller is decided here."""
    if to_stage not in STAGES:
        raise Invalid("环节不正确", fields={"to_stage": ["环节不正确"]})
    if to_stage == "removed":
        if stage in (None, "removed"):
            raise Invalid("该单位不在本年度名单中或已移出", fields={"to_stage": ["不允许的环节转换"]})
        if reason not in REMOVAL_REASONS:
            raise Invalid("移出时须选择原因", fields={"reason": ["移出时须选择原因"]})
        return
    if unit.business_status in ENDING_STATUSES:
        raise Invalid("该单位已歇业关闭、转让或注销，不能再纳入或推进", fields={"to_stage": ["该单位已终止经营"]})
    if stage is None:
        if to_stage != "pool":
            raise NotFound("该单位不在本年度名单中，请先纳入培育库")
        return
    pair = (stage, to_stage)
    if evidence is None:
        if pair not in MANUAL:
            ahead = stage != "removed" and to_stage in HOW and STAGE_ORDER.index(to_stage) > STAGE_ORDER.index(stage)
            msg = f"不能从“{STAGES[stage]}”转到“{STAGES[to_stage]}”" + (f"：{HOW[to_stage]}" if ahead else "")
            raise Invalid(msg, fields={"to_stage": [msg]})
        if to_stage == "profiled" and missing_profile(unit):
            msg = "档案不完整，缺少：" + "、".join(missing_profile(unit))
            raise Invalid(msg, fields={"to_stage": [msg]})
        return
    if evidence.kind == "step_back":
        return  # decided by step_back
    if evidence.kind not in BY_EVIDENCE.get(pair, ()):
        msg = f"不能凭{EVIDENCE_KINDS.get(evidence.kind, '该记录')}从“{STAGES[stage]}”转到“{STAGES[to_stage]}”"
        raise Invalid(msg, fields={"to_stage": [msg]})


def _apply(unit: Unit, record: UnitYear, to_stage: str, user_id: int | None, *, evidence: Evidence | None = None,
           reason: str | None = None, note: str = "") -> UnitYear:
    """Write the decided step: the event, the stage, and the other domains' reactions."""
    from_stage = record.stage
    db.session.add(LifecycleEvent(unit_id=unit.id, year=record.year, from_stage=from_stage, to_stage=to_stage,
                                  reason=reason if to_stage == "removed" else None, note=(note or "")[:500],
                                  evidence_type=evidence.kind if evidence else None,
                                  evidence_id=evidence.id if evidence else None, user_id=user_id,
                                  at=happened_at()))
    record.stage = to_stage
    record.removal_reason = reason if to_stage == "removed" else None
    db.session.flush()
    _fire("stage", unit, record.year, from_stage, to_stage, reason, user_id, evidence)
    return record


def enroll(user, unit: Unit, year: int, *, stage: str = "pool") -> UnitYear:
    """Put the unit in the year's programme, in the cultivation pool (or, for an import of a list already
    worked on, 承诺公示 or 系统录入 — each manual step decided as if taken one by one)."""
    if user is not None:
        require_admin(user)
    if unit_year(unit, year) is not None:
        raise Invalid(f"该单位已在{year}年度名单中")
    if stage not in ("pool", "committed", "profiled"):
        raise Invalid("纳入名单时只能选择培育库、承诺公示或系统录入", fields={"stage": ["环节不正确"]})
    decide(unit, None, "pool")
    path = STAGE_ORDER[:STAGE_ORDER.index(stage) + 1]
    for before, after in zip(path, path[1:]):
        decide(unit, before, after)
    record = UnitYear(unit_id=unit.id, year=year, stage=stage)
    db.session.add(record)
    db.session.add(LifecycleEvent(unit_id=unit.id, year=year, from_stage=None, to_stage=stage,
                                  user_id=getattr(user, "id", None), note="纳入年度名单"))
    db.session.flush()
    return record


def transition(user, unit: Unit, year: int, to_stage: str, *, reason: str | None = None,
               note: str = "") -> UnitYear:
    """A manual step by an admin: enrol, the next manual stage, 后评价通过 when a passing post-evaluation
    of the year is on record, or removal with a reason. Other stages come only from their records."""
    require_admin(user)
    record = unit_year(unit, year)
    if record is None:
        decide(unit, None, to_stage)
        return enroll(user, unit, year)
    evidence = None
    if to_stage == "evaluated" and record.stage == "profiled":
        evidence = passing_evaluation(unit.id, year)
    decide(unit, record.stage, to_stage, evidence=evidence, reason=reason)
    return _apply(unit, record, to_stage, user.id, evidence=evidence, reason=reason, note=note)


def check_effect(unit: Unit, year: int, to_stage: str, evidence_kind: str) -> UnitYear:
    """Before a record is made (a sign issued): Invalid unless it may carry the unit to to_stage."""
    record = unit_year(unit, year)
    if record is None:
        raise Invalid(f"该单位不在{year}年度名单中", fields={"unit_id": [f"该单位不在{year}年度名单中"]})
    decide(unit, record.stage, to_stage, evidence=Evidence(evidence_kind, None))
    return record


def by_effect(unit: Unit, year: int, to_stage: str, evidence: Evidence, user_id: int | None, note: str = "",
              *, strict: bool = True) -> bool:
    """Move the unit as the effect of a record. strict: Invalid when not allowed; else False (a passing
    post-evaluation of a unit not yet at 系统录入 is kept, and found when it gets there)."""
    record = unit_year(unit, year)
    try:
        if record is None:
            raise Invalid(f"该单位不在{year}年度名单中")
        decide(unit, record.stage, to_stage, evidence=evidence)
    except (Invalid, NotFound):
        if strict:
            raise
        return False
    _apply(unit, record, to_stage, user_id, evidence=evidence, note=note)
    return True


def remove(unit: Unit, year: int, reason: str, user_id: int | None, note: str = "",
           evidence: Evidence | None = None) -> bool:
    """Remove the unit from the year with a reason, if it stands in it; False if not enrolled or out."""
    record = unit_year(unit, year)
    if record is None or record.stage == "removed":
        return False
    decide(unit, record.stage, "removed", reason=reason)
    _apply(unit, record, "removed", user_id, evidence=evidence, reason=reason, note=note)
    return True


def step_back(user, unit: Unit, year: int, to_stage: str, note: str) -> UnitYear:
    """A county admin moves a unit back to an earlier stage (a mistake undone), with a reason kept in the
    history; stepping below 标识发放 revokes the year's sign. Back to 后评价通过 needs its evidence still."""
    if user.role != "county_admin":
        raise Forbidden("只有县局管理员可以退回环节")
    if not (note or "").strip():
        raise Invalid("退回须填写原因", fields={"note": ["退回须填写原因"]})
    record = unit_year(unit, year)
    if record is None:
        raise NotFound(f"该单位不在{year}年度名单中")
    ceiling = record.stage
    if ceiling == "removed":
        last = db.session.scalar(sa.select(LifecycleEvent.from_stage).where(
            LifecycleEvent.unit_id == unit.id, LifecycleEvent.year == year, LifecycleEvent.to_stage == "removed",
            LifecycleEvent.from_stage.is_not(None), LifecycleEvent.from_stage != "removed")
            .order_by(LifecycleEvent.id.desc()).limit(1)) or "pool"
        ceiling = "evaluated" if last in CERTIFIED else last
        allowed = STAGE_ORDER[:STAGE_ORDER.index(ceiling) + 1]
    else:
        allowed = STAGE_ORDER[:STAGE_ORDER.index(ceiling)]
    if to_stage not in allowed:
        raise Invalid(f"不能从“{STAGES[record.stage]}”退回到“{STAGES.get(to_stage, to_stage)}”",
                      fields={"to_stage": ["不允许的退回"]})
    if unit.business_status in ENDING_STATUSES:
        raise Invalid("该单位已歇业关闭、转让或注销，不能退回", fields={"to_stage": ["该单位已终止经营"]})
    if to_stage == "evaluated" and passing_evaluation(unit.id, year) is None:
        raise Invalid("没有合格的后评价记录，不能退回到“后评价通过”", fields={"to_stage": ["没有合格的后评价记录"]})
    return _apply(unit, record, to_stage, user.id, evidence=Evidence("step_back", None), note=note.strip())


def evaluation_withdrawn(unit: Unit, year: int, correction_id: int, user_id: int | None) -> bool:
    """A post-evaluation that passed was corrected (server.inspection): if the unit stands at 后评价通过 or a
    certified stage of `year` and no passing post-evaluation of that year remains, it goes back to 系统录入, the
    correction named as the step's evidence; its sign of that year is revoked with it (signage's stage hook).

    Returns True if the unit was moved. Source: the plan's 后评价 (a sign only for a unit that passed) and
    issue 18 item 4 (only the latest record counts)."""
    record = unit_year(unit, year)
    if record is None or record.stage not in ("evaluated", *CERTIFIED) or passing_evaluation(unit.id, year):
        return False
    evidence = Evidence("correction", correction_id)
    decide(unit, record.stage, "profiled", evidence=evidence)
    _apply(unit, record, "profiled", user_id, evidence=evidence,
           note=f"后评价经更正为不合格（检查{correction_id}），退回系统录入，待重新后评价")
    return True


def record_evaluation(user, unit: Unit, year: int, *, passed: bool, evaluated_on, evidence_ref: str = "",
                      evidence_photo_sha256: str | None = None, note: str = "") -> EvaluationResult:
    """Record a post-evaluation done outside the app, with its evidence (a document number or an uploaded
    photo); a pass moves a unit at 系统录入 to 后评价通过, a failure leaves the stage where it was."""
    require_admin(user)
    if unit_year(unit, year) is None:
        raise Invalid(f"该单位不在{year}年度名单中", fields={"year": [f"该单位不在{year}年度名单中"]})
    if not (evidence_ref or "").strip() and not evidence_photo_sha256:
        raise Invalid("须附后评价的文书编号或照片", fields={"evidence_ref": ["须附后评价的文书编号或照片"]})
    if evidence_photo_sha256:
        from server.photo.models import Photo
        if db.session.get(Photo, evidence_photo_sha256) is None:
            raise Invalid("照片尚未上传", fields={"evidence_photo_sha256": ["照片尚未上传"]})
    result = EvaluationResult(unit_id=unit.id, year=year, passed=passed, evaluated_on=evaluated_on,
                              evidence_ref=(evidence_ref or "").strip()[:100],
                              evidence_photo_sha256=evidence_photo_sha256, note=(note or "")[:500],
                              recorded_by=user.id)
    db.session.add(result)
    db.session.flush()
    if passed:
        by_effect(unit, year, "evaluated", Evidence("evaluation_result", result.id), user.id,
                  f"后评价合格（登记结果 {result.evidence_ref or '照片'}）", strict=False)
    return result


def end_business(unit: Unit, status: str, user_id: int | None) -> None:
    """The unit closed, was transferred or deregistered: it leaves every year it stands in, and the
    "ended" hooks revoke its signs in force — all in the caller's transaction."""
    reason = ENDING_STATUSES[status]
    for record in db.session.scalars(sa.select(UnitYear).where(UnitYear.unit_id == unit.id,
                                                               UnitYear.stage != "removed")).all():
        if record.stage != "removed":  # an earlier year's removal may have taken this one out with its sign
            _apply(unit, record, "removed", user_id, evidence=Evidence("closure", None), reason=reason,
                   note="经营状态变更")
    _fire("ended", unit, reason, user_id)


def moved(unit: Unit, old_station_id: int, user_id: int | None) -> None:
    """The unit moved to another station: its signs, tasks and open rectifications follow it."""
    _fire("moved", unit, old_station_id, user_id)


def allowed_next(stage: str | None) -> list[str]:
    """The manual steps from `stage` (None: not yet enrolled), for the pages' buttons."""
    if stage is None:
        return ["pool"]
    if stage == "removed":
        return []
    return [b for a, b in MANUAL if a == stage] + (["evaluated"] if stage == "profiled" else []) + ["removed"]


def lifecycle_events(unit: Unit) -> list[LifecycleEvent]:
    """Every lifecycle step of the unit, newest first."""
    return db.session.scalars(sa.select(LifecycleEvent).where(LifecycleEvent.unit_id == unit.id)
                              .order_by(LifecycleEvent.at.desc(), LifecycleEvent.id.desc())).all()
