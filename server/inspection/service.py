"""Submitting an inspection: the checks a schema cannot make, and its effects on tasks and the unit."""
import math
import uuid
from datetime import timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from server.checklist.models import ChecklistVersion
from server.core import changelog, immutable
from server.core.context import importer_id
from server.core.clock import china_date, utcnow
from server.core.errors import Conflict, Invalid, NotFound
from server.extensions import db
from server.inspection import signing
from server.inspection.models import Inspection, InspectionAnswer, Rectification, UnitFlag
from server.photo.service import record_uses
from server.station.service import scope_clause
from server.station.service import current_programme_year
from server.unit import lifecycle
from server.unit.lifecycle import Evidence
from server.unit.models import Unit
from server.unit.service import get_unit, unit_ref
from server.visit import service as visits
from server.visit.models import VisitTask

FIELDS = ["kind", "started_at", "ended_at", "lat", "lng", "accuracy_m", "gps_missing_reason", "conclusion",
          "summary", "signature_sha256", "signer_name", "signed_hash", "signed_at", "photos"]


class _Version(NamedTuple):
    id: int
    county_id: int
    items: list[dict]


_VERSION = (sa.select(ChecklistVersion.id, ChecklistVersion.county_id, ChecklistVersion.items)
            .where(ChecklistVersion.id == sa.bindparam("id")))


def _version(version_id: int) -> _Version | None:
    """The checklist version answered: only what the checks and the answers' order need."""
    row = db.session.connection().execute(_VERSION, {"id": version_id}).first()
    return _Version(*row) if row else None


def programme_year(task: VisitTask | None, chosen: int | None) -> int:
    """The programme year an inspection counts for: its task's year; without a task, the year the
    inspector chose on the phone, by default the current programme year (issue 15, item 4)."""
    if task is not None:
        return task.year
    return chosen or current_programme_year()


def distance_m(lat1, lng1, lat2, lng2) -> float | None:
    """Great-circle distance in metres (haversine, mean Earth radius 6 371 008.8 m); None if a point is
    unknown."""
    if None in (lat1, lng1, lat2, lng2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371008.8 * math.asin(math.sqrt(min(1.0, h))), 1)


def location_doubt(accuracy_m: float | None, distance: float | None, settings: dict) -> str | None:
    """Why an inspection's location needs staff's eyes, in words, or None: a fix vaguer than
    GPS_DOUBT_ACCURACY_M or further than GPS_DOUBT_DISTANCE_M from the unit (settings, in metres)."""
    reasons = []
    if accuracy_m is not None and accuracy_m > settings["GPS_DOUBT_ACCURACY_M"]:
        reasons.append(f"定位精度约{round(accuracy_m)}米")
    if distance is not None and distance > settings["GPS_DOUBT_DISTANCE_M"]:
        reasons.append(f"距单位登记位置约{distance / 1000:.1f}公里" if distance >= 1000 else f"距单位登记位置约{round(distance)}米")
    return "，".join(reasons) or None


def _check(user, data: dict, unit, version: _Version | None, owner_signed: bool = True) -> None:
    errors = {}
    if version is None or version.county_id != unit.county_id:
        errors["template_version_id"] = ["检查表版本不存在"]
    else:
        items = {i["code"]: i for i in version.items}
        answered = [a["item_code"] for a in data["answers"]]
        unknown = [c for c in answered if c not in items]
        if unknown or len(set(answered)) != len(answered) or set(answered) != set(items):
            errors["answers"] = ["须逐项填写检查表的每一项，且每项只填一次"]
        for a in data["answers"]:
            item = items.get(a["item_code"])
            if item and a["result"] == "no":
                if item.get("note_on_fail") and not a.get("note", "").strip():
                    errors.setdefault("answers", []).append(f"“{item['text']}”不符合时须填写说明")
                if item.get("photo_on_fail") and not a.get("photos"):
                    errors.setdefault("answers", []).append(f"“{item['text']}”不符合时须拍照")
    if data["ended_at"] < data["started_at"]:
        errors["ended_at"] = ["结束时间不能早于开始时间"]
    if data.get("lat") is None and not (data.get("gps_missing_reason") or "").strip():
        errors["gps_missing_reason"] = ["没有定位时须说明原因"]
    if data["conclusion"] == "rectify" and not data.get("rectifications"):
        errors["rectifications"] = ["限期整改须至少提出一项整改要求"]
    start_day = china_date(data["started_at"])
    if any(r["due_date"] < start_day for r in data.get("rectifications", [])):
        errors["rectifications"] = ["整改期限不能早于检查日期"]
    if not owner_signed:
        if data.get("signature_sha256") or data.get("signed_hash"):
            errors["signed_hash"] = ["未经负责人签名的更正不能带签名"]
    elif data.get("signed_hash") != signing.content_hash(data):
        errors["signed_hash"] = ["签名与检查内容不符：签名后内容有改动，须请负责人重新签名"]
    if errors:
        raise Invalid("检查记录有误，请按提示修改", fields=errors)


