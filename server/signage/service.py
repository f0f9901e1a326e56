"""Issuing, replacing, revoking and posting signs; every action kept as a SignEvent."""
import re
import unicodedata

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from server.account.service import require_admin
from server.core.clock import happened_at, utcnow
from server.core.errors import Conflict, Invalid, NotFound
from server.extensions import db
from server.qrsign import payload
from server.signage.models import REMOVAL_TO_REVOKE, REVOKE_REASONS, Sign, SignEvent
from server.station.models import County
from server.station.service import get_station, scope_clause, sign_valid_until
from server.unit import lifecycle
from server.unit.lifecycle import Evidence
from server.unit.models import CERTIFIED, STAGES, Unit, UnitYear
from server.unit.service import get_unit

SERIAL_RETRIES = 8
_VOWELS = set("aeiouv")


def serial_prefix(county_code: str, setting: str | None = None) -> str:
    """The serial's county letters: SIGN_SERIAL_PREFIX if set, else the pinyin initials of the code.

    "jinyun" → "JY", "huzhen" → "HZ", "li-shui" → "LS": a syllable starts at a consonant followed by
    a vowel (zh/ch/sh count as one), which is right for ordinary county names; set the prefix where not.
    """
    if setting:
        return setting.upper()
    initials = []
    for part in re.split(r"[^a-z]+", county_code.lower()):
        for i, ch in enumerate(part):
            nxt = part[i + 1:i + 2]
            if i == 0 or (ch not in _VOWELS and (nxt in _VOWELS or (ch in "zcs" and nxt == "h"))
                          and not (ch == "h" and part[i - 1] in "zcs")):
                initials.append(ch)
    return "".join(initials[:4]).upper() or "XX"


def format_serial(prefix: str, year: int, seq: int) -> str:
    """JY-2023-000123."""
    return f"{prefix}-{year}-{seq:06d}"


_SERIAL_RE = re.compile(r"^([A-Z]{1,8})(\d{4})(\d{1,9})$")
_LOOKALIKE_DIGITS = str.maketrans("OILZ", "0112")  # what a hurried hand types for 0, 1, 2


def canonical_serial(raw: str) -> str | None:
    """The serial as printed ("JY-2023-000123") from what a person typed, or None if it cannot be one.

    Any case, with or without dashes or spaces, full-width characters folded (NFKC), leading zeros of
    the number optional, O/I/L/Z typed for 0/1/1/2 after the letters: "jy2023000123", "JY 2023 123",
    "ＪＹ－２０２３－０００１２３", "JY-2O23-000123" all give "JY-2023-000123". Pure: says nothing of
    whether the sign exists.
    """
    text = re.sub(r"[^A-Z0-9]", "", unicodedata.normalize("NFKC", raw or "").upper())
    letters = re.match(r"^[A-Z]*", text).group(0)
    m = _SERIAL_RE.match(letters + text[len(letters):].translate(_LOOKALIKE_DIGITS))
    if m is None or len(raw) > 100:
        return None
    prefix, year, seq = m.group(1), int(m.group(2)), int(m.group(3))
    return format_serial(prefix, year, seq) if seq > 0 else None


def _scoped(user, sign_id: int) -> Sign:
    sign = db.session.get(Sign, sign_id)
    if sign is None or sign.county_id != user.county_id or (
            user.role != "county_admin" and sign.station_id != user.station_id):
        raise NotFound("找不到该标识")
    return sign


def get_sign(user, sign_id: int) -> Sign:
    """A sign the user may see; NotFound otherwise."""
    return _scoped(user, sign_id)


def get_by_serial(serial: str) -> Sign | None:
    """A sign by its serial as a person types it (see canonical_serial); None when there is none.
    For the command line and the public lookup: no user, no scope."""
    canonical = canonical_serial(serial)
    if canonical is None:
        return None
    return db.session.scalar(sa.select(Sign).where(Sign.serial == canonical))


def active_sign(unit_id: int, year: int) -> Sign | None:
    """The unit's sign in force for the year (issued, not replaced or revoked), if any."""
    return db.session.scalar(sa.select(Sign).where(Sign.unit_id == unit_id, Sign.year == year,
                                                   Sign.status == "issued").order_by(Sign.id.desc()).limit(1))


