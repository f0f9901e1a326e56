"""complaints handled to the letter of the law: Art. 10 fields, step dates, paused days, merges, benchmarks

Revision ID: 5d17a0c3e9b1
Revises: a18f0c1e2d3b
Create Date: 2026-11-29 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d17a0c3e9b1'
down_revision = 'a18f0c1e2d3b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complainant_address', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('demand', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('clue_extended', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('report_paused_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('clue_paused_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('clock_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_complaint_merged_into_id_complaint'), 'complaint',
                                    ['merged_into_id'], ['id'])
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        for name in ('complainant_address', 'demand', 'clue_extended', 'report_paused_days', 'clue_paused_days'):
            batch_op.alter_column(name, server_default=None)
    # A clue's extension was kept in the one flag shared with the report's: it applies to the clue when one exists.
    op.execute("UPDATE complaint SET clue_extended = extended WHERE clue_found_on IS NOT NULL")
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_on', sa.Date(), nullable=True))
    op.create_table('mediation_benchmark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('national', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('provincial', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_mediation_benchmark_county_id_county')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                            name=op.f('fk_mediation_benchmark_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_benchmark')),
    sa.UniqueConstraint('county_id', 'year', name='uq_mediation_benchmark_county_year')
    )


def downgrade():
    op.drop_table('mediation_benchmark')
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.drop_column('done_on')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaint_merged_into_id_complaint'), type_='foreignkey')
        for name in ('merged_into_id', 'clock_from', 'clue_paused_days', 'report_paused_days', 'clue_extended',
                     'demand', 'complainant_address'):
            batch_op.drop_column(name)
