"""regions: cities and the province above the counties, and their read-only accounts (issue 20 item 5)

A region account has no county: user_account.county_id becomes nullable and user_account.region_id names
its city or province; county.region_id places a county in its city.

Revision ID: f20a7c1e5b32
Revises: f19a1b2c3d4e
Create Date: 2026-11-29 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f20a7c1e5b32"
down_revision = "f19a1b2c3d4e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("region.id"), nullable=True),
    )
    with op.batch_alter_table("county") as batch:
        batch.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_county_region_id_region", "region", ["region_id"], ["id"])
        batch.create_index("ix_county_region_id", ["region_id"])
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_user_account_region_id_region", "region", ["region_id"], ["id"])
        batch.alter_column("county_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM user_account WHERE county_id IS NULL")
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column("county_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("fk_user_account_region_id_region", type_="foreignkey")
        batch.drop_column("region_id")
    with op.batch_alter_table("county") as batch:
        batch.drop_index("ix_county_region_id")
        batch.drop_constraint("fk_county_region_id_region", type_="foreignkey")
        batch.drop_column("region_id")
    op.drop_table("region")
