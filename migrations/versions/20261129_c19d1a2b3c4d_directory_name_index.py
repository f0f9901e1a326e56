"""directory: units by name, so a page of the public directory walks an index instead of sorting them all

Revision ID: c19d1a2b3c4d
Revises: b18d7e4c9a10
Create Date: 2026-11-29 15:20:00

"""
from alembic import op

revision = "c19d1a2b3c4d"
down_revision = "b18d7e4c9a10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_unit_name_id", "unit", ["name", "id"])


def downgrade():
    op.drop_index("ix_unit_name_id", table_name="unit")