def _event(sign: Sign, action: str, user_id: int | None, note: str = "", reason: str | None = None) -> None:
    db.session.add(SignEvent(sign_id=sign.id, action=action, user_id=user_id, note=(note or "")[:500],
                             reason=reason, at=utcnow()))


def _new_sign(unit: Unit, year: int, user_id: int | None, valid_until) -> Sign:
    """Insert a sign with the next serial of the county and year; a concurrent insert retries."""
    county = db.session.get(County, unit.county_id)
    prefix = serial_prefix(county.code, current_app.config.get("SIGN_SERIAL_PREFIX"))
    for _ in range(SERIAL_RETRIES):
        top = db.session.scalar(sa.select(sa.func.max(Sign.seq)).where(Sign.county_id == unit.county_id,
                                                                       Sign.year == year)) or 0
        sign = Sign(county_id=unit.county_id, station_id=unit.station_id, unit_id=unit.id, year=year,
                    type=unit.type, seq=top + 1, serial=format_serial(prefix, year, top + 1),
                    token=payload.new_token(), status="issued", issued_by=user_id, issued_at=utcnow(),
                    valid_until=valid_until)
        try:
            with db.session.begin_nested():
                db.session.add(sign)
            return sign
        except IntegrityError:
            continue  # another transaction took this number (or, once in 2^96, the token)
    raise Conflict("编号分配繁忙，请稍后重试")


def issue_sign(user, unit_id: int, year: int, note: str = "") -> Sign:
    """Issue the unit's sign for the year: only after post-evaluation; moves it to 标识发放 (the only way
    there). Valid until the county's next programme year's post-evaluation deadline (sign_valid_until);
    a unit renewed the next year gets that year's sign, valid a year further."""
    require_admin(user)
    unit = get_unit(user, unit_id)
    record = lifecycle.unit_year(unit, year)
    if active_sign(unit.id, year) is not None:
        raise Invalid(f"该单位{year}年度已有有效标识，如需重新制作请使用“更换”")
    if record is None or record.stage != "evaluated":
        where = STAGES[record.stage] if record else "未纳入本年度名单"
        raise Invalid(f"该单位{year}年度尚未通过后评价（当前：{where}），不能发放标识")
    lifecycle.check_effect(unit, year, "sign_issued", "sign")
    sign = _new_sign(unit, year, user.id, sign_valid_until(unit.county_id, year))
    _event(sign, "issue", user.id, note)
    lifecycle.by_effect(unit, year, "sign_issued", Evidence("sign", sign.id), user.id, f"发放标识 {sign.serial}")
    db.session.flush()
    return sign


def issue_signs(user, unit_ids: list[int], year: int) -> tuple[list[Sign], dict]:
    """Issue several; (signs issued, {unit_id: reason} for those refused)."""
    issued, refused = [], {}
    for unit_id in unit_ids:
        try:
            issued.append(issue_sign(user, unit_id, year))
        except (Invalid, NotFound) as err:
            refused[unit_id] = err.message
    return issued, refused


def issuable_units(user, station_id: int, year: int, type: str | None = None) -> list[Unit]:
    """Units of the station that passed post-evaluation this year and have no sign in force."""
    get_station(user, station_id)
    has_sign = sa.select(Sign.id).where(Sign.unit_id == Unit.id, Sign.year == year, Sign.status == "issued")
    q = (sa.select(Unit).join(UnitYear, UnitYear.unit_id == Unit.id)
         .where(Unit.station_id == station_id, UnitYear.year == year, UnitYear.stage == "evaluated",
                ~has_sign.exists()).order_by(Unit.name))
    if type:
        q = q.where(Unit.type == type)
    return db.session.scalars(q).all()


def list_signs(user, *, station_id: int | None = None, year: int | None = None, type: str | None = None,
               status: str | None = None, unit_id: int | None = None, limit: int = 2000) -> list[Sign]:
    """Signs in the user's scope, by serial."""
    q = sa.select(Sign).where(scope_clause(user, Sign.station_id, Sign.county_id))
    for col, value in ((Sign.station_id, station_id), (Sign.year, year), (Sign.type, type),
                       (Sign.status, status), (Sign.unit_id, unit_id)):
        if value is not None:
            q = q.where(col == value)
    return db.session.scalars(q.order_by(Sign.year.desc(), Sign.seq).limit(limit)).all()