def _task_for(user, task_id, unit) -> VisitTask | None:
    if task_id is None:
        return None
    task = db.session.get(VisitTask, task_id)
    if task is None or task.unit_id != unit.id:
        raise Invalid("任务与单位不符", fields={"task_id": ["任务与单位不符"]})
    return task


def _superseded(user, client_id: str | None, unit, reason: str) -> Inspection | None:
    if not client_id:
        return None
    if not reason:
        raise Invalid("更正须说明原因", fields={"correction_reason": ["须填写更正原因"]})
    old = db.session.scalar(sa.select(Inspection).where(Inspection.client_id == client_id))
    if old is None or old.unit_id != unit.id:
        raise Invalid("被更正的检查记录不存在", fields={"supersedes": ["被更正的检查记录不存在"]})
    if db.session.scalar(sa.select(sa.exists().where(Inspection.supersedes_id == old.id))):
        raise Conflict("该检查记录已被更正过，请基于最新的记录更正")
    check_correction_allowed(user, old)
    return old


SIGNATURE_ORIGINAL_MAX = 2 * 1024 * 1024  # a signature is a small drawing; a bigger image is not measured


def check_signature_ink(signature_sha256: str | None) -> None:
    """The owner's signature must be more than a tap (issue 18, item 1): its image, when already on the server
    (the field app uploads photos before it pushes), must have at least SIGNATURE_MIN_INK_PX dark pixels.
    Invalid (422, field signature_sha256) otherwise. An image not uploaded yet, larger than 2 MB or not
    decodable is not measured here: the record waits for it, and the app measured the strokes as drawn."""
    from server.photo.imaging import BadImage, dark_pixels
    from server.photo.models import Photo
    from server.photo.storage import ObjectMissing, StorageUnavailable, current_storage
    photo = db.session.get(Photo, signature_sha256) if signature_sha256 else None
    if photo is None or photo.size > SIGNATURE_ORIGINAL_MAX:
        return
    try:
        with current_storage().open(photo.original_key) as stream:
            ink = dark_pixels(stream.read())
    except (BadImage, OSError, ObjectMissing, StorageUnavailable):
        return  # not measurable now: the photo store is down or the bytes are not an image we read
    if ink < current_app.config["SIGNATURE_MIN_INK_PX"]:
        raise Invalid("签名过短：请负责人完整签写姓名后再提交",
                      fields={"signature_sha256": ["签名过短：请负责人完整签写姓名"]})


def correction_deadline(inspection: Inspection):
    """Until when (naive UTC) its own inspector may correct a submitted inspection: its submission plus
    the setting CORRECTION_DAYS (default 7: a week covers the follow-up call or the office review in which
    a slip is usually found, while the visit is still fresh; later the station corrects it). None when the
    inspector may not correct it at all: a station's correction is corrected by the station."""
    if inspection.corrected_by_id not in (None, inspection.inspector_id):
        return None
    return inspection.submitted_at + timedelta(days=current_app.config["CORRECTION_DAYS"])


