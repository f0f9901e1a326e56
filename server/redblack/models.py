"""红黑榜: criteria (data, seeded by the migration), lists for a period, their entries and take-off decisions."""
from server.core.clock import utcnow
from server.extensions import db

SIDES = {"red": "红榜", "black": "黑榜"}
LIST_STATUSES = {"draft": "草稿", "approved": "已审批", "published": "已发布"}


class RedBlackCriterion(db.Model):
    """One reason a unit may be put on a list (e.g. 消费者评价高, 因违法违规被移出): kept as data."""

    __tablename__ = "red_black_criterion"

    code = db.Column(db.String(30), primary_key=True)
    side = db.Column(db.String(10), nullable=False)
    label = db.Column(db.String(100), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)


class RedBlackList(db.Model):
    """A county's 红黑榜 for a period: drafted, approved by an office, published; never deleted once published."""

    __tablename__ = "red_black_list"

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.ForeignKey("county.id"), nullable=False, index=True)
    title = db.Column(db.String(100), nullable=False)
    period_start = db.Column(db.Date, nullable=False)
    period_end = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(10), nullable=False, default="draft")
    created_by = db.Column(db.ForeignKey("user_account.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    approving_office = db.Column(db.String(100), nullable=False, default="")
    approved_by = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    approved_at = db.Column(db.DateTime, nullable=True)
    published_at = db.Column(db.DateTime, nullable=True)

    county = db.relationship("County")
    entries = db.relationship("RedBlackEntry", order_by="RedBlackEntry.id", back_populates="list",
                              cascade="all, delete-orphan")


class RedBlackEntry(db.Model):
    """A unit on a list, with the criteria that put it there; a black entry may be taken off by a decision."""

    __tablename__ = "red_black_entry"

    id = db.Column(db.Integer, primary_key=True)
    list_id = db.Column(db.ForeignKey("red_black_list.id"), nullable=False, index=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False)
    side = db.Column(db.String(10), nullable=False)
    criteria = db.Column(db.JSON, nullable=False, default=list)
    note = db.Column(db.String(300), nullable=False, default="")
    taken_off_at = db.Column(db.DateTime, nullable=True)
    taken_off_reason = db.Column(db.String(300), nullable=True)
    taken_off_by = db.Column(db.ForeignKey("user_account.id"), nullable=True)

    list = db.relationship(RedBlackList, back_populates="entries")
    unit = db.relationship("Unit")

    __table_args__ = (db.UniqueConstraint("list_id", "unit_id", name="uq_red_black_entry_list_unit"),)


# The standard criteria (issue 19 item 2, from the work plan's 红黑榜): the migration writes them once; a
# county may then change labels or retire one (active = false) without code.
STANDARD_CRITERIA = [
    ("high_rating", "red", "消费者评价高（期内平均4.5星及以上）"),
    ("no_verified_complaint", "red", "期内无查实的投诉举报"),
    ("exemplary_tag", "red", "党员经营户、党员先锋岗等示范带头"),
    ("commitment_kept", "red", "后评价合格，承诺履行良好"),
    ("removed_violations", "black", "因违法违规被移出放心消费单位"),
    ("rectification_overdue", "black", "限期整改逾期未整改"),
    ("verified_complaints", "black", "期内投诉举报经查属实"),
    ("commitment_broken", "black", "违背放心消费承诺"),
]


def seed_criteria() -> None:
    """Add the standard criteria that are missing (never overwrites a county's own wording)."""
    have = {c for (c,) in db.session.execute(db.select(RedBlackCriterion.code))}
    for n, (code, side, label) in enumerate(STANDARD_CRITERIA):
        if code not in have:
            db.session.add(RedBlackCriterion(code=code, side=side, label=label, position=n))
    db.session.flush()