def record_print(user, sign: Sign) -> Sign:
    """Count a print of the sign (the first is 打印, later ones 补打); same token, same serial."""
    require_admin(user)
    if sign.status != "issued":
        raise Invalid("该标识已撤销或已更换，不能再打印")
    sign.print_count += 1
    _event(sign, "print" if sign.print_count == 1 else "reprint", user.id, f"第{sign.print_count}次打印")
    return sign


def record_batch_print(user, station_id: int, year: int, type: str | None = None) -> None:
    """Count a print of every sign in force of a station's year (and type): a batch PDF is being made."""
    get_station(user, station_id)
    for sign in list_signs(user, station_id=station_id, year=year, type=type, status="issued"):
        record_print(user, sign)


def record_prints(user, serials: list[str]) -> int:
    """Count a print of each of these signs (a batch PDF of them has been made); refuses them all if
    one is no longer in force. Returns how many."""
    for serial in serials:
        sign = get_by_serial(serial)
        if sign is None:
            raise Invalid(f"标识 {serial} 已不存在")
        record_print(user, _scoped(user, sign.id))
    return len(serials)


def replace_sign(user, sign_id: int, note: str = "") -> Sign:
    """A new sign (new token and serial, the same validity date) for the same unit and year; the old one
    shows 已更换. The new one is not on the wall yet: a unit at 标识张贴 goes back to 标识发放."""
    require_admin(user)
    old = _scoped(user, sign_id)
    if old.status != "issued":
        raise Invalid("只有有效的标识可以更换")
    old.status = "replaced"
    db.session.flush()
    new = _new_sign(old.unit, old.year, user.id, old.valid_until)
    old.replaced_by_id = new.id
    _event(old, "replaced", user.id, note or f"由 {new.serial} 替换")
    _event(new, "replace", user.id, note or f"替换 {old.serial}")
    record = lifecycle.unit_year(old.unit, old.year)
    if record is not None and record.stage == "sign_posted":
        lifecycle.by_effect(old.unit, old.year, "sign_issued", Evidence("sign", new.id), user.id,
                            f"标识 {old.serial} 更换为 {new.serial}，待张贴")
    db.session.flush()
    return new


# A revocation's effect on the unit's year: out with this removal reason, or back to 后评价通过.
REVOKE_REMOVES = {"violations": "violations", "failed_evaluation": "failed_evaluation", "closed": "closed",
                  "unit_removed": "unsuitable"}


def revoke_sign(user, sign_id: int, reason: str, note: str = "") -> Sign:
    """Revoke a sign with a reason category; its page then says 已撤销, and the unit's year follows:
    lost or damaged → a replacement at once (returned; the old one shows 已更换); a violation, a failed
    evaluation, closure or removal → the unit leaves the year with that reason (and the certified count);
    another reason → back to 后评价通过, a new sign can be issued."""
    require_admin(user)
    sign = _scoped(user, sign_id)
    if reason not in REVOKE_REASONS:
        raise Invalid("请选择撤销原因", fields={"reason": ["请选择撤销原因"]})
    if sign.status != "issued":
        raise Invalid("该标识已撤销或已更换")
    if reason == "lost_damaged":
        return replace_sign(user, sign.id, note or REVOKE_REASONS[reason])
    _revoke(sign, reason, user.id, note)
    db.session.flush()
    unit = sign.unit
    if reason in REVOKE_REMOVES:
        lifecycle.remove(unit, sign.year, REVOKE_REMOVES[reason], user.id, note or f"标识 {sign.serial} 撤销",
                         evidence=Evidence("revocation", sign.id))
    else:
        lifecycle.by_effect(unit, sign.year, "evaluated", Evidence("revocation", sign.id), user.id,
                            note or f"标识 {sign.serial} 撤销", strict=False)
    db.session.flush()
    return sign


