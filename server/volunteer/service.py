"""消费义工 (issue 19, item 3): the county assigns anonymous visits at random to units in force within a station or a
carrier; a volunteer sees only their own assignments and sends the visit's experience evaluation (stars per
八有八无 pair, notes, photos of receipts and price tags, GPS and time), which becomes an Evaluation of source
"volunteer" in the unit's record — and so in the daily patrol's rule of repeated low stars
(server.feedback.record). Who made a visit is seen by county admins only.
"""
import random
from datetime import date, datetime, timezone

import sqlalchemy as sa

from server.account.models import User
from server.carrier.models import Carrier, carrier_member
from server.core.clock import today, utcnow
from server.core.errors import Conflict, Forbidden, Invalid, NotFound
from server.extensions import db
from server.feedback.models import Evaluation
from server.feedback.service import clean_pair_stars, store_public_photo
from server.signage.models import Sign
from server.signage.state import in_force_clause
from server.station.models import Station
from server.unit.models import Unit
from server.volunteer.models import VolunteerAssignment

MAX_PER_DRAW = 200
MAX_PHOTOS = 6
VOLUNTEER_HASH = "volunteer"  # an evaluation's address_hash: a volunteer's visit comes from no consumer's address


def require_county(user) -> None:
    """Forbidden for anyone but a county admin."""
    if user is None or user.role != "county_admin":
        raise Forbidden("只有县局管理员可以安排消费义工暗访")


def require_volunteer(user) -> None:
    """Forbidden for anyone but a 消费义工."""
    if user is None or user.role != "volunteer":
        raise Forbidden("此页面供消费义工使用")


def volunteers(user) -> list[User]:
    """The county's active volunteers, by name (county admins)."""
    require_county(user)
    return db.session.scalars(sa.select(User).where(User.county_id == user.county_id, User.role == "volunteer",
                                                    User.active.is_(True)).order_by(User.name, User.id)).all()


def candidates(county_id: int, station_id: int | None = None, carrier_id: int | None = None,
               on: date | None = None) -> list[int]:
    """Ids (ascending) of the units a visit may be drawn from: of the station or members of the carrier, with
    a sign in force on `on` (signage's one rule), and no open visit assigned already."""
    in_force = sa.select(Sign.id).where(Sign.unit_id == Unit.id, in_force_clause(on)).correlate(Unit).exists()
    open_visit = (sa.select(VolunteerAssignment.id).where(VolunteerAssignment.unit_id == Unit.id,
                                                          VolunteerAssignment.status == "open")
                  .correlate(Unit).exists())
    q = sa.select(Unit.id).where(Unit.county_id == county_id, in_force, ~open_visit)
    if station_id is not None:
        q = q.where(Unit.station_id == station_id)
    if carrier_id is not None:
        q = q.where(sa.select(carrier_member.c.unit_id).where(carrier_member.c.unit_id == Unit.id,
                                                              carrier_member.c.carrier_id == carrier_id)
                    .correlate(Unit).exists())
    return list(db.session.scalars(q.order_by(Unit.id)))


def assign_visits(user, *, volunteer_ids: list[int], station_id: int | None = None, carrier_id: int | None = None,
                  count: int, due_date: date, seed: int | None = None) -> list[VolunteerAssignment]:
    """Draw `count` units at random from `candidates` of one station or one carrier (exactly one of the two),
    and give them in turn to the volunteers (ascending id): the first unit drawn to the first volunteer, and
    so on. `seed` makes the draw reproducible (random.Random(seed).sample over the ascending ids). County
    admins only. Invalid, by field, for: no volunteer or one not an active volunteer of the county; neither
    or both of station and carrier, or one not of the county; a count below 1, above MAX_PER_DRAW or above
    the units available; a due date before today (China)."""
    require_county(user)
    errors: dict[str, list[str]] = {}
    chosen = sorted(set(volunteer_ids or []))
    found = db.session.scalars(sa.select(User).where(User.id.in_(chosen), User.county_id == user.county_id,
                                                     User.role == "volunteer", User.active.is_(True))
                               .order_by(User.id)).all() if chosen else []
    if not chosen or len(found) != len(chosen):
        errors["volunteer_ids"] = ["请选择本县在册的消费义工"]
    station = carrier = None
    if (station_id is None) == (carrier_id is None):
        errors["station_id"] = ["请选择一个所（分局），或一个载体（街区、村），二者选一"]
    elif station_id is not None:
        station = db.session.get(Station, station_id)
        if station is None or station.county_id != user.county_id:
            errors["station_id"] = ["请选择本县的所（分局）"]
    else:
        carrier = db.session.get(Carrier, carrier_id)
        if carrier is None or carrier.county_id != user.county_id:
            errors["carrier_id"] = ["请选择本县的载体"]
    if due_date < today():
        errors["due_date"] = ["完成期限不能早于今天"]
    if not 1 <= count <= MAX_PER_DRAW:
        errors["count"] = [f"暗访家数应在1到{MAX_PER_DRAW}之间"]
    if errors:
        raise Invalid("安排未完成：" + "；".join(m for v in errors.values() for m in v), fields=errors)
    pool = candidates(user.county_id, station_id, carrier_id)
    if count > len(pool):
        where = station.name if station else carrier.name
        msg = f"{where}目前只有{len(pool)}家标识有效且未安排暗访的单位" if pool else f"{where}目前没有标识有效且未安排暗访的单位"
        raise Invalid(msg, fields={"count": [msg]})
    drawn = random.Random(seed).sample(pool, count)
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(drawn)))}
    made = []
    for i, unit_id in enumerate(drawn):
        unit = units[unit_id]
        made.append(VolunteerAssignment(county_id=user.county_id, station_id=unit.station_id, unit_id=unit_id,
                                        volunteer_id=found[i % len(found)].id, carrier_id=carrier_id,
                                        due_date=due_date, status="open", created_by_id=user.id,
                                        created_at=utcnow(), photos=[]))
    db.session.add_all(made)
    db.session.flush()
    return made


