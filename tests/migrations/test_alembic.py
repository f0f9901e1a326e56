"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and every revision goes down."""
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from server import create_app
from server.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


@pytest.fixture
def mig_app(tmp_path):
    """An app on a database of its own, empty, for migrating up and down."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        name = "mig_" + uuid.uuid4().hex[:10]
        admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = base.rsplit("/", 1)[0] + "/" + name
    else:
        url, name, admin = f"sqlite:///{tmp_path}/mig.db", None, None
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    yield app
    with app.app_context():
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _diff(app):
    with app.app_context(), db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, db.metadata)


def test_migrated_schema_equals_models(mig_app):
    with mig_app.app_context():
        upgrade(directory=MIGRATIONS)
    assert _diff(mig_app) == []


def test_every_revision_goes_down_and_up_with_data(mig_app):
    with mig_app.app_context():
        script = ScriptDirectory.from_config(_alembic_config())
        revisions = list(reversed(list(script.walk_revisions())))
        assert revisions, "no migrations found"
        # Given data made by the first revision's schema, then every later revision applied over it
        upgrade(directory=MIGRATIONS, revision=revisions[0].revision)
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO county (id, code, name, authority) VALUES (1, 'c', '县', '局')"))
            conn.execute(sa.text("INSERT INTO station (id, county_id, code, name, position) VALUES (1, 1, 's', '所', 0)"))
            conn.execute(sa.text(
                "INSERT INTO unit (id, county_id, station_id, name, uscc, address, industry, contact_name, "
                "contact_phone, type, return_exclusions, tags, business_status, version, created_at, updated_at) "
                "VALUES (1, 1, 1, '店', '91110000600037341L', '路', '', '', '', 'general', '', '[]', 'open', 1, "
                "'2023-01-01', '2023-01-01')"))
        for rev in revisions[1:]:
            upgrade(directory=MIGRATIONS, revision=rev.revision)
        with db.engine.connect() as conn:
            # the unit that was there before sync existed reaches devices on their first pull
            logged = conn.execute(sa.text("SELECT entity, entity_id, seq FROM change_log")).all()
            assert [tuple(r) for r in logged] == [("unit", "1", 1)]
            assert conn.execute(sa.text("SELECT value FROM sync_counter")).scalar() == 1
        # When every revision is undone, one at a time
        for rev in reversed(revisions):
            downgrade(directory=MIGRATIONS, revision=rev.down_revision or "base")
        # Then nothing of ours is left, and it all comes back up
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade(directory=MIGRATIONS)
    assert _diff(mig_app) == []


def _alembic_config():
    from flask import current_app
    return current_app.extensions["migrate"].migrate.get_config(MIGRATIONS)