def _revoke(sign: Sign, reason: str, user_id: int | None, note: str) -> None:
    sign.status, sign.revoke_reason, sign.revoked_at = "revoked", reason, utcnow()
    _event(sign, "revoke", user_id, note, reason)


def revoke_signs_of_unit(unit_id: int, reason: str, user_id: int | None, year: int | None = None,
                         note: str = "单位移出，标识随之撤销") -> list[Sign]:
    """Revoke every sign in force of a unit (of one year, if given) at once.

    `reason` may be a revocation category or a lifecycle removal reason (mapped; else unit_removed).
    """
    category = reason if reason in REVOKE_REASONS else REMOVAL_TO_REVOKE.get(reason, "unit_removed")
    q = sa.select(Sign).where(Sign.unit_id == unit_id, Sign.status == "issued")
    if year is not None:
        q = q.where(Sign.year == year)
    signs = db.session.scalars(q).all()
    for sign in signs:
        _revoke(sign, category, user_id, note)
    db.session.flush()
    return signs


def mark_posted(user, unit_id: int, year: int, photo_sha256: str | None, note: str = "") -> Sign:
    """Someone saw the sign on the wall: with a photo of their own (the field app's, or a staff member's),
    record it and move the unit to 标识张贴 (the only way there). The photo must be one its author uploaded,
    or one not uploaded yet (it follows from the same device: server.photo.service.check_own_photo)."""
    from server.photo.service import check_own_photo
    unit = get_unit(user, unit_id)
    check_own_photo(user, photo_sha256)
    sign = active_sign(unit.id, year)
    if sign is None:
        raise Invalid("该单位本年度尚未发放标识", fields={"unit_id": ["该单位本年度尚未发放标识"]})
    if not photo_sha256:
        raise Invalid("确认张贴须拍摄张贴照片", fields={"photo_sha256": ["确认张贴须拍摄张贴照片"]})
    # when the confirmer saw it, not when the phone synced
    sign.posted_at, sign.posted_by, sign.posted_photo_sha256 = happened_at(), user.id, photo_sha256
    _event(sign, "post", user.id, note)
    lifecycle.by_effect(unit, year, "sign_posted", Evidence("post", sign.id), user.id,
                        f"标识 {sign.serial} 已张贴", strict=False)
    db.session.flush()
    return sign


@lifecycle.on("stage")
def _follow_stage(unit, year: int, from_stage, to_stage: str, reason, user_id, evidence) -> None:
    """Removal revokes every sign of the unit in force; leaving the certified stages revokes the year's;
    a county admin's step back from 标识张贴 to 标识发放 takes the posting back."""
    if to_stage == "removed":
        for sign in revoke_signs_of_unit(unit.id, reason, user_id):
            if sign.year != year:  # an earlier year's sign still in force: that year ends too
                lifecycle.remove(unit, sign.year, reason, user_id, f"标识 {sign.serial} 随{year}年度移出而撤销",
                                 evidence=Evidence("revocation", sign.id))
    elif from_stage in CERTIFIED and to_stage not in CERTIFIED:
        revoke_signs_of_unit(unit.id, "stage_back", user_id, year, "年度环节退回，标识随之撤销")
    elif (from_stage, to_stage) == ("sign_posted", "sign_issued") and evidence and evidence.kind == "step_back":
        sign = active_sign(unit.id, year)
        if sign is not None:
            sign.posted_at = sign.posted_by = sign.posted_photo_sha256 = None
            _event(sign, "unpost", user_id, "县局退回：张贴确认撤回")


@lifecycle.on("ended")
def _revoke_on_end(unit, reason: str, user_id: int | None) -> None:
    """A closed, transferred or deregistered unit keeps no sign in force, of any year."""
    revoke_signs_of_unit(unit.id, reason, user_id, note="单位经营状态变更，标识随之撤销")


@lifecycle.on("moved")
def _move_signs(unit, old_station_id: int, user_id: int | None) -> None:
    """A unit's signs belong to its station: the new station sees, prints, replaces and revokes them."""
    for sign in db.session.scalars(sa.select(Sign).where(Sign.unit_id == unit.id)):
        sign.station_id = unit.station_id
    db.session.flush()
