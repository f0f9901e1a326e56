"""Load the demo data: Jinyun's nine stations, the 2023 targets, accounts and about 1122 units — the 2023 plan's
year as history, and the current programme year in progress (targets copied, units renewed or not)."""
import csv
import json
import random
from datetime import date, datetime, timedelta
from importlib import resources

import sqlalchemy as sa

from server.account.models import User
from server.account.service import hash_password
from server.carrier.models import Carrier
from server.core.clock import china_date, today
from server.demo.names import credit_code, person, unit_profile
from server.extensions import db
from server.station.models import County, Station, Target
from server.station.service import current_programme_year
from server.unit.models import CERTIFIED, STAGE_ORDER, EvaluationResult, LifecycleEvent, Unit, UnitYear

YEAR = 2023
COUNTY = {"code": "jinyun", "name": "缙云县", "authority": "缙云县市场监督管理局"}
DEMO_PASSWORD = "fangxin2023"
LIAISON_TARGET = 19
# Where the demo units stand late in the year: (stage, share).
STAGE_MIX = [("pool", 0.05), ("committed", 0.05), ("profiled", 0.10), ("evaluated", 0.12),
             ("sign_issued", 0.13), ("sign_posted", 0.52), ("removed", 0.03)]
REMOVAL_MIX = ["closed", "unsuitable", "transferred", "failed_evaluation"]
# When in the year each stage was reached (share of the way from 1 January to the year's end, or today).
WHEN = {"pool": 0.08, "committed": 0.2, "profiled": 0.38, "evaluated": 0.7, "sign_issued": 0.78,
        "sign_posted": 0.86, "removed": 0.6}
# The current year: where 2023's certified units stand (renewed, under way, or not re-enrolled).
RENEWAL_MIX = [("sign_posted", 0.35), ("sign_issued", 0.15), ("evaluated", 0.08), ("profiled", 0.12),
               ("committed", 0.05), (None, 0.25)]


def data_file(name: str) -> str:
    """The text of a file shipped in server/demo/data."""
    return resources.files("server.demo").joinpath("data", name).read_text(encoding="utf-8")


def target_rows() -> list[dict]:
    """The attachment table of the 2023 work plan."""
    return list(csv.DictReader(data_file("targets-2023.csv").splitlines()))


def checklist_base() -> dict:
    """The 八有八无 base standard."""
    return json.loads(data_file("checklist-base.json"))


def is_loaded() -> bool:
    """True when the demo county is already there."""
    return db.session.scalar(sa.select(County.id).where(County.code == COUNTY["code"])) is not None


def load(seed: int = YEAR) -> dict:
    """Create everything; returns the demo accounts {username: role label}."""
    rng = random.Random(seed)
    county = County(**COUNTY)
    db.session.add(county)
    db.session.flush()
    accounts = {"admin": ("county_admin", "县局消保科管理员", None)}
    stations = []
    for i, row in enumerate(target_rows()):
        st = Station(county_id=county.id, code=row["station_code"], name=row["station_name"], position=i)
        db.session.add(st)
        db.session.flush()
        stations.append((st, row))
        _targets(county, st, row)
        accounts[f"{st.code}_admin"] = ("station_admin", f"{st.name}管理员", st)
        accounts[f"{st.code}_inspector"] = ("inspector", f"{st.name}执法人员{person(rng)}", st)
    db.session.add(Target(year=YEAR, county_id=county.id, station_id=None, kind="liaison", count=LIAISON_TARGET))
    users = _accounts(county, accounts)
    regions = _regions(county)
    _checklists(county)
    used_codes = set(db.session.scalars(sa.select(Unit.uscc)))
    for st, row in stations:
        _units(rng, county, st, row, users[f"{st.code}_admin"], used_codes)
        _carriers(rng, county, st, row)
    db.session.flush()
    from server.demo.signs import load_signs
    load_signs(county, YEAR)
    now = current_programme_year()
    if now > YEAR:
        _current_year(rng, county, now, users)
        load_signs(county, now)
    return {**{name: role for name, (role, _, _) in accounts.items()}, **regions}


def _regions(county) -> dict:
    """The province and the city above the demo county, each with its read-only account: {username: role}."""
    from server.station.regions import create_region, create_region_user, place_county
    create_region("zhejiang", "浙江省市场监督管理局", "province")
    create_region("lishui", "丽水市市场监督管理局", "city", "zhejiang")
    place_county(county.code, "lishui")
    create_region_user("lishui", "丽水市局汇总查看", "lishui", DEMO_PASSWORD)
    create_region_user("zhejiang", "浙江省局汇总查看", "zhejiang", DEMO_PASSWORD)
    return {"lishui": "city", "zhejiang": "province"}


def _when(year: int, stage: str, rng) -> datetime:
    """A UTC moment in the year at which a demo unit reached a stage (never after yesterday)."""
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), today() - timedelta(days=1))
    day = start + timedelta(days=int((end - start).days * WHEN[stage]) + rng.randint(0, 5))
    return datetime(min(day, end).year, min(day, end).month, min(day, end).day, 2, rng.randint(0, 59))


