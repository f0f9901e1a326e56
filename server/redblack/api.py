"""GET /api/v1/red-black: the published 红黑榜 as read-only JSON (for the province's mini program)."""
from flask import abort
from marshmallow import Schema, fields

from server.core.blueprint import Blueprint
from server.redblack import service
from server.redblack.models import SIDES

api_bp = Blueprint("red-black-api", __name__, url_prefix="/red-black", description="红黑榜（公开，只读，无需登录）")


class RedBlackEntrySchema(Schema):
    unit_name = fields.Function(lambda e: e.unit.name)
    address = fields.Function(lambda e: e.unit.address)
    side = fields.String(metadata={"description": "red 红榜 / black 黑榜"})
    side_label = fields.Function(lambda e: SIDES[e.side])
    reasons = fields.Function(lambda e: [service.criterion_labels().get(c, c) for c in e.criteria],
                              metadata={"description": "认定依据"})
    note = fields.String()
    taken_off_at = fields.DateTime(allow_none=True, metadata={"description": "移出黑榜的时间（UTC）"})
    taken_off_reason = fields.String(allow_none=True, metadata={"description": "移出黑榜的理由"})


class RedBlackListSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    approving_office = fields.String()
    published_at = fields.DateTime()


class RedBlackListDetailSchema(RedBlackListSchema):
    entries = fields.List(fields.Nested(RedBlackEntrySchema))


@api_bp.get("")
@api_bp.doc(security=[])  # public: no bearer token
@api_bp.response(200, RedBlackListSchema(many=True))
def lists():
    """Every published list, newest period first."""
    return service.published()


@api_bp.get("/<int:list_id>")
@api_bp.doc(security=[])  # public: no bearer token
@api_bp.response(200, RedBlackListDetailSchema)
def one(list_id: int):
    """One published list with its entries and their reasons."""
    rb = service.published_list(list_id)
    if rb is None:
        abort(404)
    return rb
