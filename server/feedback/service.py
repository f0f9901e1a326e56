"""Taking in consumers' evaluations and complaints, and showing them to the unit's station."""
import hashlib
import hmac
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from server.core.clock import utcnow
from server.core.errors import Invalid, NotFound, TooManyRequests
from server.extensions import db
from server.feedback.models import Complaint, Evaluation
from server.photo.service import put_objects, thumbnail_of
from server.station.service import scope_clause

PER_SIGN_HOUR = 5
PER_ADDRESS_DAY = 20
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def address_hash(address: str) -> str:
    """A keyed hash of the client's address: enough to count, never the address itself."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()[:32]


def _count(model, where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def check_rate(addr: str, sign_id: int | None) -> None:
    """TooManyRequests past N an hour for one sign, or M a day in all, from one address (counted in the DB)."""
    now = utcnow()
    per_sign = current_app.config.get("FEEDBACK_PER_SIGN_HOUR", PER_SIGN_HOUR)
    per_day = current_app.config.get("FEEDBACK_PER_ADDRESS_DAY", PER_ADDRESS_DAY)
    hour, day = now - timedelta(hours=1), now - timedelta(days=1)
    sign_count = (_count(Evaluation, [Evaluation.address_hash == addr, Evaluation.sign_id == sign_id,
                                             Evaluation.created_at >= hour])
                  + _count(Complaint, [Complaint.address_hash == addr, Complaint.sign_id == sign_id,
                                             Complaint.received_at >= hour]))
    day_count = (_count(Evaluation, [Evaluation.address_hash == addr, Evaluation.created_at >= day])
                 + _count(Complaint, [Complaint.address_hash == addr, Complaint.received_at >= day]))
    if sign_count >= per_sign or day_count >= per_day:
        raise TooManyRequests("提交过于频繁，请稍后再试；紧急情况请拨打12315")


def clean_pair_stars(county_id: int, pair_stars: dict | None) -> dict:
    """{pair code: stars} in the order of the county's 八有八无 standard (stars already checked 1–5 by the
    schema); Invalid (field pair_stars) if a code is not one of the standard's pairs."""
    from server.checklist.service import base_pairs
    pairs, given = base_pairs(county_id), dict(pair_stars or {})
    unknown = [code for code in given if code not in pairs]
    if unknown:
        raise Invalid("分项打分须为八有八无中的项目", fields={"pair_stars": ["分项打分须为八有八无中的项目"]})
    return {code: int(given[code]) for code in pairs if code in given}


def add_evaluation(sign, data: dict, addr: str) -> Evaluation:
    """Store an evaluation for the sign's unit (data already validated by the form schema; pair codes
    checked here, `clean_pair_stars`)."""
    check_rate(addr, sign.id)
    unit = sign.unit
    ev = Evaluation(unit_id=unit.id, sign_id=sign.id, county_id=unit.county_id, station_id=unit.station_id,
                    stars=data["stars"], pair_stars=clean_pair_stars(unit.county_id, data.get("pair_stars")),
                    tags=list(dict.fromkeys(data.get("tags") or [])),
                    comment=data.get("comment", ""), address_hash=addr, created_at=utcnow())
    db.session.add(ev)
    db.session.flush()
    return ev


def store_public_photo(data: bytes) -> str:
    """Check an anonymous upload is a real JPEG/PNG/WebP by its content and store it; its SHA-256.

    No Photo row (that needs an uploading user); the complaint holds the hash and the objects sit
    under the same content-addressed keys as every other photo.
    """
    if len(data) > PHOTO_MAX_BYTES:
        raise Invalid(f"照片不能超过{PHOTO_MAX_BYTES // (1024 * 1024)}MB", fields={"photo": ["照片过大"]})
    sha = hashlib.sha256(data).hexdigest()
    put_objects(sha, data)
    return sha


def add_complaint(sign, data: dict, addr: str, photo: bytes | None = None) -> Complaint:
    """Store a complaint or report about the sign's unit, with an optional checked photo."""
    check_rate(addr, sign.id)
    sha = store_public_photo(photo) if photo else None
    unit = sign.unit
    c = Complaint(kind=data.get("kind", "complaint"), unit_id=unit.id, sign_id=sign.id, county_id=unit.county_id,
                  station_id=unit.station_id, description=data["description"], phone=data["phone"],
                  complainant_name=data.get("complainant_name", ""),
                  complainant_address=data.get("complainant_address", ""), demand=data.get("demand", ""),
                  photo_sha256=sha, source="sign_page", status="new", received_at=utcnow(), address_hash=addr)
    db.session.add(c)
    db.session.flush()
    from server.complaint.service import set_deadlines, step  # handling builds on intake, not the reverse
    set_deadlines(c)
    step(c, None, "received", "来源：扫码投诉")
    return c


def rating_clause(unit_id) -> sa.Select:
    """SELECT avg, n: the average stars and number of consumers' evaluations of a unit (`unit_id` a value or a
    bind parameter), for callers that fold it into a statement of their own (the public page). A 消费义工's
    visit is not a consumer's: it feeds the staff's record, never the public figure (which would tell the
    unit when it was visited)."""
    return sa.select(sa.func.avg(Evaluation.stars).label("avg"), sa.func.count(Evaluation.id).label("n")).where(
        Evaluation.unit_id == unit_id, Evaluation.source == "consumer")


def rating_of(avg, n: int) -> tuple[float | None, int]:
    """(average stars to one decimal or None, count) from rating_clause's row."""
    return (round(float(avg), 1) if avg is not None else None), n


def rating(unit_id: int) -> tuple[float | None, int]:
    """(average stars, number of evaluations) of a unit."""
    return rating_of(*db.session.execute(rating_clause(unit_id)).one())


def list_evaluations(user, station_id: int | None = None, limit: int = 200) -> list[Evaluation]:
    """Evaluations of units in the user's scope, newest first."""
    q = sa.select(Evaluation).where(scope_clause(user, Evaluation.station_id, Evaluation.county_id))
    if station_id:
        q = q.where(Evaluation.station_id == station_id)
    return db.session.scalars(q.order_by(Evaluation.created_at.desc(), Evaluation.id.desc()).limit(limit)).all()


def list_complaints(user, station_id: int | None = None, limit: int = 200) -> list[Complaint]:
    """Complaints and reports in the user's scope, newest first."""
    q = sa.select(Complaint).where(scope_clause(user, Complaint.station_id, Complaint.county_id))
    if station_id:
        q = q.where(Complaint.station_id == station_id)
    return db.session.scalars(q.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit)).all()


def get_complaint(user, complaint_id: int) -> Complaint:
    """A complaint in the user's scope; NotFound otherwise."""
    c = db.session.get(Complaint, complaint_id)
    if c is None or c.county_id != user.county_id or (
            user.role != "county_admin" and c.station_id != user.station_id):
        raise NotFound("找不到该投诉")
    return c


def can_see_phone(user, complaint: Complaint) -> bool:
    """Only the handling station's admins and county admins see a complainant's phone."""
    if user.role == "county_admin":
        return user.county_id == complaint.county_id
    return user.role == "station_admin" and user.station_id == complaint.station_id


def masked(phone: str) -> str:
    """138****5678."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def complaint_thumb(user, complaint_id: int) -> tuple[str, bytes]:
    """(sha, thumbnail JPEG) of a complaint's photo, for users who may see the complaint."""
    c = get_complaint(user, complaint_id)
    if not c.photo_sha256:
        raise NotFound("该投诉没有照片")
    return c.photo_sha256, thumbnail_of(c.photo_sha256)