def check_correction_allowed(user, old: Inspection) -> None:
    """Who may correct a submitted inspection (issue 18, item 4): its own inspector within the setting
    CORRECTION_DAYS of its submission, a station or county admin of its scope at any time. Invalid with
    the reason otherwise (a record outside the user's scope is NotFound before this is asked)."""
    if user.role != "inspector":
        return
    if old.inspector_id != user.id:
        raise Invalid("只能更正本人提交的检查记录；他人的记录请由所里更正",
                      fields={"supersedes": ["只能更正本人提交的检查记录"]})
    if old.corrected_by_id not in (None, user.id):
        raise Invalid("该记录是所里的更正，不能再由本人更正；如需改动请联系所里",
                      fields={"supersedes": ["所里更正的记录只能由所里再更正"]})
    days = current_app.config["CORRECTION_DAYS"]
    if utcnow() > correction_deadline(old):  # (None: a station's correction, refused just above)
        raise Invalid(f"提交已超过{days}天，不能再由本人更正；请由所里更正",
                      fields={"supersedes": [f"提交{days}天内才能由本人更正"]})


def correction_chain(inspection: Inspection) -> list[Inspection]:
    """Every record of an inspection's correction chain, the first submitted first and the one in force
    last (a chain is short: one record per correction)."""
    chain = [inspection]
    while chain[0].supersedes_id is not None:
        chain.insert(0, db.session.get(Inspection, chain[0].supersedes_id))
    while (later := db.session.scalar(sa.select(Inspection).where(Inspection.supersedes_id == chain[-1].id))):
        chain.append(later)
    return chain


def correct_by_staff(user, old: Inspection, changes: dict) -> Inspection:
    """A station (or county) admin's correction of a submitted inspection, as a new record superseding it.

    changes: {"answers": {item_code: {"result", "note"}}, "conclusion", "summary",
    "rectifications": [{"item_code", "demand", "due_date"}], "correction_reason"} — what the form edits; the
    visit's time, place, photos and task are the original's. When the content the owner signed is unchanged
    the owner's signature is kept; otherwise the owner has not signed the corrected content and the record
    carries no signature (the pages say 所里更正，未经负责人签名). Raises Invalid (fields named) or NotFound
    / Conflict like any correction (check_correction_allowed)."""
    notes = changes.get("answers", {})
    data = {
        "client_id": str(uuid.uuid4()), "unit_id": old.unit_id, "task_id": old.task_id,
        "template_version_id": old.template_version_id, "kind": old.kind, "year": old.year,
        "started_at": old.started_at, "ended_at": old.ended_at, "lat": old.lat, "lng": old.lng,
        "accuracy_m": old.accuracy_m, "gps_missing_reason": old.gps_missing_reason, "photos": list(old.photos),
        "answers": [{"item_code": a.item_code, "result": notes.get(a.item_code, {}).get("result", a.result),
                     "note": notes.get(a.item_code, {}).get("note", a.note), "photos": list(a.photos)}
                    for a in old.answers],
        "conclusion": changes.get("conclusion", old.conclusion), "summary": changes.get("summary", old.summary),
        "rectifications": changes.get("rectifications", [
            {"item_code": r.item_code, "demand": r.demand, "due_date": r.due_date} for r in old.rectifications]),
        "signer_name": old.signer_name, "supersedes": old.client_id,
        "correction_reason": changes.get("correction_reason") or "",
    }
    if data["conclusion"] == "pass":
        data["rectifications"] = []
    if old.signed_hash and signing.content_hash(data) == old.signed_hash:
        data.update(signature_sha256=old.signature_sha256, signed_hash=old.signed_hash, signed_at=old.signed_at)
        return submit_inspection(user, data)
    data.update(signature_sha256=None, signed_hash=None, signed_at=None, signer_name="")
    return submit_inspection(user, data, owner_signed=False)


