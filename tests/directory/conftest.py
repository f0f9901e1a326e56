"""A county's directory: units with signs in force of every type, and units that must not be listed."""
import pytest

from server.account.models import User
from server.carrier.models import Carrier
from server.extensions import db
from server.signage import service as signs
from server.station.models import Station
from server.unit.models import Unit, UnitYear
from tests.conftest import YEAR, valid_uscc


def add_unit(world, name, station_key, n, type="general", industry="", tags=(), stage="evaluated",
             address=None, **extra):
    station = db.session.get(Station, world.ids[station_key])
    u = Unit(county_id=world.ids["county"], station_id=station.id, name=name, uscc=valid_uscc(n),
             address=address or f"{station.name}路{n}号", type=type, industry=industry, tags=list(tags),
             contact_name="王老板", contact_phone="13812345678",
             return_days=7 if type == "no_reason_return" else None, **extra)
    db.session.add(u)
    db.session.flush()
    db.session.add(UnitYear(unit_id=u.id, year=YEAR, stage=stage))
    db.session.flush()
    return u


def issue(world, unit, admin="county_admin"):
    return signs.issue_sign(db.session.get(User, world.ids[admin]), unit.id, YEAR)


@pytest.fixture
def listed(app, world):
    """Names → unit ids: five units in force (two stations, every type, a tag, a carrier) and three not."""
    with app.app_context():
        wy = world.ids
        units = {
            "clothes": add_unit(world, "五云好衣服装店", "a", 11, "no_reason_return", "服装",
                                return_exclusions="贴身衣物"),
            "shoes": add_unit(world, "五云步步鞋店", "a", 12, "no_reason_return", "鞋帽", ("党员经营户",)),
            "noodles": add_unit(world, "五云阿香面馆", "a", 13, industry="餐饮", address="五云街道仙都路8号"),
            "factory": add_unit(world, "壶镇精工厂", "b", 14, "factory", "五金制造"),
            "tea": add_unit(world, "壶镇茶叶铺", "b", 15, industry="茶叶", tags=("党员先锋岗",)),
            "unsigned": add_unit(world, "五云未发标识店", "a", 16, industry="服装"),
            "revoked": add_unit(world, "五云已撤销服装店", "a", 17, "no_reason_return", "服装"),
            "pool": add_unit(world, "五云培育库服装店", "a", 18, "no_reason_return", "服装", stage="pool"),
        }
        for key in ("clothes", "shoes", "noodles", "factory", "tea", "revoked"):
            issue(world, units[key])
        revoked = signs.active_sign(units["revoked"].id, YEAR)
        signs.revoke_sign(db.session.get(User, wy["county_admin"]), revoked.id, "violations")
        street = Carrier(county_id=wy["county"], station_id=wy["a"], kind="district", name="五云仙都街区",
                         since_year=YEAR, members=[units["noodles"], units["clothes"]])
        db.session.add(street)
        db.session.commit()
        ids = {k: u.id for k, u in units.items()}
        ids["street"] = street.id
    return ids
