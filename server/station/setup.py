"""Setting up a real county without the demo: its stations and yearly targets from the work plan's
attachment table, the base checklist, and its first county admin (`flask county init`)."""
import re
from dataclasses import dataclass

import sqlalchemy as sa

from server.account.models import User
from server.account.service import hash_password
from server.checklist.service import create_standard_templates
from server.core.errors import Conflict, Invalid
from server.core.tables import read_numbered_rows
from server.extensions import db
from server.station.models import County, Station, Target

# The attachment table's columns (server/demo/data/targets-2023.csv): the file's own headings, or Chinese.
COLUMNS = [("station_code", "station_code"), ("station_name", "station_name"), ("total_units", "total_units"),
           ("general_units", "general_units"), ("no_reason_return_units", "no_reason_return_units"),
           ("trusted_factories", "trusted_factories"), ("districts", "districts"), ("villages", "villages")]
CHINESE = {"station_code": "所代码", "station_name": "所（分局）", "total_units": "合计",
           "general_units": "一般单位", "no_reason_return_units": "无理由退货单位", "trusted_factories": "放心工厂",
           "districts": "放心街区（商圈）", "villages": "放心消费示范村"}
COUNTS = {"general": "general_units", "no_reason_return": "no_reason_return_units",
          "factory": "trusted_factories", "district": "districts", "village": "villages"}
CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
MAX_COUNT = 100_000


@dataclass
class StationRow:
    """One station of the attachment table, checked."""

    code: str
    name: str
    counts: dict  # target kind → count


def read_stations(filename: str, content: bytes) -> list[StationRow]:
    """The stations of an attachment table (XLSX or CSV; the shipped file's headings or Chinese ones).

    Raises Invalid naming every bad row (row numbers as Excel shows them): a code that is not 2–30
    lower-case letters, digits or _, a repeated code or name, an empty name, a count that is not a whole
    number from 0 to 100 000, a total that is not the sum of the three unit types."""
    try:
        rows = read_numbered_rows(filename, content, COLUMNS, [k for k, _ in COLUMNS if k != "total_units"])
    except Invalid:
        rows = read_numbered_rows(filename, content, list(CHINESE.items()),
                                  [k for k in CHINESE if k != "total_units"])
    problems, out, seen_codes, seen_names = [], [], set(), set()
    for n, row in rows:
        errs = []
        code, name = row.get("station_code", "").strip().lower(), row.get("station_name", "").strip()
        if not CODE.match(code):
            errs.append(f"所代码“{code}”应为2到30个小写字母、数字或下划线，以字母开头")
        elif code in seen_codes:
            errs.append(f"所代码“{code}”重复")
        if not name or len(name) > 30:
            errs.append("所（分局）名称不能为空，且不超过30个字")
        elif name in seen_names:
            errs.append(f"名称“{name}”重复")
        counts = {}
        for kind, col in COUNTS.items():
            text = (row.get(col) or "0").strip()
            if not text.isdigit() or int(text) > MAX_COUNT:
                errs.append(f"{CHINESE[col]}“{text}”应为0到{MAX_COUNT}的整数")
            else:
                counts[kind] = int(text)
        total = (row.get("total_units") or "").strip()
        if total and len(counts) == len(COUNTS):
            units = counts["general"] + counts["no_reason_return"] + counts["factory"]
            if not total.isdigit() or int(total) != units:
                errs.append(f"合计“{total}”不等于三类单位之和{units}")
        if errs:
            problems.append(f"第{n}行：" + "；".join(errs))
        else:
            seen_codes.add(code)
            seen_names.add(name)
            out.append(StationRow(code, name, counts))
    if problems:
        raise Invalid("文件有误，未做任何设置：\n" + "\n".join(problems))
    if not out:
        raise Invalid("文件中没有所（分局）")
    return out


def init_county(*, code: str, name: str, authority: str, year: int, stations: list[StationRow],
                standard: dict, admin_username: str, admin_password: str, admin_name: str = "县局管理员",
                liaison: int = 0) -> County:
    """Create a county with its stations, the year's targets (plus `liaison` village liaison stations for
    the county), the standard checklists (`standard`: the 八有八无 base) and its first county admin.

    Raises Conflict when the county code or the admin's username is taken, Invalid for a bad code,
    year or password. The caller commits."""
    if not CODE.match(code or ""):
        raise Invalid("县代码应为2到30个小写字母、数字或下划线，以字母开头")
    if not (name or "").strip() or not (authority or "").strip():
        raise Invalid("县名称和发证机关不能为空")
    if not 2000 <= year <= 2100:
        raise Invalid("年度应在2000到2100之间")
    if len(admin_password or "") < 10:
        raise Invalid("管理员密码至少10位")
    if not 0 <= liaison <= MAX_COUNT:
        raise Invalid(f"村级消费维权联络站数应为0到{MAX_COUNT}的整数")
    if db.session.scalar(sa.select(County.id).where(County.code == code)) is not None:
        raise Conflict(f"县代码“{code}”已存在，未做任何设置")
    if db.session.scalar(sa.select(User.id).where(User.username == admin_username)) is not None:
        raise Conflict(f"用户名“{admin_username}”已被使用，未做任何设置")
    county = County(code=code, name=name.strip(), authority=authority.strip())
    db.session.add(county)
    db.session.flush()
    for position, row in enumerate(stations):
        station = Station(county_id=county.id, code=row.code, name=row.name, position=position)
        db.session.add(station)
        db.session.flush()
        db.session.add_all(Target(year=year, county_id=county.id, station_id=station.id, kind=kind, count=n)
                           for kind, n in row.counts.items())
    if liaison:
        db.session.add(Target(year=year, county_id=county.id, station_id=None, kind="liaison", count=liaison))
    admin = User(username=admin_username, name=admin_name, role="county_admin", county_id=county.id,
                 password_hash=hash_password(admin_password))
    db.session.add(admin)
    db.session.flush()
    create_standard_templates(county.id, standard, admin.id)
    return county
