"""/api/v1/signs: list, issue (one or in bulk), replace, revoke, and one sign's PNG."""
from flask import Response, g

import server.signage.sync  # noqa: F401  (registers the sign_posted change and signs in the pull)
from schemas.sign import (SignBulkIssueSchema, SignIssueSchema, SignQuerySchema, SignReplaceSchema,
                          SignRevokeSchema, SignSchema)
from server.core.blueprint import Blueprint
from server.signage import printing, service

api_bp = Blueprint("signs", __name__, url_prefix="/signs", description="放心消费标识")


def _with_url(signs):
    for s in signs if isinstance(signs, list) else [signs]:
        s.url = printing.sign_url(s)
    return signs


@api_bp.get("")
@api_bp.arguments(SignQuerySchema, location="query")
@api_bp.response(200, SignSchema(many=True))
def list_signs(args):
    """Signs in my scope, filtered by station, year, type, status or unit."""
    return _with_url(service.list_signs(g.user, **args))


@api_bp.post("")
@api_bp.arguments(SignIssueSchema)
@api_bp.response(201, SignSchema)
@api_bp.alt_response(422, description="该单位本年度尚未通过后评价，或已有有效标识")
def issue(data):
    """Issue a unit's sign for a year; the unit moves from 后评价通过 to 标识发放."""
    return _with_url(service.issue_sign(g.user, data["unit_id"], data["year"], data["note"]))


@api_bp.post("/bulk")
@api_bp.arguments(SignBulkIssueSchema)
@api_bp.response(200, description="{issued: [标识], refused: {单位编号: 原因}}")
def issue_bulk(data):
    """Issue signs to the listed units of a station, or with all=true to every unit waiting for one."""
    ids = data["unit_ids"]
    if data["all"]:
        ids = [u.id for u in service.issuable_units(g.user, data["station_id"], data["year"], data["type"])]
    issued, refused = service.issue_signs(g.user, ids, data["year"])
    return {"issued": SignSchema(many=True).dump(_with_url(issued)),
            "refused": {str(k): v for k, v in refused.items()}}


@api_bp.get("/<int:sign_id>")
@api_bp.response(200, SignSchema)
def get_sign(sign_id):
    """One sign."""
    return _with_url(service.get_sign(g.user, sign_id))


@api_bp.post("/<int:sign_id>/replace")
@api_bp.arguments(SignReplaceSchema)
@api_bp.response(201, SignSchema)
def replace(data, sign_id):
    """Replace a sign (lost, damaged, misprinted): a new serial and token; the old one shows 已更换."""
    return _with_url(service.replace_sign(g.user, sign_id, data["note"]))


@api_bp.post("/<int:sign_id>/revoke")
@api_bp.arguments(SignRevokeSchema)
@api_bp.response(200, SignSchema)
def revoke(data, sign_id):
    """Revoke a sign with a reason category; its public page then says 已撤销."""
    return _with_url(service.revoke_sign(g.user, sign_id, data["reason"], data["note"]))


@api_bp.get("/<int:sign_id>/png")
@api_bp.response(200, {"type": "string", "format": "binary"}, content_type="image/png",
                 description="300 DPI 的 A5 标识图（不计打印次数）")
def png(sign_id):
    """The sign as a 300-DPI PNG (a preview: printing from the admin page counts the print)."""
    return Response(printing.render_png(service.get_sign(g.user, sign_id)), mimetype="image/png")