def submit_inspection(user, data: dict, *, owner_signed: bool = True) -> Inspection:
    """Store a submitted inspection and apply its effects; it is never changed afterwards.

    owner_signed=False only for a station's correction whose content the owner has not signed
    (correct_by_staff): it then carries no signature at all, and the pages say so."""
    unit = unit_ref(user, data["unit_id"])
    version = _version(data["template_version_id"])
    _check(user, data, unit, version, owner_signed)
    task = _task_for(user, data.get("task_id"), unit)
    reason = (data.get("correction_reason") or "").strip()
    old = _superseded(user, data.get("supersedes"), unit, reason)
    inspection = _insert(dict(
        client_id=data["client_id"], county_id=unit.county_id, station_id=unit.station_id, unit_id=unit.id,
        task_id=task.id if task else None, inspector_id=old.inspector_id if old else user.id,
        corrected_by_id=user.id if old else None, template_version_id=version.id,
        year=programme_year(task, data.get("year")), supersedes_id=old.id if old else None, submitted_at=utcnow(),
        correction_reason=reason if old else None, imported_by_id=importer_id(),
        distance_m=distance_m(data.get("lat"), data.get("lng"), unit.lat, unit.lng),
        **{k: data.get(k) for k in FIELDS}))
    _store_answers(inspection, version, data["answers"])
    record_uses(photo_hashes(data.get("photos"), data["answers"], data.get("signature_sha256")), "inspection",
                inspection.id, unit.station_id, unit.county_id)
    _effects(user, inspection, unit, task, old, data.get("rectifications", []), data["answers"])
    return inspection


_INSERT = sa.insert(Inspection.__table__).returning(Inspection.__table__.c.id)


def _insert(values: dict) -> Inspection:
    """The inspection's row with one Core INSERT (written once, never changed: see server.core.immutable)."""
    session = db.session()
    values["id"] = session.connection().execute(_INSERT, values).scalar_one()
    return immutable.written(session, Inspection, values)


_INSERT_ANSWERS = sa.insert(InspectionAnswer.__table__)


def _store_answers(inspection: Inspection, version: _Version, answers: list[dict]) -> None:
    """The answers in one executemany INSERT: written once, never changed, covered by the inspection's
    audit entry — so none of the ORM's per-object bookkeeping."""
    order = {i["code"]: n for n, i in enumerate(version.items)}
    db.session.connection().execute(_INSERT_ANSWERS, [
        {"inspection_id": inspection.id, "position": order[a["item_code"]], "item_code": a["item_code"],
         "result": a["result"], "note": a.get("note", ""), "photos": a.get("photos", [])} for a in answers])


def _effects(user, inspection: Inspection, unit, task, old, demands: list[dict], answers: list[dict]) -> None:
    if task is not None:
        visits.close_task(task, inspection.id)
    _close_rectifications(inspection, task, answers)
    if old is not None:
        _withdraw(old)
        changelog.log_inserted(db.session(), old)  # its inspector's phone hears it was corrected
    follow_ups = {}
    for d in demands:
        follow = follow_ups.get(d["due_date"]) or _follow_up(user, unit, d["due_date"], inspection.year,
                                                             inspection.id)
        follow_ups[d["due_date"]] = follow
        db.session.add(Rectification(inspection_id=inspection.id, county_id=unit.county_id,
                                     station_id=unit.station_id, unit_id=unit.id, item_code=d.get("item_code"),
                                     demand=d["demand"], due_date=d["due_date"], follow_up_task_id=follow.id))
    for follow in follow_ups.values():
        _describe_follow_up(follow)
    if (old is not None and old.kind == "post_evaluation" and old.conclusion == "pass"
            and not (inspection.kind == "post_evaluation" and inspection.conclusion == "pass")):
        lifecycle.evaluation_withdrawn(db.session.get(Unit, unit.id), old.year, inspection.id, user.id)
    if inspection.kind == "post_evaluation" and inspection.conclusion == "pass":
        lifecycle.by_effect(db.session.get(Unit, unit.id), inspection.year, "evaluated",
                            Evidence("inspection", inspection.id), user.id, f"后评价合格（检查{inspection.id}）",
                            strict=False)
    if inspection.conclusion == "fail":
        _flag_repeat_failure(unit, inspection.year)
    db.session.flush()


def _follow_up(user, unit, due, year: int, source_inspection_id: int | None = None) -> VisitTask:
    """The one open follow-up visit of a unit for a due date, gathering all its demands (issue 18,
    item 3): an existing one is reused, else a new one is made."""
    existing = db.session.scalar(sa.select(VisitTask).where(
        VisitTask.unit_id == unit.id, VisitTask.kind == "rectification", VisitTask.status == "open",
        VisitTask.due_date == due).order_by(VisitTask.id).limit(1))
    return existing or visits.create_task(user, unit_id=unit.id, kind="rectification", due_date=due,
                                          assignee_id=user.id if user.role == "inspector" else None,
                                          note="", year=year, source_inspection_id=source_inspection_id)


