"""Setting up the levels above the counties: cities and the province, which counties a city holds, and
their read-only accounts (`flask region ...`)."""
import sqlalchemy as sa

from server.account.models import User
from server.account.service import hash_password
from server.core.errors import Conflict, Invalid, NotFound
from server.extensions import db
from server.station.models import REGION_KINDS, County, Region


def _region(code: str) -> Region:
    region = db.session.scalar(sa.select(Region).where(Region.code == code))
    if region is None:
        raise NotFound(f"找不到代码为“{code}”的市局或省局")
    return region


def create_region(code: str, name: str, kind: str, parent_code: str | None = None) -> Region:
    """A city (kind "city", under its province when parent_code names it) or the province ("province").
    Invalid for an unknown kind, Conflict for a code in use."""
    if kind not in REGION_KINDS:
        raise Invalid("级别须为 city（市局）或 province（省局）", fields={"kind": ["级别不正确"]})
    if db.session.scalar(sa.select(Region.id).where(Region.code == code)):
        raise Conflict(f"代码“{code}”已被使用", fields={"code": ["代码已被使用"]})
    parent = _region(parent_code) if parent_code else None
    region = Region(code=code, name=name, kind=kind, parent_id=parent.id if parent else None)
    db.session.add(region)
    db.session.flush()
    return region


def place_county(county_code: str, city_code: str) -> County:
    """Put a county in a city: the city's accounts see it from now on."""
    county = db.session.scalar(sa.select(County).where(County.code == county_code))
    if county is None:
        raise NotFound(f"找不到代码为“{county_code}”的县")
    city = _region(city_code)
    if city.kind != "city":
        raise Invalid("县只能归属于市局", fields={"city": ["请填写市局代码"]})
    county.region_id = city.id
    db.session.flush()
    return county


def create_region_user(username: str, name: str, region_code: str, password: str, phone: str = "") -> User:
    """A read-only account of a city or the province (its role is the region's kind)."""
    region = _region(region_code)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict("用户名已被使用", fields={"username": ["用户名已被使用"]})
    if len(password) < 8:
        raise Invalid("密码至少8位", fields={"password": ["密码至少8位"]})
    user = User(username=username, name=name, phone=phone, role=region.kind, county_id=None, station_id=None,
                region_id=region.id, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user
