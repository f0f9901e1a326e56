"""红黑榜: criteria as data (the standard ones written here), lists for a period, entries, take-off decisions

Revision ID: d19e2b3c4d5e
Revises: fc1f59b9301c
Create Date: 2026-11-29 15:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = "d19e2b3c4d5e"
down_revision = "fc1f59b9301c"
branch_labels = None
depends_on = None

STANDARD_CRITERIA = [  # as server.redblack.models.STANDARD_CRITERIA on the day this was written
    ("high_rating", "red", "消费者评价高（期内平均4.5星及以上）"),
    ("no_verified_complaint", "red", "期内无查实的投诉举报"),
    ("exemplary_tag", "red", "党员经营户、党员先锋岗等示范带头"),
    ("commitment_kept", "red", "后评价合格，承诺履行良好"),
    ("removed_violations", "black", "因违法违规被移出放心消费单位"),
    ("rectification_overdue", "black", "限期整改逾期未整改"),
    ("verified_complaints", "black", "期内投诉举报经查属实"),
    ("commitment_broken", "black", "违背放心消费承诺"),
]


def upgrade():
    criterion = op.create_table(
        "red_black_criterion",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_red_black_criterion")),
    )
    op.bulk_insert(criterion, [{"code": c, "side": s, "label": label, "position": n, "active": True}
                               for n, (c, s, label) in enumerate(STANDARD_CRITERIA)])
    op.create_table(
        "red_black_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approving_office", sa.String(length=100), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["approved_by"], ["user_account.id"],
                                name=op.f("fk_red_black_list_approved_by_user_account")),
        sa.ForeignKeyConstraint(["county_id"], ["county.id"], name=op.f("fk_red_black_list_county_id_county")),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"],
                                name=op.f("fk_red_black_list_created_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_black_list")),
    )
    op.create_index(op.f("ix_red_black_list_county_id"), "red_black_list", ["county_id"])
    op.create_table(
        "red_black_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("taken_off_at", sa.DateTime(), nullable=True),
        sa.Column("taken_off_reason", sa.String(length=300), nullable=True),
        sa.Column("taken_off_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["red_black_list.id"],
                                name=op.f("fk_red_black_entry_list_id_red_black_list")),
        sa.ForeignKeyConstraint(["taken_off_by"], ["user_account.id"],
                                name=op.f("fk_red_black_entry_taken_off_by_user_account")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_red_black_entry_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_black_entry")),
        sa.UniqueConstraint("list_id", "unit_id", name="uq_red_black_entry_list_unit"),
    )
    op.create_index(op.f("ix_red_black_entry_list_id"), "red_black_entry", ["list_id"])


def downgrade():
    op.drop_index(op.f("ix_red_black_entry_list_id"), table_name="red_black_entry")
    op.drop_table("red_black_entry")
    op.drop_index(op.f("ix_red_black_list_county_id"), table_name="red_black_list")
    op.drop_table("red_black_list")
    op.drop_table("red_black_criterion")
