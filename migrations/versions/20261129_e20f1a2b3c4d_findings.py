"""findings: third-party and provincial assessment findings, each demanded of its unit as a rectification

Revision ID: e20f1a2b3c4d
Revises: d19e2b3c4d5e
Create Date: 2026-11-29 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e20f1a2b3c4d"
down_revision = "d19e2b3c4d5e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("county_id", sa.Integer(), sa.ForeignKey("county.id"), nullable=False),
        sa.Column("station_id", sa.Integer(), sa.ForeignKey("station.id"), nullable=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("batch", sa.String(200), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("problem", sa.String(500), nullable=False),
        sa.Column("pair_code", sa.String(40), nullable=True),
        sa.Column("item_code", sa.String(40), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("decision_note", sa.String(500), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_finding_county_id", "finding", ["county_id"])
    op.create_index("ix_finding_station_id", "finding", ["station_id"])
    op.create_index("ix_finding_unit_id", "finding", ["unit_id"])
    with op.batch_alter_table("rectification") as batch:
        batch.alter_column("inspection_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("finding_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_rectification_finding_id_finding", "finding", ["finding_id"], ["id"])
        batch.create_index("ix_rectification_finding_id", ["finding_id"])


def downgrade():
    op.execute("DELETE FROM rectification WHERE inspection_id IS NULL")
    with op.batch_alter_table("rectification") as batch:
        batch.drop_index("ix_rectification_finding_id")
        batch.drop_constraint("fk_rectification_finding_id_finding", type_="foreignkey")
        batch.drop_column("finding_id")
        batch.alter_column("inspection_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_finding_unit_id", table_name="finding")
    op.drop_index("ix_finding_station_id", table_name="finding")
    op.drop_index("ix_finding_county_id", table_name="finding")
    op.drop_table("finding")