def _describe_follow_up(task: VisitTask) -> None:
    """A follow-up's note lists its open demands, so the task list says what to check."""
    db.session.flush()
    demands = db.session.scalars(sa.select(Rectification.demand).where(
        Rectification.follow_up_task_id == task.id, Rectification.status == "open").order_by(Rectification.id)).all()
    task.note = ("；".join(demands) if len(demands) < 2 else
                 "；".join(f"{n}. {d}" for n, d in enumerate(demands, 1)))[:500]


def _close_rectifications(inspection: Inspection, task: VisitTask | None, answers: list[dict]) -> None:
    """A re-inspection (整改复查) closes each open demand of the unit it checked, item by item: a demand
    tied to an item closes when that item is now 符合 (its answer, note and photos are the evidence);
    a demand tied to no item closes when the re-inspection passes. A follow-up visit left with no open
    demand is done."""
    if inspection.kind != "rectification" and (task is None or task.kind != "rectification"):
        return
    results = {a["item_code"]: a["result"] for a in answers}
    touched = set()
    for r in db.session.scalars(sa.select(Rectification).where(Rectification.unit_id == inspection.unit_id,
                                                              Rectification.status == "open")):
        ok = results[r.item_code] == "yes" if r.item_code in results else inspection.conclusion == "pass"
        if ok:
            r.status, r.closed_at, r.closed_by_inspection_id = "closed", inspection.submitted_at, inspection.id
            touched.add(r.follow_up_task_id)
    db.session.flush()
    for task_id in touched - {None, task.id if task else None}:
        still = db.session.scalar(sa.select(sa.exists().where(Rectification.follow_up_task_id == task_id,
                                                             Rectification.status == "open")))
        other = db.session.get(VisitTask, task_id)
        if not still and other is not None and other.status == "open":
            visits.close_task(other, inspection.id)


def _withdraw(old: Inspection) -> None:
    """A corrected inspection's open demands and their follow-up tasks give way to the correction's;
    a removal flag that rested on its failure is withdrawn if the failures no longer add up."""
    if old.conclusion == "fail":
        db.session.flush()
        if _failures(old.unit_id, old.year) < 2:
            for flag in db.session.scalars(sa.select(UnitFlag).where(
                    UnitFlag.unit_id == old.unit_id, UnitFlag.year == old.year,
                    UnitFlag.kind == "repeat_failure", UnitFlag.resolved_at.is_(None))):
                flag.resolved_at, flag.note = utcnow(), (flag.note + "；检查记录更正后不再满足条件")[:500]
    for r in old.rectifications:
        if r.status == "open":
            r.status = "superseded"
    db.session.flush()
    for task_id in {r.follow_up_task_id for r in old.rectifications} - {None}:
        task = db.session.get(VisitTask, task_id)
        shared = db.session.scalar(sa.select(sa.exists().where(Rectification.follow_up_task_id == task_id,
                                                              Rectification.status == "open")))
        if task is not None and task.status == "open" and not shared:  # a visit other demands still need stays
            task.status = "cancelled"


def _failures(unit_id: int, year: int) -> int:
    """Failed inspections of a unit in a year that no correction has replaced."""
    corrected = sa.select(Inspection.supersedes_id).where(Inspection.supersedes_id.is_not(None))
    return db.session.scalar(sa.select(sa.func.count()).select_from(Inspection).where(
        Inspection.unit_id == unit_id, Inspection.year == year, Inspection.conclusion == "fail",
        Inspection.id.not_in(corrected)))


def _flag_repeat_failure(unit, year: int) -> None:
    fails = _failures(unit.id, year)
    exists = db.session.scalar(sa.select(sa.exists().where(
        UnitFlag.unit_id == unit.id, UnitFlag.year == year, UnitFlag.kind == "repeat_failure",
        UnitFlag.resolved_at.is_(None))))
    if fails >= 2 and not exists:
        db.session.add(UnitFlag(unit_id=unit.id, station_id=unit.station_id, year=year, kind="repeat_failure",
                                note=f"{year}年内第{fails}次检查不合格，建议移出"))


