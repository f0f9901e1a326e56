"""background jobs: what was started, by whom, how far it got, and its file

Revision ID: b7d41f0a9c21
Revises: c19d1a2b3c4d
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d41f0a9c21'
down_revision = 'c19d1a2b3c4d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('result_key', sa.String(length=200), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('result_type', sa.String(length=100), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('retry_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('beat_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_job_county_id_county')),
    sa.ForeignKeyConstraint(['retry_of_id'], ['job.id'], name=op.f('fk_job_retry_of_id_job')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_job_station_id_station')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_job_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    op.create_index('ix_job_status_beat', 'job', ['status', 'beat_at'], unique=False)
    op.create_index('ix_job_user_created', 'job', ['user_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_job_user_created', table_name='job')
    op.drop_index('ix_job_status_beat', table_name='job')
    op.drop_table('job')
