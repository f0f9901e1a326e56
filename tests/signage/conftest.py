"""Fixtures for signs: units that passed post-evaluation, and issuing through the service."""
import pytest

from server.extensions import db
from server.signage import service
from tests.conftest import YEAR


@pytest.fixture
def evaluated(app, world):
    """The world's two units moved to 后评价通过 for the year; returns their ids (a, b)."""
    from server.unit.models import UnitYear
    with app.app_context():
        for uy in db.session.scalars(db.select(UnitYear)):
            uy.stage = "evaluated"
        db.session.commit()
    return world.ids["unit_a"], world.ids["unit_b"]


def issue(app, world, unit_key="unit_a", admin="admin_a"):
    """Issue a sign as an admin; returns (id, token, serial)."""
    with app.app_context():
        from server.account.models import User
        user = db.session.get(User, world.ids[admin])
        sign = service.issue_sign(user, world.ids[unit_key], YEAR)
        db.session.commit()
        return sign.id, sign.token, sign.serial
