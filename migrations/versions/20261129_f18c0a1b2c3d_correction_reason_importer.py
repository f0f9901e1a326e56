"""inspection: who corrected a record and why, and who imported a rescued record (issue 18, items 4 and 5)

Revision ID: f18c0a1b2c3d
Revises: f20a7c1e5b32
Create Date: 2026-11-29 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "f18c0a1b2c3d"
down_revision = "f20a7c1e5b32"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inspection") as batch:
        batch.add_column(sa.Column("correction_reason", sa.String(500), nullable=True))
        batch.add_column(sa.Column("corrected_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_inspection_corrected_by_id_user_account", "user_account",
                                 ["corrected_by_id"], ["id"])
        batch.add_column(sa.Column("imported_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_inspection_imported_by_id_user_account", "user_account",
                                 ["imported_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("inspection") as batch:
        batch.drop_constraint("fk_inspection_imported_by_id_user_account", type_="foreignkey")
        batch.drop_column("imported_by_id")
        batch.drop_constraint("fk_inspection_corrected_by_id_user_account", type_="foreignkey")
        batch.drop_column("corrected_by_id")
        batch.drop_column("correction_reason")
