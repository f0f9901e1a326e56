"""rollup snapshot: the city's or the province's roll-up as a dated report made by a background job

Revision ID: f20b3d9a1c57
Revises: f19b2c3d4e5f
Create Date: 2026-11-29 18:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f20b3d9a1c57"
down_revision = "f19b2c3d4e5f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rollup_snapshot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region_id", sa.Integer(), sa.ForeignKey("region.id", name="fk_rollup_snapshot_region_id_region"),
                  nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("job.id", name="fk_rollup_snapshot_job_id_job",
                                                        ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_rollup_snapshot_region_year_made", "rollup_snapshot", ["region_id", "year", "made_at"])


def downgrade():
    op.drop_index("ix_rollup_snapshot_region_year_made", table_name="rollup_snapshot")
    op.drop_table("rollup_snapshot")
