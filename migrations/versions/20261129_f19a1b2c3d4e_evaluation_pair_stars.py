"""evaluation.pair_stars: a consumer's stars per 八有八无 pair

Revision ID: f19a1b2c3d4e
Revises: e20f1a2b3c4d
Create Date: 2026-11-29 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f19a1b2c3d4e"
down_revision = "e20f1a2b3c4d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evaluation") as batch_op:
        batch_op.add_column(sa.Column("pair_stars", sa.JSON(), nullable=False, server_default="{}"))


def downgrade():
    with op.batch_alter_table("evaluation") as batch_op:
        batch_op.drop_column("pair_stars")