def list_assignments(user, limit: int = 500) -> list[VolunteerAssignment]:
    """The county's assignments, open first by due date, then sent ones newest first (county admins)."""
    require_county(user)
    return db.session.scalars(sa.select(VolunteerAssignment).where(VolunteerAssignment.county_id == user.county_id)
                              .order_by(VolunteerAssignment.status.desc(), VolunteerAssignment.due_date,
                                        VolunteerAssignment.id.desc()).limit(limit)).all()


def my_assignments(user) -> list[VolunteerAssignment]:
    """The volunteer's own assignments: open ones by due date, then sent ones, newest first."""
    require_volunteer(user)
    rows = db.session.scalars(sa.select(VolunteerAssignment).where(VolunteerAssignment.volunteer_id == user.id)
                              .order_by(VolunteerAssignment.due_date, VolunteerAssignment.id)).all()
    return [a for a in rows if a.status == "open"] + sorted(
        (a for a in rows if a.status != "open"), key=lambda a: a.submitted_at or a.created_at, reverse=True)


def own_assignment(user, assignment_id: int) -> VolunteerAssignment:
    """One of the volunteer's own assignments; NotFound for anyone else's (no hint that it exists)."""
    require_volunteer(user)
    a = db.session.get(VolunteerAssignment, assignment_id)
    if a is None or a.volunteer_id != user.id:
        raise NotFound("找不到该暗访任务")
    return a


def county_assignment(user, assignment_id: int) -> VolunteerAssignment:
    """An assignment of the county admin's county; NotFound otherwise."""
    require_county(user)
    a = db.session.get(VolunteerAssignment, assignment_id)
    if a is None or a.county_id != user.county_id:
        raise NotFound("找不到该暗访任务")
    return a


def _visit_time(given: datetime | None, assignment: VolunteerAssignment, now: datetime) -> datetime:
    """When the visit was made (stored UTC): the phone's time, kept between the assignment and now (a phone's
    clock may be wrong; the visit is never dated before it was assigned nor after it arrived)."""
    if given is None:
        return now
    if given.tzinfo is not None:
        given = given.astimezone(timezone.utc).replace(tzinfo=None)
    return min(max(given, assignment.created_at), now)


def submit_visit(user, assignment_id: int, data: dict, photos: list[bytes] = ()) -> VolunteerAssignment:
    """Record the volunteer's visit (data validated by schemas.volunteer.VisitSchema): an Evaluation of source
    "volunteer" for the unit, dated by the visit's time, and the visit's place, time and photos on the
    assignment. Sending the same visit again (same client_id) changes nothing and returns it — a phone that
    lost the answer sends again. Conflict for a second, different visit; Invalid for pair codes not of the
    standard or more than MAX_PHOTOS photos (nothing stored)."""
    a = own_assignment(user, assignment_id)
    if a.status == "done":
        if a.client_id and a.client_id == data.get("client_id"):
            return a
        raise Conflict("该暗访已提交过，不能重复提交")
    if db.session.scalar(sa.select(VolunteerAssignment.id).where(VolunteerAssignment.client_id == data["client_id"])):
        raise Conflict("该提交编号已被使用")
    if len(photos) > MAX_PHOTOS:
        raise Invalid(f"照片最多{MAX_PHOTOS}张", fields={"photos": [f"照片最多{MAX_PHOTOS}张"]})
    pair_stars = clean_pair_stars(a.county_id, data.get("pair_stars"))
    shas = [store_public_photo(p) for p in photos]
    now = utcnow()
    at = _visit_time(data.get("visited_at"), a, now)
    unit = a.unit
    ev = Evaluation(unit_id=a.unit_id, sign_id=None, county_id=a.county_id, station_id=unit.station_id,
                    stars=data["stars"], pair_stars=pair_stars, tags=[], comment=data.get("comment", ""),
                    source="volunteer", address_hash=VOLUNTEER_HASH, created_at=at)
    db.session.add(ev)
    db.session.flush()
    a.status, a.client_id, a.visited_at, a.submitted_at = "done", data["client_id"], at, now
    a.lat, a.lng, a.accuracy_m = data.get("lat"), data.get("lng"), data.get("accuracy_m")
    a.photos, a.evaluation_id = list(dict.fromkeys(shas)), ev.id
    db.session.flush()
    return a


def visits_of_evaluations(evaluation_ids: list[int]) -> dict[int, VolunteerAssignment]:
    """{evaluation id: its volunteer assignment} for those that came from a visit."""
    if not evaluation_ids:
        return {}
    return {a.evaluation_id: a for a in db.session.scalars(sa.select(VolunteerAssignment).where(
        VolunteerAssignment.evaluation_id.in_(evaluation_ids)))}


def visit_photo(user, assignment_id: int, sha: str) -> str:
    """The sha of a photo of a visit, for a county admin of its county; NotFound otherwise."""
    a = county_assignment(user, assignment_id)
    if sha not in (a.photos or []):
        raise NotFound("找不到该照片")
    return sha


def overdue(assignment: VolunteerAssignment, on: date | None = None) -> bool:
    """An open assignment past its due date."""
    return assignment.status == "open" and assignment.due_date < (on or today())


