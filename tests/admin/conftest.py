"""Helpers for the admin page tests: log in as a role, count rows outside any request."""
import pytest
import sqlalchemy as sa

from server.extensions import db
from tests.conftest import login


@pytest.fixture
def count(app):
    """count(Model, *where): rows in the database now, read in a context of its own."""
    def _count(model, *where):
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
    return _count


@pytest.fixture
def fetch(app):
    """fetch(Model, id): a row's column values as a dict, read in a context of its own."""
    def _fetch(model, ident):
        with app.app_context():
            row = db.session.get(model, ident)
            return None if row is None else {c.key: getattr(row, c.key) for c in model.__table__.columns}
    return _fetch


@pytest.fixture
def as_user(client, world):
    """as_user(username): the test client logged in as that user."""
    def _as(username):
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return _as
