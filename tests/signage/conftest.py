"""Fixtures for signs: units that passed post-evaluation, and issuing through the service."""
import pytest

from server.extensions import db
from server.signage import service
from tests.conftest import YEAR


@pytest.fixture
def evaluated(app, world):
    """The world's two units moved to 后评价通过 for the year through the services (manual steps, then a
    passing evaluation recorded with its evidence); returns their ids (a, b)."""
    from server.account.models import User
    from server.unit.models import Unit
    from tests.conftest import certify
    with app.app_context():
        for unit_key, admin in (("unit_a", "admin_a"), ("unit_b", "admin_b")):
            certify(db.session.get(User, world.ids[admin]), db.session.get(Unit, world.ids[unit_key]))
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
