"""The benches' shared data: one county, station 五云所, its station admin, and n units that passed
post-evaluation with their signs issued. Call inside an app context on an empty database."""
YEAR = 2023


def station_with_signs(n: int, admin_username: str, password_hash: str,
                       unit_name: str = "五云放心商户{i:03d}号", year: int = YEAR):
    """(county, station, admin): n units of type general at 后评价通过 in `year`, each with its sign,
    committed. `unit_name` is formatted with the unit's number i."""
    from server.account.models import User
    from server.extensions import db
    from server.signage import service
    from server.station.models import County, Station
    from server.unit.models import Unit, UnitYear
    from tests.conftest import valid_uscc
    county = County(code="jinyun", name="缙云县", authority="缙云县市场监督管理局")
    db.session.add(county)
    db.session.flush()
    st = Station(county_id=county.id, code="wuyun", name="五云所")
    db.session.add(st)
    db.session.flush()
    admin = User(username=admin_username, name=admin_username, role="station_admin", county_id=county.id,
                 station_id=st.id, password_hash=password_hash)
    db.session.add(admin)
    for i in range(n):
        u = Unit(county_id=county.id, station_id=st.id, name=unit_name.format(i=i), uscc=valid_uscc(i),
                 address=f"五云街道{i}号", type="general")
        db.session.add(u)
        db.session.flush()
        db.session.add(UnitYear(unit_id=u.id, year=year, stage="evaluated"))
    db.session.flush()
    service.issue_signs(admin, [u.id for u in service.issuable_units(admin, st.id, year)], year)
    db.session.commit()
    return county, st, admin
