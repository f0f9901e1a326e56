"""every synced change keeps the device time it happened; an inspection keeps its distance from the unit

Revision ID: b18d7e4c9a10
Revises: 5d17a0c3e9b1
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b18d7e4c9a10'
down_revision = '5d17a0c3e9b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_receipt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('happened_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('distance_m', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('distance_m')
    with op.batch_alter_table('sync_receipt', schema=None) as batch_op:
        batch_op.drop_column('happened_at')
