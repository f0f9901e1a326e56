"""volunteers: 消费义工 assignments of anonymous visits, and the source of an evaluation

Revision ID: f19b2c3d4e5f
Revises: f21b8d2e6c43
Create Date: 2026-11-29 17:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f19b2c3d4e5f"
down_revision = "f21b8d2e6c43"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evaluation") as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(10), nullable=False, server_default="consumer"))
    op.create_table(
        "volunteer_assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("county_id", sa.Integer(), sa.ForeignKey("county.id"), nullable=False),
        sa.Column("station_id", sa.Integer(), sa.ForeignKey("station.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("carrier_id", sa.Integer(), sa.ForeignKey("carrier.id"), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=True),
        sa.Column("visited_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id"), nullable=True),
        sa.UniqueConstraint("client_id", name="uq_volunteer_assignment_client_id"),
        sa.UniqueConstraint("evaluation_id", name="uq_volunteer_assignment_evaluation_id"),
    )
    op.create_index("ix_volunteer_assignment_unit_id", "volunteer_assignment", ["unit_id"])
    op.create_index("ix_volunteer_assignment_volunteer_id", "volunteer_assignment", ["volunteer_id"])
    op.create_index("ix_volunteer_assignment_unit_status", "volunteer_assignment", ["unit_id", "status"])


def downgrade():
    op.drop_table("volunteer_assignment")
    with op.batch_alter_table("evaluation") as batch_op:
        batch_op.drop_column("source")