def _steps(rng, unit, year: int, stage: str, admin, reason: str | None = None) -> None:
    """The dated lifecycle of a unit in a year up to stage, with its evaluation's evidence."""
    reached = "committed" if stage == "removed" else stage
    prev = None
    for s in STAGE_ORDER[:STAGE_ORDER.index(reached) + 1]:
        at = _when(year, s, rng)
        evidence = None
        if s == "evaluated":
            result = EvaluationResult(unit_id=unit.id, year=year, passed=True,
                                      evaluated_on=china_date(at), recorded_by=admin.id,
                                      evidence_ref=f"缙市监后评〔{year}〕{unit.id}号", recorded_at=at,
                                      note="演示数据：线下后评价")
            db.session.add(result)
            db.session.flush()
            evidence = ("evaluation_result", result.id)
        db.session.add(LifecycleEvent(unit_id=unit.id, year=year, from_stage=prev, to_stage=s, user_id=admin.id,
                                      at=at, evidence_type=evidence[0] if evidence else None,
                                      evidence_id=evidence[1] if evidence else None))
        prev = s
    if stage == "removed":
        db.session.add(LifecycleEvent(unit_id=unit.id, year=year, from_stage=prev, to_stage="removed",
                                      reason=reason, user_id=admin.id, at=_when(year, "removed", rng)))
    db.session.add(UnitYear(unit_id=unit.id, year=year, stage=stage, removal_reason=reason))


def _current_year(rng, county, year: int, users: dict) -> None:
    """The year in progress: 2023's targets copied; 2023's certified units renewed or not, others
    re-enrolled in part."""
    for t in db.session.scalars(sa.select(Target).where(Target.county_id == county.id, Target.year == YEAR)).all():
        db.session.add(Target(year=year, county_id=county.id, station_id=t.station_id, kind=t.kind, count=t.count))
    admins = {u.station_id: u for u in users.values() if u.role == "station_admin"}
    rows = db.session.execute(sa.select(Unit, UnitYear.stage).join(UnitYear, UnitYear.unit_id == Unit.id)
                              .where(Unit.county_id == county.id, UnitYear.year == YEAR).order_by(Unit.id)).all()
    for unit, stage in rows:
        if stage in CERTIFIED:
            now = rng.choices([s for s, _ in RENEWAL_MIX], [w for _, w in RENEWAL_MIX])[0]
        elif stage != "removed":
            now = rng.choice(["pool", "committed", "profiled", None])
        else:
            now = None
        if now is not None:
            _steps(rng, unit, year, now, admins[unit.station_id])


def _targets(county, st, row) -> None:
    kinds = {"general": "general_units", "no_reason_return": "no_reason_return_units",
             "factory": "trusted_factories", "district": "districts", "village": "villages"}
    for kind, col in kinds.items():
        db.session.add(Target(year=YEAR, county_id=county.id, station_id=st.id, kind=kind, count=int(row[col])))


def _accounts(county, accounts: dict) -> dict:
    pw = hash_password(DEMO_PASSWORD)
    users = {}
    for username, (role, name, st) in accounts.items():
        users[username] = User(username=username, name=name, role=role, county_id=county.id,
                               station_id=st.id if st else None, password_hash=pw,
                               phone=f"1385786{len(users):04d}" if role != "inspector" else "")
        db.session.add(users[username])
    db.session.flush()
    return users


def _units(rng, county, st, row, admin, used_codes: set) -> None:
    counts = {"general": int(row["general_units"]), "no_reason_return": int(row["no_reason_return_units"]),
              "factory": int(row["trusted_factories"])}
    serial = 0
    for kind, n in counts.items():
        for _ in range(n):
            serial += 1
            profile = unit_profile(rng, st.code, kind, serial)
            profile["name"] = _unique_name(profile["name"], used_codes)
            unit = Unit(county_id=county.id, station_id=st.id, uscc=_unique_code(rng, kind, used_codes),
                        **profile)
            db.session.add(unit)
            db.session.flush()
            _history(rng, unit, admin)


def _unique_name(name: str, used: set) -> str:
    """A shop name not yet used in the demo: a second shop of the same name is its 分店."""
    k = 1
    unique = name
    while ("name", unique) in used:
        k += 1
        unique = f"{name}（{k}号分店）"
    used.add(("name", unique))
    return unique


def _unique_code(rng, kind, used: set) -> str:
    while True:
        code = credit_code(rng, kind)
        if code not in used:
            used.add(code)
            return code


def _history(rng, unit, admin) -> None:
    stage = rng.choices([s for s, _ in STAGE_MIX], [w for _, w in STAGE_MIX])[0]
    reason = rng.choice(REMOVAL_MIX) if stage == "removed" else None
    _steps(rng, unit, YEAR, stage, admin, reason)


def _carriers(rng, county, st, row) -> None:
    members = db.session.scalars(sa.select(Unit).where(Unit.station_id == st.id).limit(12)).all()
    for i in range(int(row["districts"])):
        db.session.add(Carrier(county_id=county.id, station_id=st.id, kind="district", since_year=YEAR,
                               name=f"{st.name[:2]}放心消费示范街区", leader_name=person(rng),
                               leader_phone=f"139{rng.randint(10000000, 99999999)}", members=members))
    for i in range(int(row["villages"])):
        db.session.add(Carrier(county_id=county.id, station_id=st.id, kind="village", since_year=YEAR,
                               name=f"{st.name[:2]}放心消费示范村", leader_name=person(rng)))
    # 19 liaison stations over the county, two or three a station.
    for i in range(2 if st.position >= 1 else 3):
        db.session.add(Carrier(county_id=county.id, station_id=st.id, kind="liaison", since_year=YEAR,
                               name=f"{st.name[:2]}第{i + 1}村级消费维权联络站", leader_name=person(rng)))


def _checklists(county) -> None:
    """The base 八有八无 for every type, with the X items of a no-reason-return unit and a factory."""
    from server.checklist.service import create_standard_templates
    create_standard_templates(county.id, checklist_base())
