"""receipts of device changes are kept per user: another account's change id is not a duplicate of it

Revision ID: 7c3e5a9d1f20
Revises: b7d41f0a9c21
Create Date: 2026-11-29 14:45:00

"""
from alembic import op


revision = '7c3e5a9d1f20'
down_revision = 'b7d41f0a9c21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_receipt', schema=None) as batch_op:
        batch_op.drop_constraint('pk_sync_receipt', type_='primary')
        batch_op.create_primary_key('pk_sync_receipt', ['user_id', 'change_id'])


def downgrade():
    # Two accounts' receipts of one change id cannot share the old key: keep the first made.
    op.execute("DELETE FROM sync_receipt WHERE EXISTS (SELECT 1 FROM sync_receipt AS older "
               "WHERE older.change_id = sync_receipt.change_id AND older.created_at < sync_receipt.created_at)")
    with op.batch_alter_table('sync_receipt', schema=None) as batch_op:
        batch_op.drop_constraint('pk_sync_receipt', type_='primary')
        batch_op.create_primary_key('pk_sync_receipt', ['change_id'])
