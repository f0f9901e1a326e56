"""region jobs: a city's or the province's job (the roll-up export) has no county

Revision ID: f21b8d2e6c43
Revises: f18c0a1b2c3d
Create Date: 2026-11-29 18:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f21b8d2e6c43"
down_revision = "f18c0a1b2c3d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job") as batch:
        batch.alter_column("county_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM job WHERE county_id IS NULL AND retry_of_id IS NOT NULL")
    op.execute("UPDATE job SET retry_of_id = NULL WHERE retry_of_id IN (SELECT id FROM job WHERE county_id IS NULL)")
    op.execute("DELETE FROM job WHERE county_id IS NULL")
    with op.batch_alter_table("job") as batch:
        batch.alter_column("county_id", existing_type=sa.Integer(), nullable=False)
