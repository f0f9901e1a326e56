"""the owner's signature covers a hash of the content; photos belong to the records that use them

Revision ID: a18f0c1e2d3b
Revises: e72515ee2ac4
Create Date: 2026-11-29 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a18f0c1e2d3b'
down_revision = 'e72515ee2ac4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(), nullable=True))
    op.create_table('photo_use',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_photo_use_county_id_county')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_photo_use_station_id_station')),
    sa.PrimaryKeyConstraint('sha256', 'kind', 'record_id', name=op.f('pk_photo_use'))
    )
    with op.batch_alter_table('photo_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_use_station_id'), ['station_id'], unique=False)
    _backfill()


def _backfill():
    """Uses of the records stored before: every inspection's photos, answers' photos and signature,
    and every sign's posted photo."""
    conn = op.get_bind()
    uses = set()
    for iid, station, county, photos, sig in conn.execute(sa.text(
            "SELECT id, station_id, county_id, photos, signature_sha256 FROM inspection")):
        for sha in list(_list(photos)) + ([sig] if sig else []):
            uses.add((sha, 'inspection', iid, station, county))
    for iid, station, county, photos in conn.execute(sa.text(
            "SELECT i.id, i.station_id, i.county_id, a.photos FROM inspection_answer a "
            "JOIN inspection i ON i.id = a.inspection_id")):
        for sha in _list(photos):
            uses.add((sha, 'inspection', iid, station, county))
    for sid, station, county, sha in conn.execute(sa.text(
            "SELECT id, station_id, county_id, posted_photo_sha256 FROM sign WHERE posted_photo_sha256 IS NOT NULL")):
        uses.add((sha, 'sign', sid, station, county))
    table = sa.table('photo_use', sa.column('sha256'), sa.column('kind'), sa.column('record_id'),
                     sa.column('station_id'), sa.column('county_id'))
    rows = [dict(sha256=u[0], kind=u[1], record_id=u[2], station_id=u[3], county_id=u[4])
            for u in sorted(uses, key=str) if isinstance(u[0], str) and len(u[0]) == 64]
    if rows:
        op.bulk_insert(table, rows)


def _list(value):
    if isinstance(value, str):
        import json
        value = json.loads(value)
    return value or []


def downgrade():
    with op.batch_alter_table('photo_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_use_station_id'))
    op.drop_table('photo_use')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('signed_at')
        batch_op.drop_column('signed_hash')