def get_inspection(user, inspection_id: int) -> Inspection:
    """An inspection of the user's scope; inspectors see their own."""
    insp = db.session.get(Inspection, inspection_id)
    if insp is None:
        raise NotFound("找不到该检查记录")
    get_unit(user, insp.unit_id)
    if user.role == "inspector" and insp.inspector_id != user.id:
        raise NotFound("找不到该检查记录")
    return insp


def list_inspections(user, *, unit_id=None, limit=200) -> list[Inspection]:
    """Recent inspections in the user's scope, newest first."""
    q = sa.select(Inspection).where(scope_clause(user, Inspection.station_id, Inspection.county_id))
    if user.role == "inspector":
        q = q.where(Inspection.inspector_id == user.id)
    if unit_id:
        q = q.where(Inspection.unit_id == unit_id)
    return db.session.scalars(q.order_by(Inspection.submitted_at.desc(), Inspection.id.desc()).limit(limit)).all()


def photo_hashes(photos: list[str] | None, answers: list[dict], signature: str | None) -> list[str]:
    """Every photo hash of an inspection (its own photos, its answers', its signature), each once."""
    shas = list(photos or []) + [sha for a in answers for sha in a.get("photos") or []]
    if signature:
        shas.append(signature)
    return list(dict.fromkeys(shas))


def referenced_photos(inspection: Inspection) -> list[str]:
    """Every photo hash a stored inspection refers to, the signature included."""
    return photo_hashes(inspection.photos, [{"photos": a.photos} for a in inspection.answers],
                        inspection.signature_sha256)


def open_flags(user, year: int | None = None) -> list[UnitFlag]:
    """Units flagged for a station admin's decision, within the user's scope."""
    q = (sa.select(UnitFlag).join(Unit, Unit.id == UnitFlag.unit_id)
         .where(UnitFlag.resolved_at.is_(None), scope_clause(user, Unit.station_id, Unit.county_id)))
    if year:
        q = q.where(UnitFlag.year == year)
    return db.session.scalars(q.order_by(UnitFlag.created_at.desc())).all()


def missing_photos(inspection: Inspection) -> set[str]:
    """The photos the inspection refers to that have not been uploaded yet (it waits for them)."""
    from server.photo.service import missing_photos as missing
    return missing(referenced_photos(inspection))


@lifecycle.evidence_finder
def passing_post_evaluation(unit_id: int, year: int) -> Evidence | None:
    """The unit's passing post-evaluation inspection of the year that no correction replaced, if any."""
    corrected = sa.select(Inspection.supersedes_id).where(Inspection.supersedes_id.is_not(None))
    found = db.session.scalar(sa.select(Inspection.id).where(
        Inspection.unit_id == unit_id, Inspection.year == year, Inspection.kind == "post_evaluation",
        Inspection.conclusion == "pass", Inspection.id.not_in(corrected)).order_by(Inspection.id.desc()).limit(1))
    return Evidence("inspection", found) if found else None


@lifecycle.on("moved")
def _move_open_work(unit, old_station_id: int, user_id: int | None) -> None:
    """Open rectifications and open removal flags follow their unit to its new station."""
    db.session.execute(sa.update(Rectification).where(Rectification.unit_id == unit.id,
                                                      Rectification.status == "open")
                       .values(station_id=unit.station_id).execution_options(synchronize_session="fetch"))
    db.session.execute(sa.update(UnitFlag).where(UnitFlag.unit_id == unit.id, UnitFlag.resolved_at.is_(None))
                       .values(station_id=unit.station_id).execution_options(synchronize_session="fetch"))


def demand_rectification(user, unit, *, demand: str, due_date, item_code: str | None = None,
                         year: int | None = None, finding_id: int | None = None) -> Rectification:
    """A rectification demanded of a unit outside an inspection (an assessment finding), gathered into the
    unit's one follow-up visit for that due date (`_follow_up`); closed like any other by the re-inspection,
    item by item when it names an item."""
    follow = _follow_up(user, unit, due_date, year or due_date.year)
    record = Rectification(county_id=unit.county_id, station_id=unit.station_id, unit_id=unit.id,
                           item_code=item_code, demand=demand[:500], due_date=due_date,
                           follow_up_task_id=follow.id, finding_id=finding_id)
    db.session.add(record)
    _describe_follow_up(follow)
    return record
